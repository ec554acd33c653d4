{{ config(tags=['monthly']) }}
select
    _source_label as source,
    country_code as partner_code,
    country_name_ko as partner_name_ko,
    {{ kosis_month_start('period') }} as period_start,
    cast(export_usd as {{ dbt.type_numeric() }}) as export_usd,
    cast(import_usd as {{ dbt.type_numeric() }}) as import_usd,
    cast(balance_usd as {{ dbt.type_numeric() }}) as reported_balance_usd,
    _partition,
    _loaded_at,
    _load_id
from {{ source('kcs', 'kcs_trade_by_country') }}
