{#- Every vintage of UN Comtrade final data of trade with Korea (both sides), USD. Rename and cast only: the
    latest vintage and the code mapping are chosen in int_country_trade_flows. -#}
select
    _source_label as source,
    type_code,
    freq_code,
    period,
    reporter_code,
    reporter_iso,
    flow_code,
    partner_code,
    partner_iso,
    partner2_code,
    cmd_code,
    customs_code,
    mot_code,
    {{ double_to_numeric("primary_value") }} as primary_value_usd,
    {{ double_to_numeric("cif_value") }} as cif_value_usd,
    {{ double_to_numeric("fob_value") }} as fob_value_usd,
    is_reported,
    is_aggregate,
    value_unit,
    _partition,
    _loaded_at,
    _load_id
from {{ source('comtrade', 'comtrade_trade_by_partner') }}
