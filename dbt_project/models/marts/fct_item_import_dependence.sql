{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ item_window_delete() }}",
    tags=['item_marts'],
) }}
{#- Import concentration of every item at every level (HSK-10, HS6, HS4, HS2), per month and year: total imports
    (the sum over partners: item-level sources list every partner), the top supplier and its share D_i, the
    Herfindahl-Hirschman index (sum of squared shares, 0-1), the number of suppliers, and China's share and balance
    on the item (for KIET's counts). Items without imports in a period have no row. Incremental as
    fct_item_trade_by_partner. -#}
with partners as (
    select * from {{ ref('fct_item_trade_by_partner') }}
    where {{ item_window_rows('period_grain', 'period_start') }}
)

select
    reporter_iso3,
    source,
    product_level,
    product_code,
    period_grain,
    period_start,
    max(total_import_usd) as total_import_usd,
    sum(export_usd) as total_export_usd,
    sum(case when import_usd > 0 then 1 else 0 end) as supplier_count,
    -- ties: the alphabetically first of the largest suppliers
    min(case when is_top_supplier then partner_key end) as top_supplier_key,
    max(import_share) as top_supplier_share,
    sum(import_share * import_share) as hhi,
    coalesce(sum(case when partner_key = 'CHN' then import_share end), 0) as china_share,
    coalesce(sum(case when partner_key = 'CHN' then import_usd end), 0) as china_import_usd,
    coalesce(sum(case when partner_key = 'CHN' then export_usd end), 0) as china_export_usd,
    max(months_in_year) as months_in_year
from partners
group by reporter_iso3, source, product_level, product_code, period_grain, period_start
having max(total_import_usd) > 0
