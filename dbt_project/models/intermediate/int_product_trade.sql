{#- Product-level trade from every source in one long shape: one row per reporter, partner, product, flow and
    period. KITA months are also rolled up to years the item has all twelve months of. partner_key is the
    partner's ISO3, or 'comtrade:<code>' for a Comtrade area that is not a country (partner_iso3 NULL).
    source_loaded_at: when the raw rows behind the row were loaded (the product marts rebuild a source reloaded since
    they were built). -#}
with kita_monthly as (
    select
        '{{ var("reporter_iso3") }}' as reporter_iso3,
        crosswalk.country_iso3 as partner_iso3,
        kita.product_code,
        kita.period_start,
        -- KITA spells one partner two ways (Netherland, Netherlands): add them up under the one ISO3
        sum(kita.export_usd) as export_usd,
        sum(kita.export_kg) as export_kg,
        sum(kita.import_usd) as import_usd,
        sum(kita.import_kg) as import_kg,
        max(kita._loaded_at) as source_loaded_at
    from {{ ref('stg_kita__trade_by_partner_monthly') }} as kita
    left join {{ ref('country_name_crosswalk') }} as crosswalk
        on crosswalk.source = 'kita_hsk10'
        and crosswalk.source_name = kita.partner_name
    group by crosswalk.country_iso3, kita.product_code, kita.period_start
),

kita_complete_years as (
    select product_code, extract(year from period_start) as trade_year
    from kita_monthly
    group by product_code, extract(year from period_start)
    having count(distinct extract(month from period_start)) = 12
),

kita_periods as (
    select
        reporter_iso3, partner_iso3, product_code, 'month' as period_grain, period_start,
        export_usd, export_kg, import_usd, import_kg, source_loaded_at
    from kita_monthly
    union all
    select
        kita_monthly.reporter_iso3, kita_monthly.partner_iso3, kita_monthly.product_code, 'year' as period_grain,
        {{ year_start('kita_complete_years.trade_year') }} as period_start,
        sum(kita_monthly.export_usd) as export_usd,
        sum(kita_monthly.export_kg) as export_kg,
        sum(kita_monthly.import_usd) as import_usd,
        sum(kita_monthly.import_kg) as import_kg,
        max(kita_monthly.source_loaded_at) as source_loaded_at
    from kita_monthly
    inner join kita_complete_years
        on kita_complete_years.product_code = kita_monthly.product_code
        and kita_complete_years.trade_year = extract(year from kita_monthly.period_start)
    group by
        kita_monthly.reporter_iso3, kita_monthly.partner_iso3, kita_monthly.product_code,
        kita_complete_years.trade_year
),

kita as (
    {%- for flow in ['export', 'import'] %}
        select
            reporter_iso3, partner_iso3, partner_iso3 as partner_key, product_code, 'hsk10' as product_level,
            '{{ flow }}' as flow,
            period_grain, period_start, {{ flow }}_usd as value_usd, {{ flow }}_kg as net_weight_kg,
            'kita_hsk10' as source, 'HSK' as classification, source_loaded_at
        from kita_periods
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

comtrade as (
    select
        reporters.country_iso3 as reporter_iso3,
        partners.country_iso3 as partner_iso3,
        -- areas without an ISO3 ("North America and Central America, nes", ...) keep their Comtrade code
        coalesce(partners.country_iso3, {{ dbt.concat(["'comtrade:'", 'trade.partner_code']) }}) as partner_key,
        trade.product_code,
        case trade.aggregate_level when 2 then 'hs2' when 4 then 'hs4' when 6 then 'hs6' else 'total' end
            as product_level,
        case trade.flow_code
            when 1 then 'import'
            when 2 then 'export'
            when 3 then 're_export'
            when 4 then 're_import'
        end as flow,
        case when length(trade.period_label) = 6 then 'month' else 'year' end as period_grain,
        case
            when length(trade.period_label) = 6 then {{ month_start('trade.period_label') }}
            else {{ year_start('trade.trade_year') }}
        end as period_start,
        trade.value_usd,
        trade.net_weight_kg,
        'comtrade_legacy' as source,
        trade.classification,
        trade._loaded_at as source_loaded_at
    from {{ ref('stg_comtrade__legacy_trade') }} as trade
    left join {{ ref('int_comtrade_area_iso3') }} as reporters on reporters.un_code = trade.reporter_code
    left join {{ ref('int_comtrade_area_iso3') }} as partners on partners.un_code = trade.partner_code
)

select * from kita
union all
select * from comtrade
