{{ config(tags=['monthly']) }}
select
    country_code as partner_code,
    country_name_ko as partner_name_ko,
    cast({{ dbt.concat(["replace(period, '.', '-')", "'-01'"]) }} as date) as period_start,
    cast(export_usd as {{ dbt.type_numeric() }}) as export_usd,
    cast(import_usd as {{ dbt.type_numeric() }}) as import_usd,
    cast(balance_usd as {{ dbt.type_numeric() }}) as reported_balance_usd,
    _partition,
    _loaded_at,
    _load_id
from {{ source('kcs', 'kcs_trade_by_country') }}
