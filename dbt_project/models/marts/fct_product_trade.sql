{#- Product-level trade, one row per reporter, partner, product, flow and period. partner_iso3 = 'WLD' is a
    reported World total (Comtrade), not a partner; partner_key 'comtrade:<code>' an area n.e.s. (no ISO3). Unit value is USD per kg where a weight was reported. -#}
{% call cast_to_contract() %}
select
    reporter_iso3,
    partner_key,
    partner_iso3,
    product_code,
    product_level,
    flow,
    period_grain,
    period_start,
    value_usd,
    net_weight_kg,
    cast(value_usd as {{ type_double() }}) / nullif(net_weight_kg, 0) as unit_value_usd_per_kg,
    source,
    classification
from {{ ref('int_product_trade') }}
{% endcall %}
