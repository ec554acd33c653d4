{{ config(tags=['item_marts']) }}
{#- Korea's HSK-10 item trade by partner and month from every item-level source, one row per source, item,
    partner and month (USD; exports FOB, imports CIF; kg), with the time its rows were loaded (_loaded_at: the
    KITA file's load, or the KCS month's latest vintage). partner_key is the partner's ISO3, or 'kcs:<code>' where
    a KCS code has none (`ZZ` others, ...). _loaded_at is a grouping column (one value per load), so a filter on it
    reaches the raw scan: the incremental marts find the changed months without aggregating everything. -#}
with kita as (
    select
        'kita_hsk10' as source,
        kita.product_code,
        crosswalk.country_iso3 as partner_key,
        kita.period_start,
        -- KITA spells one partner two ways (Netherland, Netherlands): add them up under the one ISO3
        sum(kita.export_usd) as export_usd,
        sum(kita.export_kg) as export_kg,
        sum(kita.import_usd) as import_usd,
        sum(kita.import_kg) as import_kg,
        kita._loaded_at
    from {{ ref('stg_kita__trade_by_partner_monthly') }} as kita
    inner join {{ ref('country_name_crosswalk') }} as crosswalk
        on crosswalk.source = 'kita_hsk10'
        and crosswalk.source_name = kita.partner_name
    group by kita.product_code, crosswalk.country_iso3, kita.period_start, kita._loaded_at
),

kcs_latest as (
    -- a month's latest vintage replaces the month as a whole
    select source, _partition, max(_loaded_at) as latest_loaded_at
    from {{ ref('stg_kcs__trade_by_item_country') }}
    group by source, _partition
),

kcs as (
    select
        items.source,
        items.product_code,
        coalesce(codes.country_iso3, {{ dbt.concat(["'kcs:'", 'items.partner_code']) }}) as partner_key,
        items.period_start,
        sum(items.export_usd) as export_usd,
        sum(items.export_kg) as export_kg,
        sum(items.import_usd) as import_usd,
        sum(items.import_kg) as import_kg,
        items._loaded_at
    from {{ ref('stg_kcs__trade_by_item_country') }} as items
    inner join kcs_latest
        on kcs_latest.source = items.source
        and kcs_latest._partition = items._partition
        and kcs_latest.latest_loaded_at = items._loaded_at
    left join {{ ref('int_kosis_partner_codes') }} as codes
        on codes.kosis_code = items.partner_code
    group by
        items.source, items.product_code,
        coalesce(codes.country_iso3, {{ dbt.concat(["'kcs:'", 'items.partner_code']) }}), items.period_start,
        items._loaded_at
)

select * from kita
union all
select * from kcs
