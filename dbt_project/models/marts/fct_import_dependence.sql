{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **replace_by_period_config(['source'])
) }}
{#- How concentrated a reporter's imports of a product are, per period: the total and how it was obtained, the
    top supplier and its share, China's and Japan's shares, the Herfindahl-Hirschman index (sum of squared
    shares, 0-1) and the number of suppliers. Only product-periods with a total (see fct_import_supplier_shares).
    Incremental by source, as fct_product_trade. -#}
{%- set changed = changed_sources(ref('fct_import_supplier_shares')) %}
{% call cast_to_contract() %}
with shares as (
    select * from {{ ref('fct_import_supplier_shares') }} where {{ sources_predicate(changed) }}
),

summary as (
    select
        reporter_iso3, product_code, product_level, period_grain, period_start,
        max(total_import_usd) as total_import_usd,
        max(total_basis) as total_basis,
        sum(import_usd) as partner_sum_usd,
        sum(case when import_usd > 0 then 1 else 0 end) as supplier_count,
        max(supplier_share) as top_supplier_share,
        {{ exact_sum('supplier_share * supplier_share') }} as hhi,
        coalesce({{ exact_sum("case when partner_iso3 = 'CHN' then supplier_share end") }}, 0) as china_share,
        coalesce({{ exact_sum("case when partner_iso3 = 'JPN' then supplier_share end") }}, 0) as japan_share,
        max(source) as source,
        max(vintage_loaded_at) as vintage_loaded_at
    from shares
    group by reporter_iso3, product_code, product_level, period_grain, period_start
),

top_suppliers as (
    -- ties: the alphabetically first among the largest suppliers (an ISO3, or 'comtrade:<code>' for an area n.e.s.)
    select reporter_iso3, product_code, product_level, period_grain, period_start, min(partner_key) as top_supplier_key
    from shares
    where supplier_rank = 1
    group by reporter_iso3, product_code, product_level, period_grain, period_start
)

select
    summary.reporter_iso3,
    summary.product_code,
    summary.product_level,
    summary.period_grain,
    summary.period_start,
    summary.total_import_usd,
    summary.total_basis,
    summary.partner_sum_usd,
    summary.total_import_usd - summary.partner_sum_usd as unallocated_import_usd,
    top_suppliers.top_supplier_key,
    summary.top_supplier_share,
    summary.china_share,
    summary.japan_share,
    summary.hhi,
    summary.supplier_count,
    summary.top_supplier_share >= {{ var('dependence_target_share') }} as is_top_supplier_share_at_least_target,
    summary.source,
    summary.vintage_loaded_at,
    '{{ invocation_id }}' as dbt_invocation_id
from summary
inner join top_suppliers
    on top_suppliers.reporter_iso3 = summary.reporter_iso3
    and top_suppliers.product_code = summary.product_code
    and top_suppliers.product_level = summary.product_level
    and top_suppliers.period_grain = summary.period_grain
    and top_suppliers.period_start = summary.period_start
{% endcall %}
