{{ config(meta={"dagster": {"ref": {"name": "fct_trade_revisions"}}}) }}
{#- fct_trade_revisions recomputed straight from the raw KCS table by another route (aggregates over the load
    times instead of ranking vintages): the first and latest export and import of each partner and month, and the
    number of loads. Any row returned is a disagreement. -#}
with raw_rows as (
    select
        -- the 총계 row is the total code 00 downstream (stg_kcs__trade_by_country)
        case when country_code = '총계' then '00' else country_code end as partner_code,
        {{ month_start('period') }} as period_start,
        _loaded_at,
        export_usd,
        import_usd
    from {{ source('kcs', 'kcs_trade_by_country') }}
),

loads as (
    select
        period_start,
        min(_loaded_at) as first_at,
        max(_loaded_at) as latest_at,
        count(distinct _loaded_at) as loads
    from raw_rows
    group by period_start
),

expected as (
    select
        partners.partner_code,
        partners.period_start,
        loads.loads,
        (
            select max(r.export_usd) from raw_rows as r
            where r.partner_code = partners.partner_code
                and r.period_start = partners.period_start and r._loaded_at = loads.first_at
        ) as first_export,
        (
            select max(r.export_usd) from raw_rows as r
            where r.partner_code = partners.partner_code
                and r.period_start = partners.period_start and r._loaded_at = loads.latest_at
        ) as latest_export,
        (
            select max(r.import_usd) from raw_rows as r
            where r.partner_code = partners.partner_code
                and r.period_start = partners.period_start and r._loaded_at = loads.latest_at
        ) as latest_import
    from (select distinct partner_code, period_start from raw_rows) as partners
    inner join loads on loads.period_start = partners.period_start
)

select expected.*, revisions.vintage_count, revisions.first_export_usd, revisions.latest_export_usd
from expected
left join {{ ref('fct_trade_revisions') }} as revisions
    on revisions.source = 'kcs_api'
    and revisions.partner_code = expected.partner_code
    and revisions.period_start = expected.period_start
where revisions.partner_code is null
    or revisions.vintage_count <> expected.loads
    or coalesce(revisions.first_export_usd, -1) <> coalesce(expected.first_export, -1)
    or coalesce(revisions.latest_export_usd, -1) <> coalesce(expected.latest_export, -1)
    or coalesce(revisions.latest_import_usd, -1) <> coalesce(expected.latest_import, -1)
    or coalesce(revisions.export_revision_usd, -1) <> coalesce(expected.latest_export - expected.first_export, -1)
