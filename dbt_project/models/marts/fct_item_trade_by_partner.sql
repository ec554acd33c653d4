{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ item_window_delete() }}",
    tags=['item_marts'],
) }}
{#- Every item at every level, by partner: HSK-10 items rolled up to HS6, HS4 and HS2 (the HSK-10 code's first 6, 4,
    2 digits), per month and per year (the sum of the months loaded; months_in_year says how many the item's source
    had), with each partner's share of the item's imports and whether it is the top supplier. Incremental: a run
    with vars min_date/max_date replaces the window's months and the years they fall in. -#}
{%- set levels = [('hs6', 6), ('hs4', 4), ('hs2', 2)] %}
with monthly as {{ cte_materialized() }} (
    select * from {{ ref('int_item_trade_monthly') }}
),

levels as {{ cte_materialized() }} (
    select source, 'hsk10' as product_level, product_code, partner_key, period_start,
        export_usd, export_kg, import_usd, import_kg
    from monthly
    {%- for level, digits in levels %}
    union all
    select source, '{{ level }}' as product_level, substring(product_code, 1, {{ digits }}) as product_code,
        partner_key, period_start, sum(export_usd), sum(export_kg), sum(import_usd), sum(import_kg)
    from monthly
    group by source, substring(product_code, 1, {{ digits }}), partner_key, period_start
    {%- endfor %}
),

source_months as (
    select source, extract(year from period_start) as trade_year, count(distinct period_start) as months_in_year
    from monthly
    group by source, extract(year from period_start)
),

periods as (
    select source, product_level, product_code, partner_key, 'month' as period_grain, period_start,
        export_usd, export_kg, import_usd, import_kg, 1 as months_in_year
    from levels
    union all
    select levels.source, levels.product_level, levels.product_code, levels.partner_key, 'year' as period_grain,
        {{ year_start('extract(year from levels.period_start)') }} as period_start,
        sum(levels.export_usd), sum(levels.export_kg), sum(levels.import_usd), sum(levels.import_kg),
        max(source_months.months_in_year)
    from levels
    inner join source_months
        on source_months.source = levels.source
        and source_months.trade_year = extract(year from levels.period_start)
    group by levels.source, levels.product_level, levels.product_code, levels.partner_key,
        extract(year from levels.period_start)
),

windowed as {{ cte_materialized() }} (
    select * from periods
    where {{ item_window_rows('period_grain', 'period_start') }}
),

item_totals as (
    select source, product_level, product_code, period_grain, period_start,
        sum(import_usd) as total_import_usd, max(import_usd) as top_import_usd
    from windowed
    group by source, product_level, product_code, period_grain, period_start
)

select
    '{{ var("reporter_iso3") }}' as reporter_iso3,
    windowed.source,
    windowed.product_level,
    windowed.product_code,
    windowed.period_grain,
    windowed.period_start,
    windowed.partner_key,
    windowed.export_usd,
    windowed.export_kg,
    windowed.import_usd,
    windowed.import_kg,
    item_totals.total_import_usd,
    cast(windowed.import_usd as {{ type_double() }}) / nullif(item_totals.total_import_usd, 0) as import_share,
    case when windowed.import_usd > 0 and windowed.import_usd = item_totals.top_import_usd then true else false end
        as is_top_supplier,
    windowed.months_in_year
from windowed
inner join item_totals
    on item_totals.source = windowed.source
    and item_totals.product_level = windowed.product_level
    and item_totals.product_code = windowed.product_code
    and item_totals.period_grain = windowed.period_grain
    and item_totals.period_start = windowed.period_start
