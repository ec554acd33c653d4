{#- Every vintage of IMF IMTS observations of trade with Korea (both sides). Rename and cast only: OBS_VALUE is
    already USD (SCALE is carried, never applied); the latest vintage is chosen in int_country_trade_flows. -#}
select
    _source_label as source,
    country as reporter_code,
    indicator,
    counterpart_country as counterpart_code,
    frequency,
    time_period,
    {{ double_to_numeric("value") }} as value_usd,
    unit,
    scale,
    _partition,
    _loaded_at,
    _load_id
from {{ source('imf', 'imf_imts_trade') }}
