{#- Each partner's share of Korea's reported world exports and imports, its rank as export destination and import
    source, and the change on the same period a year earlier (the same month, for months). Years and months.
    rank_basis says what a rank is among: 'all_partners' (a source that lists every partner) or 'listed_partners'
    (ECOS lists selected partners only: a rank there is a rank among those, never a full rank). A share is of the
    publisher's reported world total; NULL where none is reported (ECOS has no world imports). -#}
{% call cast_to_contract() %}
with trade as (
    select
        trade.reporter_iso3,
        trade.partner_iso3,
        trade.period_grain,
        trade.period_start,
        trade.export_usd,
        trade.import_usd,
        trade.source,
        trade.partner_coverage as rank_basis,
        cast(trade.export_usd as {{ type_double() }}) / nullif(totals.reported_export_usd, 0) as export_share,
        cast(trade.import_usd as {{ type_double() }}) / nullif(totals.reported_import_usd, 0) as import_share
    from {{ ref('fct_bilateral_trade') }} as trade
    left join {{ ref('fct_trade_totals') }} as totals
        on totals.reporter_iso3 = trade.reporter_iso3
        and totals.period_grain = trade.period_grain
        and totals.period_start = trade.period_start
),

ranked as (
    select
        trade.*,
        -- partners without a published figure get no rank rather than a last place
        case when export_usd is not null then rank() over (
            partition by reporter_iso3, period_grain, period_start, case when export_usd is null then 1 else 0 end
            order by export_usd desc
        ) end as export_rank,
        case when import_usd is not null then rank() over (
            partition by reporter_iso3, period_grain, period_start, case when import_usd is null then 1 else 0 end
            order by import_usd desc
        ) end as import_rank
    from trade
)

select
    current_period.reporter_iso3,
    current_period.partner_iso3,
    current_period.period_grain,
    current_period.period_start,
    current_period.export_usd,
    current_period.import_usd,
    current_period.export_share,
    current_period.import_share,
    current_period.export_rank,
    current_period.import_rank,
    current_period.rank_basis,
    current_period.source,
    cast(current_period.export_usd as {{ type_double() }}) / nullif(previous_period.export_usd, 0) - 1
        as export_yoy_change,
    cast(current_period.import_usd as {{ type_double() }}) / nullif(previous_period.import_usd, 0) - 1
        as import_yoy_change,
    current_period.export_share - previous_period.export_share as export_share_yoy_change,
    current_period.import_share - previous_period.import_share as import_share_yoy_change
from ranked as current_period
left join ranked as previous_period
    on previous_period.reporter_iso3 = current_period.reporter_iso3
    and previous_period.partner_iso3 = current_period.partner_iso3
    and previous_period.period_grain = current_period.period_grain
    and previous_period.period_start = cast({{ dbt.dateadd('year', -1, 'current_period.period_start') }} as date)
{% endcall %}
