{#- Country-level annual trade with Korea from the live yearly sources, one value per source: one row per
    (source, reporter, partner, flow, year) from each (source, year) load's latest vintage, which replaces the year
    as a whole. Both sides of the mirror: Korea-reported and partner-reported. A year is taken from its own
    partition only (an observation for another year, sent by a server that ignored the window, stays in staging).
    Codes the publisher uses for aggregates (IMF G998, Comtrade EU 97 …) keep a NULL ISO3; World is WLD. -#}
with comtrade_latest as (
    select source, _partition, max(_loaded_at) as _loaded_at
    from {{ ref('stg_comtrade__trade_by_partner') }}
    group by source, _partition
),

imf_latest as (
    select source, _partition, max(_loaded_at) as _loaded_at
    from {{ ref('stg_imf__imts_trade') }}
    group by source, _partition
),

comtrade as (
    select
        rows.source,
        rows.reporter_code,
        reporter.country_iso3 as reporter_iso3,
        rows.partner_code,
        partner.country_iso3 as partner_iso3,
        case rows.flow_code when 'X' then 'export' when 'M' then 'import' end as flow,
        rows.period as trade_year,
        -- the valuation a mirror compares: CIF for imports, FOB for exports, where Comtrade publishes it;
        -- else the reporter's primary value
        case
            when rows.flow_code = 'M' then coalesce(rows.cif_value_usd, rows.primary_value_usd)
            else coalesce(rows.fob_value_usd, rows.primary_value_usd)
        end as value_usd,
        case
            when rows.flow_code = 'M' and rows.cif_value_usd is not null then 'cif'
            when rows.flow_code = 'X' and rows.fob_value_usd is not null then 'fob'
            else 'primary_value'
        end as value_basis,
        rows._partition,
        rows._loaded_at
    from {{ ref('stg_comtrade__trade_by_partner') }} as rows
    inner join comtrade_latest as latest
        on latest.source = rows.source
        and latest._partition = rows._partition
        and latest._loaded_at = rows._loaded_at
    left join {{ ref('int_comtrade_area_iso3') }} as reporter
        on reporter.un_code = rows.reporter_code
    left join {{ ref('int_comtrade_area_iso3') }} as partner
        on partner.un_code = rows.partner_code
    -- the totals the asset asks for: goods, annual, all commodities, no second partner, customs or transport breakdown
    where rows.type_code = 'C'
        and rows.freq_code = 'A'
        and rows.cmd_code = 'TOTAL'
        and rows.flow_code in ('X', 'M')
        and coalesce(rows.partner2_code, '0') = '0'
        and coalesce(rows.customs_code, 'C00') = 'C00'
        and coalesce(rows.mot_code, '0') = '0'
        and rows.period = rows._partition
),

country_codes as (
    select country_iso3 from {{ ref('stg_reference__country_codes') }}
    union
    select country_iso3 from {{ ref('country_code_extensions') }}
),

imf as (
    select
        rows.source,
        rows.reporter_code,
        case when rows.reporter_code = 'G001' then 'WLD' else reporters.country_iso3 end as reporter_iso3,
        rows.counterpart_code as partner_code,
        case when rows.counterpart_code = 'G001' then 'WLD' else partners.country_iso3 end as partner_iso3,
        case rows.indicator when 'XG_FOB_USD' then 'export' when 'MG_CIF_USD' then 'import' end as flow,
        rows.time_period as trade_year,
        rows.value_usd,
        case rows.indicator when 'XG_FOB_USD' then 'fob' when 'MG_CIF_USD' then 'cif' end as value_basis,
        rows._partition,
        rows._loaded_at
    from {{ ref('stg_imf__imts_trade') }} as rows
    inner join imf_latest as latest
        on latest.source = rows.source
        and latest._partition = rows._partition
        and latest._loaded_at = rows._loaded_at
    left join country_codes as reporters
        on reporters.country_iso3 = rows.reporter_code
    left join country_codes as partners
        on partners.country_iso3 = rows.counterpart_code
    where rows.frequency = 'A'
        and rows.indicator in ('XG_FOB_USD', 'MG_CIF_USD')
        and rows.time_period = rows._partition
),

unioned as (
    select * from comtrade
    union all
    select * from imf
)

select
    source,
    reporter_code,
    reporter_iso3,
    partner_code,
    partner_iso3,
    flow,
    'year' as period_grain,
    {{ year_start('trade_year') }} as period_start,
    value_usd,
    value_basis,
    _partition,
    _loaded_at as vintage_loaded_at
from unioned
