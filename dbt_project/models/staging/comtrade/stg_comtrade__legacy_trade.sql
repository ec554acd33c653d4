select
    {{ adapter.quote("Classification") }} as classification,
    cast({{ adapter.quote("Year") }} as integer) as trade_year,
    {{ adapter.quote("Period") }} as period_label,
    cast({{ adapter.quote("Aggregate Level") }} as integer) as aggregate_level,
    cast({{ adapter.quote("Trade Flow Code") }} as integer) as flow_code,
    {{ adapter.quote("Reporter Code") }} as reporter_code,
    {{ adapter.quote("Reporter") }} as reporter_name,
    {{ adapter.quote("Partner Code") }} as partner_code,
    {{ adapter.quote("Partner") }} as partner_name,
    {{ adapter.quote("Commodity Code") }} as product_code,
    {{ adapter.quote("Commodity") }} as product_description,
    cast({{ adapter.quote("Netweight (kg)") }} as {{ dbt.type_numeric() }}) as net_weight_kg,
    cast({{ adapter.quote("Trade Value (US$)") }} as {{ dbt.type_numeric() }}) as value_usd,
    {{ adapter.quote("Flag") }} as estimation_flag,
    _hs_code_repaired as is_code_repaired,
    _source_file,
    _row_number
from {{ source('comtrade', 'comtrade_legacy_trade') }}
