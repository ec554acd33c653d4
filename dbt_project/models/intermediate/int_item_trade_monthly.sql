{{ config(tags=['item_marts']) }}
{#- Korea's HSK-10 item trade by partner and month from every item-level source, one row per source, item,
    partner and month (USD; exports FOB, imports CIF; kg). partner_key is the partner's ISO3, or
    '<source>:<code>' where the source's partner has none (KCS `ZZ` others, ...). The item marts read this.
    Vars min_date/max_date (a month window, as the monthly models) bound the months read: the incremental marts
    rebuild only the months of the window and the years they fall in. -#}
{%- set window_start = item_window_start() -%}
{%- set window_end = item_window_end() %}
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
        sum(kita.import_kg) as import_kg
    from {{ ref('stg_kita__trade_by_partner_monthly') }} as kita
    inner join {{ ref('country_name_crosswalk') }} as crosswalk
        on crosswalk.source = 'kita_hsk10'
        and crosswalk.source_name = kita.partner_name
    where kita.period_start >= {{ window_start }} and kita.period_start < {{ window_end }}
    group by kita.product_code, crosswalk.country_iso3, kita.period_start
),

kcs as (
    select
        'kcs_nitemtrade' as source,
        items.product_code,
        coalesce(codes.country_iso3, {{ dbt.concat(["'kcs:'", 'items.partner_code']) }}) as partner_key,
        items.period_start,
        sum(items.export_usd) as export_usd,
        sum(items.export_kg) as export_kg,
        sum(items.import_usd) as import_usd,
        sum(items.import_kg) as import_kg
    from {{ ref('stg_kcs__trade_by_item_country') }} as items
    left join {{ ref('int_kosis_partner_codes') }} as codes
        on codes.kosis_code = items.partner_code
    where items.period_start >= {{ window_start }} and items.period_start < {{ window_end }}
    group by items.product_code, coalesce(codes.country_iso3, {{ dbt.concat(["'kcs:'", 'items.partner_code']) }}),
        items.period_start
)

select * from kita
union all
select * from kcs
