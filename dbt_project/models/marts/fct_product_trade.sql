{{ config(
    materialized='incremental',
    on_schema_change='fail',
    **replace_by_period_config(['source'])
) }}
{#- Product-level trade, one row per reporter, partner, product, flow and period. partner_iso3 = 'WLD' is a
    reported World total (Comtrade), not a partner; partner_key 'comtrade:<code>' an area n.e.s. (no ISO3). Unit value is USD per kg where a weight was reported.
    Incremental by source (macros/item_macros.sql): a build rebuilds the sources whose raw file was reloaded since
    this mart was built (read from the staging tables' load times, not from the product rows), so a month of
    another feed does not re-read the KITA file. -#}
{%- set loads -%}
    (
        select 'kita_hsk10' as source, _loaded_at as vintage_loaded_at
        from {{ ref('stg_kita__trade_by_partner_monthly') }}
        union all
        select 'comtrade_legacy' as source, _loaded_at as vintage_loaded_at
        from {{ ref('stg_comtrade__legacy_trade') }}
    )
{%- endset -%}
{%- set changed = changed_sources(loads) %}
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
    classification,
    source_loaded_at as vintage_loaded_at,
    '{{ invocation_id }}' as dbt_invocation_id
from {{ ref('int_product_trade') }}
where {{ sources_predicate(changed) }}
{% endcall %}
