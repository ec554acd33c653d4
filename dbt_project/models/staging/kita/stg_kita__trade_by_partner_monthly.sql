select
    {{ adapter.quote("Item") }} as product_code,
    {{ adapter.quote("Country") }} as partner_name,
    cast({{ adapter.quote("Year") }} as integer) as trade_year,
    cast({{ adapter.quote("Month") }} as integer) as trade_month,
    {{ month_start_from_parts(adapter.quote("Year"), adapter.quote("Month")) }} as period_start,
    cast({{ adapter.quote("Export_dollar") }} as {{ dbt.type_numeric() }}) as export_usd,
    cast({{ adapter.quote("Export_weight") }} as {{ dbt.type_numeric() }}) as export_kg,
    cast({{ adapter.quote("Import_dollar") }} as {{ dbt.type_numeric() }}) as import_usd,
    cast({{ adapter.quote("Import_weight") }} as {{ dbt.type_numeric() }}) as import_kg,
    _hs_code_repaired as is_code_repaired,
    _source_file,
    _row_number,
    _loaded_at
from {{ source('kita', 'kita_hsk10_trade_by_partner_monthly') }}
