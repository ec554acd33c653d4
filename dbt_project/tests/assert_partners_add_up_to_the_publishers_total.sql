{{ config(meta={"dagster": {"ref": {"name": "fct_trade_totals"}}}) }}
{#- Σ partners against the publisher's own world total (the KOSIS file's total_export/total_import, carried on
    every partner row), recomputed from staging, not from the marts:
    1. the partners (rows with an ISO3 and a figure) add up to the reported total within a documented bound:
       KOSIS lists partners by ISO3 only, so codes without one (ZZ others, EU, ...) are missing. Observed since
       1990: at most 2.3 % of imports and 1.0 % of exports; before 1990 up to 10.6 % (1966 exports). Bound: 5 %
       since 1990, 12 % before.
    2. fct_trade_totals carries the same reported total and the same residual (reported - Σ partners).
    Any row returned is a failure. -#}
with partner_rows as (
    select
        trade_year,
        max(world_export_usd) as reported_export_usd,
        max(world_import_usd) as reported_import_usd,
        sum(export_usd) as partner_export_usd,
        sum(import_usd) as partner_import_usd
    from {{ ref('stg_kosis__trade_by_partner_annual') }}
    where trade_year >= 1965
    group by trade_year
),

checked as (
    select
        partner_rows.*,
        case when partner_rows.trade_year >= 1990 then 0.05 else 0.12 end as bound,
        totals.reported_export_usd as mart_reported_export_usd,
        totals.reported_import_usd as mart_reported_import_usd,
        totals.unallocated_export_usd,
        totals.unallocated_import_usd
    from partner_rows
    left join {{ ref('fct_trade_totals') }} as totals
        on totals.period_grain = 'year'
        and totals.period_start = {{ year_start('partner_rows.trade_year') }}
)

select *
from checked
where abs(reported_export_usd - partner_export_usd) > bound * reported_export_usd
    or abs(reported_import_usd - partner_import_usd) > bound * reported_import_usd
    or mart_reported_export_usd is null
    or mart_reported_export_usd <> reported_export_usd
    or mart_reported_import_usd <> reported_import_usd
    or unallocated_export_usd <> reported_export_usd - partner_export_usd
    or unallocated_import_usd <> reported_import_usd - partner_import_usd
