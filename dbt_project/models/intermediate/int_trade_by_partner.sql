{#- Korea's trade by partner from every KOSIS series, one row per partner and period, partners as ISO3.
    Annual rows are kept where KOSIS published at least one flow (1965-2023); COW-only rows stay in staging. -#}
with annual as (
    select
        partner_iso3,
        'year' as period_grain,
        {{ year_start('trade_year') }} as period_start,
        export_usd,
        import_usd,
        'kosis_annual' as source
    from {{ ref('stg_kosis__trade_by_partner_annual') }}
    where export_usd is not null or import_usd is not null
),

monthly as (
    select
        crosswalk.country_iso3 as partner_iso3,
        'month' as period_grain,
        monthly.period_start,
        monthly.export_usd,
        monthly.import_usd,
        'kosis_monthly' as source
    from {{ ref('stg_kosis__trade_china_monthly') }} as monthly
    -- left join: an unmapped label surfaces as a NULL partner and fails the not_null test instead of vanishing
    left join {{ ref('country_name_crosswalk') }} as crosswalk
        on crosswalk.source = 'kosis_monthly_china'
        and crosswalk.source_name = monthly.partner_label_en
)

select '{{ var("reporter_iso3") }}' as reporter_iso3, annual.* from annual
union all
select '{{ var("reporter_iso3") }}' as reporter_iso3, monthly.* from monthly
