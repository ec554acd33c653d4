{#- Where both sides report a flow (Comtrade 2014: hydrogen fluoride, memories): the importer's CIF imports from
    the exporter beside the exporter's FOB exports to the importer. The gap after converting CIF to FOB with the
    factor var('cif_fob_factor') is flagged when it exceeds var('mirror_discrepancy_threshold') of the FOB exports. -#}
{% call cast_to_contract() %}
with trade as (
    select * from {{ ref('fct_product_trade') }}
    where source = 'comtrade_legacy' and partner_iso3 is not null and partner_iso3 <> 'WLD'
),

pairs as (
    select
        imports.reporter_iso3 as importer_iso3,
        imports.partner_iso3 as exporter_iso3,
        imports.product_code,
        imports.product_level,
        imports.period_grain,
        imports.period_start,
        imports.value_usd as import_cif_usd,
        exports.value_usd as export_fob_usd
    from trade as imports
    inner join trade as exports
        on exports.reporter_iso3 = imports.partner_iso3
        and exports.partner_iso3 = imports.reporter_iso3
        and exports.product_code = imports.product_code
        and exports.product_level = imports.product_level
        and exports.period_grain = imports.period_grain
        and exports.period_start = imports.period_start
        and exports.flow = 'export'
    where imports.flow = 'import'
)

select
    importer_iso3,
    exporter_iso3,
    product_code,
    product_level,
    period_grain,
    period_start,
    import_cif_usd,
    export_fob_usd,
    {{ mirror_gap_columns() }}
from pairs
{% endcall %}
