{{ config(tags=['monthly']) }}
{#- Every vintage of every monthly figure by partner, from KCS and KOSIS, in one wide shape (USD). A vintage is
    one load that changed the month (raw keeps them all). -#}
with kosis as (
    select
        'kosis_monthly_api' as source,
        partner_code,
        period_start,
        max(case when flow = 'export' then value_usd end) as export_usd,
        max(case when flow = 'import' then value_usd end) as import_usd,
        cast(null as {{ dbt.type_numeric() }}) as reported_balance_usd,
        _loaded_at,
        _load_id
    from {{ ref('stg_kosis__trade_by_country_monthly') }}
    group by partner_code, period_start, _loaded_at, _load_id
)

select
    'kcs_api' as source,
    partner_code,
    period_start,
    export_usd,
    import_usd,
    reported_balance_usd,
    _loaded_at,
    _load_id
from {{ ref('stg_kcs__trade_by_country') }}
union all
select * from kosis
