{#- When one of Korea's leading partners (var crossover_partners) moves above another, per flow and grain: each
    period in which `partner_above` has the larger figure after not having it in the pair's previous period, and
    the last earlier period in which it had been above (NULL: not since the pair's series starts, series_start).
    "Was the US above China as export destination in December 2023, for the first time since June 2003?" is one
    query. Pairs are compared only in periods where both have a figure from fct_bilateral_trade. -#}
{%- set partners = var('crossover_partners') -%}
{% call cast_to_contract() %}
with flows as (
    select reporter_iso3, partner_iso3, period_grain, period_start, 'export' as flow, export_usd as value_usd, source
    from {{ ref('fct_bilateral_trade') }}
    where partner_iso3 in ('{{ partners | join("', '") }}') and export_usd is not null
    union all
    select reporter_iso3, partner_iso3, period_grain, period_start, 'import' as flow, import_usd as value_usd, source
    from {{ ref('fct_bilateral_trade') }}
    where partner_iso3 in ('{{ partners | join("', '") }}') and import_usd is not null
),

pairs as (
    select
        a.reporter_iso3,
        a.flow,
        a.period_grain,
        a.period_start,
        a.partner_iso3 as partner_above,
        b.partner_iso3 as partner_below,
        a.value_usd as value_above_usd,
        b.value_usd as value_below_usd,
        a.source as source_above,
        b.source as source_below,
        case when a.value_usd > b.value_usd then 1 else 0 end as is_above
    from flows as a
    inner join flows as b
        on b.reporter_iso3 = a.reporter_iso3
        and b.flow = a.flow
        and b.period_grain = a.period_grain
        and b.period_start = a.period_start
        and b.partner_iso3 <> a.partner_iso3
),

sequenced as (
    select
        pairs.*,
        lag(is_above) over (
            partition by reporter_iso3, flow, period_grain, partner_above, partner_below order by period_start
        ) as was_above,
        lag(period_start) over (
            partition by reporter_iso3, flow, period_grain, partner_above, partner_below order by period_start
        ) as previous_period_start,
        max(case when is_above = 1 then period_start end) over (
            partition by reporter_iso3, flow, period_grain, partner_above, partner_below order by period_start
            rows between unbounded preceding and 1 preceding
        ) as last_above_period_start,
        min(period_start) over (
            partition by reporter_iso3, flow, period_grain, partner_above, partner_below
        ) as series_start
    from pairs
)

select
    reporter_iso3,
    flow,
    period_grain,
    period_start,
    partner_above,
    partner_below,
    value_above_usd,
    value_below_usd,
    previous_period_start,
    last_above_period_start,
    series_start,
    source_above,
    source_below
from sequenced
where is_above = 1 and was_above = 0
{% endcall %}
