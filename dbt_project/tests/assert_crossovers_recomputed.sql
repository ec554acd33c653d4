{{ config(meta={"dagster": {"ref": {"name": "fct_partner_crossovers"}}}) }}
{#- Every crossover row re-read from fct_bilateral_trade: in its period partner_above has the larger figure, in the
    pair's previous period it did not, no period with both figures lies in between, and in last_above_period_start
    it was above. Any row returned is a failure. -#}
with flows as (
    select partner_iso3, period_grain, period_start, 'export' as flow, export_usd as value_usd
    from {{ ref('fct_bilateral_trade') }}
    union all
    select partner_iso3, period_grain, period_start, 'import' as flow, import_usd as value_usd
    from {{ ref('fct_bilateral_trade') }}
)

select crossovers.*
from {{ ref('fct_partner_crossovers') }} as crossovers
left join flows as above_now
    on above_now.partner_iso3 = crossovers.partner_above and above_now.flow = crossovers.flow
    and above_now.period_grain = crossovers.period_grain and above_now.period_start = crossovers.period_start
left join flows as below_now
    on below_now.partner_iso3 = crossovers.partner_below and below_now.flow = crossovers.flow
    and below_now.period_grain = crossovers.period_grain and below_now.period_start = crossovers.period_start
left join flows as above_before
    on above_before.partner_iso3 = crossovers.partner_above and above_before.flow = crossovers.flow
    and above_before.period_grain = crossovers.period_grain
    and above_before.period_start = crossovers.previous_period_start
left join flows as below_before
    on below_before.partner_iso3 = crossovers.partner_below and below_before.flow = crossovers.flow
    and below_before.period_grain = crossovers.period_grain
    and below_before.period_start = crossovers.previous_period_start
left join flows as above_last
    on above_last.partner_iso3 = crossovers.partner_above and above_last.flow = crossovers.flow
    and above_last.period_grain = crossovers.period_grain
    and above_last.period_start = crossovers.last_above_period_start
left join flows as below_last
    on below_last.partner_iso3 = crossovers.partner_below and below_last.flow = crossovers.flow
    and below_last.period_grain = crossovers.period_grain
    and below_last.period_start = crossovers.last_above_period_start
where not (above_now.value_usd > below_now.value_usd)
    or not (above_before.value_usd <= below_before.value_usd)
    or (crossovers.last_above_period_start is not null and not (above_last.value_usd > below_last.value_usd))
