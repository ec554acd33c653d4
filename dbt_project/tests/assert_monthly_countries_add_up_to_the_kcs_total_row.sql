{{ config(meta={"dagster": {"ref": {"name": "fct_trade_totals"}}}) }}
{#- For every month whose total comes from KCS: read the latest KCS vintage straight from raw, and check
    1. Σ country rows + Σ unallocated-code rows = the 총계 row itself (within 1 USD per row of rounding);
    2. fct_trade_totals carries that 총계 row as the reported total, and its unallocated_coded_* and Σ partners are
       the raw rows' (countries only: aggregates such as EU are not summed with countries).
    Any row returned is a failure. -#}
with raw_rows as (
    select
        country_code,
        {{ month_start('period') }} as period_start,
        export_usd,
        import_usd,
        _loaded_at,
        max(_loaded_at) over (partition by _partition) as latest_loaded_at
    from {{ source('kcs', 'kcs_trade_by_country') }}
),

latest as (
    select raw_rows.*, codes.code_category
    from raw_rows
    left join {{ ref('int_kosis_partner_codes') }} as codes
        on codes.kosis_code = raw_rows.country_code
    where raw_rows._loaded_at = raw_rows.latest_loaded_at
),

per_month as (
    select
        period_start,
        max(case when country_code = '총계' then export_usd end) as total_row_export,
        max(case when country_code = '총계' then import_usd end) as total_row_import,
        sum(case when code_category in ('country', 'former_country', 'legacy_alias') then export_usd else 0 end)
            as country_export,
        sum(case when code_category in ('country', 'former_country', 'legacy_alias') then import_usd else 0 end)
            as country_import,
        sum(
            case when code_category in ('unallocated', 'non_geographic', 'international_org') then export_usd else 0 end
        ) as unallocated_export,
        sum(
            case when code_category in ('unallocated', 'non_geographic', 'international_org') then import_usd else 0 end
        ) as unallocated_import,
        sum(case when country_code <> '총계' then 1 else 0 end) as record_count
    from latest
    group by period_start
)

select per_month.*, totals.reported_export_usd, totals.partner_export_usd, totals.unallocated_coded_export_usd
from per_month
inner join {{ ref('fct_trade_totals') }} as totals
    on totals.period_grain = 'month'
    and totals.period_start = per_month.period_start
    and totals.source = 'kcs_api'
where
    abs(per_month.country_export + per_month.unallocated_export - per_month.total_row_export)
    > per_month.record_count
    or abs(per_month.country_import + per_month.unallocated_import - per_month.total_row_import)
    > per_month.record_count
    or totals.reported_export_usd <> per_month.total_row_export
    or totals.reported_import_usd <> per_month.total_row_import
    or totals.unallocated_coded_export_usd <> per_month.unallocated_export
    or totals.partner_export_usd <> per_month.country_export
    or totals.partner_import_usd <> per_month.country_import
