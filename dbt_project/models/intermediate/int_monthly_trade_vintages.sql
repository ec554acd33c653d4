{{ config(tags=['monthly']) }}
{#- Every vintage of every monthly figure by partner, from KCS and KOSIS, in one wide shape (USD). A vintage is
    the complete set of rows of one (source, month) load; raw keeps them all. `is_latest_vintage` marks the rows
    of each month's latest vintage, which replaces the month as a whole. -#}
with kosis as (
    select
        source,
        partner_code,
        period_start,
        max(case when flow = 'export' then value_usd end) as export_usd,
        max(case when flow = 'import' then value_usd end) as import_usd,
        cast(null as {{ dbt.type_numeric() }}) as reported_balance_usd,
        _loaded_at,
        _load_id
    from {{ ref('stg_kosis__trade_by_country_monthly') }}
    group by source, partner_code, period_start, _loaded_at, _load_id
),

kcs as (
    select
        source,
        partner_code,
        period_start,
        export_usd,
        import_usd,
        reported_balance_usd,
        _loaded_at,
        _load_id
    from {{ ref('stg_kcs__trade_by_country') }}
),

unioned as (
    select * from kcs
    union all
    select * from kosis
),

month_vintages as (
    select
        source,
        period_start,
        _loaded_at,
        row_number() over (partition by source, period_start order by _loaded_at) as vintage_number,
        count(*) over (partition by source, period_start) as month_vintage_count
    from (select distinct source, period_start, _loaded_at from unioned) as loads
)

select
    unioned.source,
    unioned.partner_code,
    unioned.period_start,
    unioned.export_usd,
    unioned.import_usd,
    unioned.reported_balance_usd,
    unioned._loaded_at,
    unioned._load_id,
    month_vintages.vintage_number,
    month_vintages.month_vintage_count,
    month_vintages.vintage_number = month_vintages.month_vintage_count as is_latest_vintage
from unioned
inner join month_vintages
    on month_vintages.source = unioned.source
    and month_vintages.period_start = unioned.period_start
    and month_vintages._loaded_at = unioned._loaded_at
