{{ config(tags=['monthly']) }}
{#- KCS keeps its 총계 (total) row as a row of its own (sources/kcs_api.py, keep_total): it becomes the KOSIS total
    code `00`, category total, so it is never summed with countries. -#}
select
    _source_label as source,
    case when country_code = '총계' then '00' else country_code end as partner_code,
    country_name_ko as partner_name_ko,
    {{ month_start('period') }} as period_start,
    cast(export_usd as {{ dbt.type_numeric() }}) as export_usd,
    cast(import_usd as {{ dbt.type_numeric() }}) as import_usd,
    cast(balance_usd as {{ dbt.type_numeric() }}) as reported_balance_usd,
    _partition,
    _loaded_at,
    _load_id
from {{ source('kcs', 'kcs_trade_by_country') }}
