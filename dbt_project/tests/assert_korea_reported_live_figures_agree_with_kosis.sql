{{ config(meta={"dagster": {"ref": {"name": "int_country_trade_flows"}}}) }}
{#- Korea's own figures through UN Comtrade or IMF IMTS (the live yearly sources) against the same flow in KOSIS
    (fct_bilateral_trade): both republish Korea Customs Service data, so they agree closely (Comtrade 2023+2024:
    exports to China −0.1 %, to the USA +0.5 %; IMF 2024 exports to China 0.08 %, seed reference_figures). A flow
    above US$1 bn that differs by more than 10 % is a wrong unit, a swapped flow or a mis-mapped partner code in
    the live path. Any row returned is such a flow. -#}
with kosis as (
    select partner_iso3, period_start, 'export' as flow, export_usd as kosis_usd
    from {{ ref('fct_bilateral_trade') }}
    where period_grain = 'year' and reporter_iso3 = '{{ var("reporter_iso3") }}'
    union all
    select partner_iso3, period_start, 'import' as flow, import_usd as kosis_usd
    from {{ ref('fct_bilateral_trade') }}
    where period_grain = 'year' and reporter_iso3 = '{{ var("reporter_iso3") }}'
)

select live.source, live.partner_iso3, live.flow, live.period_start, live.value_usd, kosis.kosis_usd
from {{ ref('int_country_trade_flows') }} as live
inner join kosis
    on kosis.partner_iso3 = live.partner_iso3
    and kosis.period_start = live.period_start
    and kosis.flow = live.flow
where live.reporter_iso3 = '{{ var("reporter_iso3") }}'
    and kosis.kosis_usd >= 1000000000
    and abs(live.value_usd - kosis.kosis_usd) > 0.10 * kosis.kosis_usd
