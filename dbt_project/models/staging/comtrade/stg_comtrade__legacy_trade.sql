select
    "Classification" as classification,
    cast("Year" as integer) as trade_year,
    "Period" as period_label,
    cast("Aggregate Level" as integer) as aggregate_level,
    cast("Trade Flow Code" as integer) as flow_code,
    "Reporter Code" as reporter_code,
    "Reporter" as reporter_name,
    "Partner Code" as partner_code,
    "Partner" as partner_name,
    "Commodity Code" as product_code,
    "Commodity" as product_description,
    cast("Netweight (kg)" as {{ dbt.type_numeric() }}) as net_weight_kg,
    cast("Trade Value (US$)" as {{ dbt.type_numeric() }}) as value_usd,
    "Flag" as estimation_flag,
    _hs_code_repaired as is_code_repaired,
    _source_file,
    _row_number
from {{ source('comtrade', 'comtrade_legacy_trade') }}
