{{ config(
    materialized='incremental',
    on_schema_change='fail',
    tags=['item_marts'],
    **replace_by_period_config(['source', 'period_grain', 'period_start'])
) }}
{#- Every item at every level, by partner: HSK-10 items rolled up to HS6, HS4 and HS2 (the HSK-10 code's first 6, 4,
    2 digits), per month and per year (the sum of the months loaded; months_in_year says how many the item's source
    had), with each partner's share of the item's imports and whether it is the top supplier.
    Incremental (macros/item_macros.sql): a build rebuilds the months loaded since the mart was last built and the
    years they fall in; every other period keeps its rows and the dbt_invocation_id that wrote them. -#}
{%- set changed = item_changed_periods(ref('int_item_trade_monthly')) -%}
{%- set levels = [('hs6', 6), ('hs4', 4), ('hs2', 2)] %}
{% call cast_to_contract() %}
with monthly as {{ cte_materialized() }} (
    -- the changed months' whole years (a year is the sum of its months)
    select * from {{ ref('int_item_trade_monthly') }}
    where {{ item_years_predicate(changed) }}
),

levels as {{ cte_materialized() }} (
    select source, 'hsk10' as product_level, product_code, partner_key, period_start,
        export_usd, export_kg, import_usd, import_kg, _loaded_at
    from monthly
{%- for level, digits in levels %}
    union all
    select source, '{{ level }}' as product_level, substring(product_code, 1, {{ digits }}) as product_code,
        partner_key, period_start, sum(export_usd), sum(export_kg), sum(import_usd), sum(import_kg), max(_loaded_at)
    from monthly
    group by source, substring(product_code, 1, {{ digits }}), partner_key, period_start
{%- endfor %}
),

source_months as (
    select source, extract(year from period_start) as trade_year, count(distinct period_start) as months_in_year
    from monthly
    group by source, extract(year from period_start)
),

periods as {{ cte_materialized() }} (
    select source, product_level, product_code, partner_key, 'month' as period_grain, period_start,
        export_usd, export_kg, import_usd, import_kg, 1 as months_in_year, _loaded_at
    from levels
    where {{ item_periods_predicate(changed) }}
    union all
    select levels.source, levels.product_level, levels.product_code, levels.partner_key, 'year' as period_grain,
        {{ year_start('extract(year from levels.period_start)') }} as period_start,
        sum(levels.export_usd), sum(levels.export_kg), sum(levels.import_usd), sum(levels.import_kg),
        max(source_months.months_in_year), max(levels._loaded_at)
    from levels
    inner join source_months
        on source_months.source = levels.source
        and source_months.trade_year = extract(year from levels.period_start)
    group by levels.source, levels.product_level, levels.product_code, levels.partner_key,
        extract(year from levels.period_start)
),

item_totals as (
    select source, product_level, product_code, period_grain, period_start,
        sum(import_usd) as total_import_usd, max(import_usd) as top_import_usd
    from periods
    group by source, product_level, product_code, period_grain, period_start
)

select
    cast('{{ var("reporter_iso3") }}' as {{ dbt.type_string() }}) as reporter_iso3,
    cast(periods.source as {{ dbt.type_string() }}) as source,
    cast(periods.product_level as {{ dbt.type_string() }}) as product_level,
    cast(periods.product_code as {{ dbt.type_string() }}) as product_code,
    cast(periods.period_grain as {{ dbt.type_string() }}) as period_grain,
    cast(periods.period_start as date) as period_start,
    cast(periods.partner_key as {{ dbt.type_string() }}) as partner_key,
    cast(periods.export_usd as decimal(38, 6)) as export_usd,
    cast(periods.export_kg as decimal(38, 6)) as export_kg,
    cast(periods.import_usd as decimal(38, 6)) as import_usd,
    cast(periods.import_kg as decimal(38, 6)) as import_kg,
    cast(item_totals.total_import_usd as decimal(38, 6)) as total_import_usd,
    cast(cast(periods.import_usd as {{ type_double() }}) / nullif(item_totals.total_import_usd, 0)
        as {{ type_double() }}) as import_share,
    case when periods.import_usd > 0 and periods.import_usd = item_totals.top_import_usd then true else false end
        as is_top_supplier,
    cast(periods.months_in_year as integer) as months_in_year,
    cast(periods._loaded_at as {{ dbt.type_timestamp() }}) as vintage_loaded_at,
    cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as dbt_invocation_id
from periods
inner join item_totals
    on item_totals.source = periods.source
    and item_totals.product_level = periods.product_level
    and item_totals.product_code = periods.product_code
    and item_totals.period_grain = periods.period_grain
    and item_totals.period_start = periods.period_start
{% endcall %}
