{#- Country-level mirror statistics, per (importer, exporter, year): the importer's reported CIF imports from the
    exporter beside the exporter's reported FOB exports to the importer, the gap after converting CIF to FOB with
    var('cif_fob_factor'), flagged above var('mirror_discrepancy_threshold') of the FOB exports (as fct_mirror_trade).

    One value per side, by precedence among the sources that published a figure for that (reporter, partner, flow,
    year): 1. the reporter's national figures in the warehouse (Korea: fct_bilateral_trade's annual rows, KOSIS),
    2. UN Comtrade (the reporter's own submission, as reported), 3. IMF IMTS (which also carries IMF estimates for
    countries that do not report). So Korea's imports from X (KOSIS) are paired with X's exports to Korea (Comtrade,
    else IMF), and X's imports from Korea (Comtrade, else IMF) with Korea's exports to X (KOSIS). A pair exists
    only where both sides published a figure. -#}
{% call cast_to_contract() %}
with national as (
    select reporter_iso3, partner_iso3, period_start, 'export' as flow, export_usd as value_usd, source,
        1 as source_precedence
    from {{ ref('fct_bilateral_trade') }}
    where period_grain = 'year' and export_usd is not null
    union all
    select reporter_iso3, partner_iso3, period_start, 'import' as flow, import_usd as value_usd, source,
        1 as source_precedence
    from {{ ref('fct_bilateral_trade') }}
    where period_grain = 'year' and import_usd is not null
),

live as (
    select reporter_iso3, partner_iso3, period_start, flow, value_usd, source,
        case source when 'comtrade_api' then 2 when 'imf_imts_api' then 3 else 4 end as source_precedence
    from {{ ref('int_country_trade_flows') }}
    where value_usd is not null
        and reporter_iso3 is not null and reporter_iso3 <> 'WLD'
        and partner_iso3 is not null and partner_iso3 <> 'WLD'
),

reported as (
    select * from national
    union all
    select * from live
),

ranked as (
    select
        reported.*,
        row_number() over (
            partition by reporter_iso3, partner_iso3, period_start, flow
            order by source_precedence, source
        ) as precedence_rank,
        count(*) over (partition by reporter_iso3, partner_iso3, period_start, flow) as source_count
    from reported
),

chosen as (
    select * from ranked where precedence_rank = 1
),

pairs as (
    select
        imports.reporter_iso3 as importer_iso3,
        imports.partner_iso3 as exporter_iso3,
        imports.period_start,
        imports.value_usd as import_cif_usd,
        imports.source as import_source,
        imports.source_count as import_source_count,
        exports.value_usd as export_fob_usd,
        exports.source as export_source,
        exports.source_count as export_source_count
    from chosen as imports
    inner join chosen as exports
        on exports.reporter_iso3 = imports.partner_iso3
        and exports.partner_iso3 = imports.reporter_iso3
        and exports.period_start = imports.period_start
        and exports.flow = 'export'
    where imports.flow = 'import'
)

select
    importer_iso3,
    exporter_iso3,
    'year' as period_grain,
    period_start,
    import_cif_usd,
    export_fob_usd,
    import_source,
    export_source,
    import_source_count,
    export_source_count,
    {{ mirror_gap_columns() }}
from pairs
{% endcall %}
