{{ config(meta={"dagster": {"ref": {"name": "fct_bilateral_trade"}}}) }}
{#- A partner-year with twelve months from the monthly sources other than the shipped KOSIS China file (KCS,
    KOSIS API, ECOS; any mix by precedence) agrees with the shipped annual KOSIS file within the year's unallocated
    residual for that flow (|reported world total - Σ partners|, fct_trade_totals), and at least the 6,500 USD of
    monthly rounding. A month revised after the annual file was published moves the sum by its revision; a
    wrong month (a unit slip, a swapped partner) moves it by far more. Any row returned is a failure. -#}
with months as (
    select
        partner_iso3,
        extract(year from period_start) as period_year,
        count(*) as month_count,
        sum(export_usd) as export_usd,
        sum(import_usd) as import_usd,
        sum(case when export_usd is null then 1 else 0 end) as export_gaps,
        sum(case when import_usd is null then 1 else 0 end) as import_gaps
    from {{ ref('fct_bilateral_trade') }}
    where period_grain = 'month' and source <> 'kosis_monthly_china'
    group by partner_iso3, extract(year from period_start)
),

annual as (
    select
        trade.partner_iso3,
        extract(year from trade.period_start) as period_year,
        trade.export_usd,
        trade.import_usd,
        abs(totals.unallocated_export_usd) as export_residual,
        abs(totals.unallocated_import_usd) as import_residual
    from {{ ref('fct_bilateral_trade') }} as trade
    inner join {{ ref('fct_trade_totals') }} as totals
        on totals.period_grain = 'year' and totals.period_start = trade.period_start
    where trade.period_grain = 'year'
)

select
    months.*,
    annual.export_usd as annual_export_usd,
    annual.import_usd as annual_import_usd,
    annual.export_residual,
    annual.import_residual
from months
inner join annual
    on annual.partner_iso3 = months.partner_iso3 and annual.period_year = months.period_year
where months.month_count = 12
    and (
        (
            months.export_gaps = 0 and abs(months.export_usd - annual.export_usd)
            > case when annual.export_residual > 6500 then annual.export_residual else 6500 end
        )
        or (
            months.import_gaps = 0 and abs(months.import_usd - annual.import_usd)
            > case when annual.import_residual > 6500 then annual.import_residual else 6500 end
        )
    )
