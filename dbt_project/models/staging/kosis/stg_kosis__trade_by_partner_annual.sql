select
    iso3c as partner_iso3,
    country as partner_name_en,
    cast(year as integer) as trade_year,
    cast(export_kosis as {{ dbt.type_numeric() }}) as export_usd,
    cast(import_kosis as {{ dbt.type_numeric() }}) as import_usd,
    cast(total_export as {{ dbt.type_numeric() }}) as world_export_usd,
    cast(total_import as {{ dbt.type_numeric() }}) as world_import_usd,
    cast(export_cow as {{ dbt.type_numeric() }}) as cow_export_usd,
    cast(import_cow as {{ dbt.type_numeric() }}) as cow_import_usd,
    updated_at as source_updated_at,
    _source_file,
    _file_sha256,
    _loaded_at,
    _load_id
from {{ source('kosis', 'kosis_trade_by_partner_annual') }}
