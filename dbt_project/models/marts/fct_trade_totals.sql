{#- Reported world totals beside the sum over partners. The gap is kept as an explicit unallocated residual:
    KOSIS partner codes without ISO3 (ZZ/ZY "others", EU, ...) are not in the partner series. -#}
with partner_sums as (
    select
        reporter_iso3,
        period_grain,
        period_start,
        sum(export_usd) as partner_export_usd,
        sum(import_usd) as partner_import_usd,
        count(*) as partner_count
    from {{ ref('fct_bilateral_trade') }}
    group by reporter_iso3, period_grain, period_start
),

totals as (
    select
        totals.reporter_iso3,
        totals.period_grain,
        totals.period_start,
        totals.reported_export_usd,
        totals.reported_import_usd,
        totals.reported_export_usd - totals.reported_import_usd as reported_balance_usd,
        coalesce(partner_sums.partner_export_usd, 0) as partner_export_usd,
        coalesce(partner_sums.partner_import_usd, 0) as partner_import_usd,
        coalesce(partner_sums.partner_count, 0) as partner_count,
        totals.source
    from {{ ref('int_trade_world_totals') }} as totals
    left join partner_sums
        on partner_sums.reporter_iso3 = totals.reporter_iso3
        and partner_sums.period_grain = totals.period_grain
        and partner_sums.period_start = totals.period_start
)

select
    reporter_iso3,
    period_grain,
    period_start,
    reported_export_usd,
    reported_import_usd,
    reported_balance_usd,
    partner_export_usd,
    partner_import_usd,
    reported_export_usd - partner_export_usd as unallocated_export_usd,
    reported_import_usd - partner_import_usd as unallocated_import_usd,
    cast(reported_export_usd - partner_export_usd as {{ type_double() }})
        / nullif(reported_export_usd, 0) as unallocated_export_share,
    cast(reported_import_usd - partner_import_usd as {{ type_double() }})
        / nullif(reported_import_usd, 0) as unallocated_import_share,
    partner_count,
    source
from totals
