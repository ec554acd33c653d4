{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **replace_by_period_config(['source'])
) }}
{#- Each supplier's share of a reporter's imports of a product in a period, where a total exists: the reported
    World row, or (for sources that list every partner, seed product_sources) the sum over partners.
    Incremental by source, as fct_product_trade: the sources it rebuilt since this mart was built. -#}
{%- set changed = changed_sources(ref('fct_product_trade')) %}
{% call cast_to_contract() %}
with imports as (
    select * from {{ ref('fct_product_trade') }} where flow = 'import' and {{ sources_predicate(changed) }}
),

partner_sums as (
    select reporter_iso3, product_code, product_level, period_grain, period_start, source,
        sum(value_usd) as partner_sum_usd
    from imports
    where partner_key <> 'WLD'
    group by reporter_iso3, product_code, product_level, period_grain, period_start, source
),

totals as (
    select
        partner_sums.*,
        coalesce(world.value_usd, case when sources.total_without_world_row = 'sum_of_partners'
            then partner_sums.partner_sum_usd end) as total_import_usd,
        case
            when world.value_usd is not null then 'world_row'
            when sources.total_without_world_row = 'sum_of_partners' then 'sum_of_partners'
        end as total_basis
    from partner_sums
    left join imports as world
        on world.partner_key = 'WLD'
        and world.reporter_iso3 = partner_sums.reporter_iso3
        and world.product_code = partner_sums.product_code
        and world.product_level = partner_sums.product_level
        and world.period_grain = partner_sums.period_grain
        and world.period_start = partner_sums.period_start
        and world.source = partner_sums.source
    left join {{ ref('product_sources') }} as sources
        on sources.source = partner_sums.source
)

select
    imports.reporter_iso3,
    imports.product_code,
    imports.product_level,
    imports.period_grain,
    imports.period_start,
    imports.partner_key,
    imports.partner_iso3,
    imports.value_usd as import_usd,
    totals.total_import_usd,
    totals.total_basis,
    cast(imports.value_usd as {{ type_double() }}) / totals.total_import_usd as supplier_share,
    rank() over (
        partition by imports.reporter_iso3, imports.product_code, imports.product_level, imports.period_grain,
            imports.period_start
        order by imports.value_usd desc
    ) as supplier_rank,
    imports.source,
    imports.vintage_loaded_at,
    '{{ invocation_id }}' as dbt_invocation_id
from imports
inner join totals
    on totals.reporter_iso3 = imports.reporter_iso3
    and totals.product_code = imports.product_code
    and totals.product_level = imports.product_level
    and totals.period_grain = imports.period_grain
    and totals.period_start = imports.period_start
    and totals.source = imports.source
where imports.partner_key <> 'WLD'
    and totals.total_basis is not null
    and totals.total_import_usd > 0
{% endcall %}
