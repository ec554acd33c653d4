{#- One row per check of a published figure: the figure's own value, plus the derived claims in the seed
    reference_figure_claims (y/y change, previous deficit year, rank). Each row says whether the warehouse
    reproduces it within the figure's rounding, or why it cannot reach it. -#}
{%- set reporter = var('reporter_iso3') -%}
{% call cast_to_contract() %}
with figures as (
    select
        figure_id,
        reporter_iso3,
        partner_iso3,
        flow,
        period_label,
        published_value,
        note,
        case
            when period_label like '%(sum)' then 'year'
            when length(period_label) = 7 then 'month'
            else 'year'
        end as period_grain,
        case
            when period_label like '%(sum)' then {{ year_start(dbt.split_part(dbt.split_part('period_label', "' '", 1), "'+'", 1)) }}
            when length(period_label) = 7 then {{ month_start('period_label') }}
            else {{ year_start('period_label') }}
        end as period_start,
        -- second year of a two-year sum such as '2023+2024 (sum)'
        case
            when period_label like '%(sum)' then {{ year_start(dbt.split_part(dbt.split_part('period_label', "' '", 1), "'+'", 2)) }}
        end as second_period_start
    from {{ ref('stg_reference__figures') }}
),

checks as (
    select
        figures.*,
        'value' as check_metric,
        figures.published_value as expected_value,
        coalesce(claims.rounding, {{ published_rounding('figures.published_value') }}) as rounding,
        coalesce(claims.basis, 'trailing zeros of the published value') as rounding_basis
    from figures
    left join {{ ref('reference_figure_claims') }} as claims
        on claims.figure_id = figures.figure_id
        and claims.check_metric = 'value'
    union all
    select
        figures.*,
        claims.check_metric,
        claims.expected_value,
        claims.rounding,
        claims.basis as rounding_basis
    from figures
    inner join {{ ref('reference_figure_claims') }} as claims
        on claims.figure_id = figures.figure_id
        and claims.check_metric <> 'value'
),

-- The warehouse's figures in one long shape: (reporter, partner, grain, period, flow) -> value.
warehouse_values as (
{%- for flow in ['export', 'import', 'balance'] %}
    select reporter_iso3, partner_iso3, period_grain, period_start, '{{ flow }}' as flow, {{ flow }}_usd as value_usd
    from {{ ref('fct_bilateral_trade') }}
    union all
    select reporter_iso3, 'WLD' as partner_iso3, period_grain, period_start, '{{ flow }}' as flow,
        reported_{{ flow }}_usd as value_usd
    from {{ ref('fct_trade_totals') }}
{%- if not loop.last %}
    union all
{%- endif %}
{%- endfor %}
),

previous_deficits as (
    select
        checks.figure_id,
        max(extract(year from trade.period_start)) as previous_deficit_year
    from checks
    inner join {{ ref('fct_bilateral_trade') }} as trade
        on trade.reporter_iso3 = checks.reporter_iso3
        and trade.partner_iso3 = checks.partner_iso3
        and trade.period_grain = 'year'
        and trade.period_start < checks.period_start
        and trade.balance_usd < 0
    where checks.check_metric = 'previous_deficit_year'
    group by checks.figure_id
),

evaluated as (
    select
        checks.*,
        case
            when checks.check_metric = 'value' and checks.second_period_start is null then current_value.value_usd
            when checks.check_metric = 'value' then current_value.value_usd + second_value.value_usd
            when checks.check_metric = 'yoy_change'
                then cast(current_value.value_usd as {{ type_double() }}) / nullif(previous_value.value_usd, 0) - 1
            when checks.check_metric = 'previous_deficit_year' and current_value.value_usd < 0
                then previous_deficits.previous_deficit_year
            when checks.check_metric = 'export_rank' then shares.export_rank
        end as warehouse_value,
        (select min(period_start) from warehouse_values as coverage
            where coverage.period_grain = checks.period_grain and coverage.partner_iso3 = checks.partner_iso3
              and coverage.flow = checks.flow and coverage.value_usd is not null) as coverage_start,
        (select max(period_start) from warehouse_values as coverage
            where coverage.period_grain = checks.period_grain and coverage.partner_iso3 = checks.partner_iso3
              and coverage.flow = checks.flow and coverage.value_usd is not null) as coverage_end
    from checks
    left join warehouse_values as current_value
        on current_value.reporter_iso3 = checks.reporter_iso3
        and current_value.partner_iso3 = checks.partner_iso3
        and current_value.period_grain = checks.period_grain
        and current_value.period_start = checks.period_start
        and current_value.flow = checks.flow
    left join warehouse_values as second_value
        on second_value.reporter_iso3 = checks.reporter_iso3
        and second_value.partner_iso3 = checks.partner_iso3
        and second_value.period_grain = checks.period_grain
        and second_value.period_start = checks.second_period_start
        and second_value.flow = checks.flow
    left join warehouse_values as previous_value
        on previous_value.reporter_iso3 = checks.reporter_iso3
        and previous_value.partner_iso3 = checks.partner_iso3
        and previous_value.period_grain = checks.period_grain
        and previous_value.period_start = cast({{ dbt.dateadd('year', -1, 'checks.period_start') }} as date)
        and previous_value.flow = checks.flow
    left join previous_deficits
        on previous_deficits.figure_id = checks.figure_id
        and checks.check_metric = 'previous_deficit_year'
    left join {{ ref('fct_partner_shares') }} as shares
        on shares.reporter_iso3 = checks.reporter_iso3
        and shares.partner_iso3 = checks.partner_iso3
        and shares.period_grain = checks.period_grain
        and shares.period_start = checks.period_start
        and checks.check_metric = 'export_rank'
),

matched as (
    select
        evaluated.*,
        -- News and press releases either round or cut off at the last digit they print (US$142.857 bn is
        -- reported as "142.8 bn"): both conventions count, and the row says which one matched.
        {{ published_as('warehouse_value', 'expected_value', 'rounding') }} as published_as
    from evaluated
)

select
    figure_id,
    check_metric,
    reporter_iso3,
    partner_iso3,
    flow,
    period_label,
    expected_value,
    rounding,
    rounding_basis,
    warehouse_value,
    warehouse_value - expected_value as difference,
    published_as,
    case
        when expected_value is null then 'not_applicable'
        when warehouse_value is null then 'not_reachable'
        when published_as is not null then 'reproduced'
        when lower(note) like '%preliminary%' then 'superseded_preliminary'
        else 'mismatch'
    end as status,
    case
        when expected_value is null then 'the figure states no value; its claims are checked in their own rows'
        when published_as = 'rounded' then 'the warehouse value rounds to the published figure'
        when published_as = 'truncated' then 'the warehouse value cut off at the published digits is the published figure'
        when warehouse_value is not null and lower(note) like '%preliminary%'
            then 'a preliminary release, revised since: the warehouse holds the final figure'
        when warehouse_value is not null then 'the warehouse value differs beyond the published rounding'
        when reporter_iso3 <> '{{ reporter }}'
            then {{ dbt.concat(["'the warehouse holds figures reported by " ~ reporter ~ " only, not by '", 'reporter_iso3']) }}
        -- the 3050 baseline: no data reproduces it; the proxy mart sets publicly named item families beside it
        when flow = 'import_dependence'
            then 'item list and formula unpublished: see the proxy basket in marts.fct_proxy_3050_basket'
        when coverage_start is null
            then {{ dbt.concat(["'no '", 'period_grain', "' '", 'flow', "' data for partner '", 'partner_iso3']) }}
        else {{ dbt.concat([
            "'outside the shipped '", 'period_grain', "' data for '", 'partner_iso3', "' ('",
            'cast(coverage_start as ' ~ dbt.type_string() ~ ')', "' to '",
            'cast(coverage_end as ' ~ dbt.type_string() ~ ')', "')'"]) }}
    end as reason,
    note
from matched
{% endcall %}
