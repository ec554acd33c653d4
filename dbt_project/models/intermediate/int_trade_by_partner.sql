{#- Korea's trade by partner from every source, one row per partner and period, partners as ISO3: the annual KOSIS
    file (1965-2023, rows where KOSIS published at least one flow; COW-only rows stay in staging) and every monthly
    source by its precedence (int_monthly_trade_by_partner). -#}
with annual as (
    select
        '{{ var("reporter_iso3") }}' as reporter_iso3,
        partner_iso3,
        'year' as period_grain,
        {{ year_start('trade_year') }} as period_start,
        export_usd,
        import_usd,
        cast(null as {{ dbt.type_numeric() }}) as reported_balance_usd,
        'kosis_annual' as source,
        'all_partners' as partner_coverage
    from {{ ref('stg_kosis__trade_by_partner_annual') }}
    where export_usd is not null or import_usd is not null
)

select * from annual
union all
select * from {{ ref('int_monthly_trade_by_partner') }}
