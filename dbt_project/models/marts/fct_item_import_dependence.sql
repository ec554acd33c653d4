{{ config(
    materialized='incremental',
    on_schema_change='fail',
    tags=['item_marts'],
    **replace_by_period_config(['source', 'period_grain', 'period_start'])
) }}
{#- Import concentration of every item at every level (HSK-10, HS6, HS4, HS2), per month and year: total imports
    (the sum over partners: item-level sources list every partner), the top supplier and its share D_i, the
    Herfindahl-Hirschman index (sum of squared shares, 0-1), the number of suppliers, and China's share and balance
    on the item (for KIET's counts). Items without imports in a period have no row. Incremental as
    fct_item_trade_by_partner: the periods it rebuilt since this mart was last built. -#}
{%- set changed = item_changed_periods(ref('fct_item_trade_by_partner'), loaded_at_column='vintage_loaded_at',
                                       extra_columns=['period_grain']) %}
{% call cast_to_contract() %}
with partners as (
    select * from {{ ref('fct_item_trade_by_partner') }}
    where {{ item_periods_predicate(changed, extra_columns=['period_grain']) }}
)

select
    cast(reporter_iso3 as {{ dbt.type_string() }}) as reporter_iso3,
    cast(source as {{ dbt.type_string() }}) as source,
    cast(product_level as {{ dbt.type_string() }}) as product_level,
    cast(product_code as {{ dbt.type_string() }}) as product_code,
    cast(period_grain as {{ dbt.type_string() }}) as period_grain,
    cast(period_start as date) as period_start,
    cast(max(total_import_usd) as decimal(38, 6)) as total_import_usd,
    cast(sum(export_usd) as decimal(38, 6)) as total_export_usd,
    cast(sum(case when import_usd > 0 then 1 else 0 end) as integer) as supplier_count,
    -- ties: the alphabetically first of the largest suppliers
    cast(min(case when is_top_supplier then partner_key end) as {{ dbt.type_string() }}) as top_supplier_key,
    cast(max(import_share) as {{ type_double() }}) as top_supplier_share,
    {{ exact_sum('import_share * import_share') }} as hhi,
    coalesce({{ exact_sum("case when partner_key = 'CHN' then import_share end") }}, 0)
        as china_share,
    cast(coalesce(sum(case when partner_key = 'CHN' then import_usd end), 0) as decimal(38, 6)) as china_import_usd,
    cast(coalesce(sum(case when partner_key = 'CHN' then export_usd end), 0) as decimal(38, 6)) as china_export_usd,
    cast(max(months_in_year) as integer) as months_in_year,
    cast(max(vintage_loaded_at) as {{ dbt.type_timestamp() }}) as vintage_loaded_at,
    cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as dbt_invocation_id
from partners
group by reporter_iso3, source, product_level, product_code, period_grain, period_start
having max(total_import_usd) > 0
{% endcall %}
