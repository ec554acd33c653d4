select
    "Item" as product_code,
    "Country" as partner_name,
    cast("Year" as integer) as trade_year,
    cast("Month" as integer) as trade_month,
    cast({{ dbt.concat(["cast(\"Year\" as " ~ dbt.type_string() ~ ")", "'-'",
        "lpad(cast(\"Month\" as " ~ dbt.type_string() ~ "), 2, '0')", "'-01'"]) }} as date) as period_start,
    cast("Export_dollar" as {{ dbt.type_numeric() }}) as export_usd,
    cast("Export_weight" as {{ dbt.type_numeric() }}) as export_kg,
    cast("Import_dollar" as {{ dbt.type_numeric() }}) as import_usd,
    cast("Import_weight" as {{ dbt.type_numeric() }}) as import_kg,
    _hs_code_repaired as is_code_repaired,
    _source_file,
    _row_number
from {{ source('kita', 'kita_hsk10_trade_by_partner_monthly') }}
