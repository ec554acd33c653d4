{#- Where both sides report a flow (Comtrade 2014: hydrogen fluoride, memories): the importer's CIF imports from
    the exporter beside the exporter's FOB exports to the importer. The gap after converting CIF to FOB with the
    factor var('cif_fob_factor') is flagged when it exceeds var('mirror_discrepancy_threshold') of the FOB exports. -#}
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
    import_cif_usd - export_fob_usd as gap_usd,
    cast(import_cif_usd as {{ type_double() }}) / {{ var('cif_fob_factor') }} as import_fob_equivalent_usd,
    cast(import_cif_usd as {{ type_double() }}) / {{ var('cif_fob_factor') }} - export_fob_usd as adjusted_gap_usd,
    (cast(import_cif_usd as {{ type_double() }}) / {{ var('cif_fob_factor') }} - export_fob_usd)
        / nullif(export_fob_usd, 0) as adjusted_gap_ratio,
    coalesce(
        abs(cast(import_cif_usd as {{ type_double() }}) / {{ var('cif_fob_factor') }} - export_fob_usd)
            > {{ var('mirror_discrepancy_threshold') }} * export_fob_usd,
        true
    ) as is_discrepant,
    {{ var('cif_fob_factor') }} as cif_fob_factor,
    {{ var('mirror_discrepancy_threshold') }} as discrepancy_threshold
from pairs
