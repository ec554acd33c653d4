{#- Korea's monthly trade by partner country from every monthly source, one row per partner and month, by a
    documented precedence (var monthly_source_precedence, first wins):
      kcs_api                      KCS by-country API (final customs figures, every partner, with its balance)
      kosis_monthly_api            KOSIS DT_1R11006_FRM101 API (every partner)
      ecos_monthly                 Bank of Korea ECOS 901Y011/901Y012, shipped (selected partners, 2020-01 on)
      kosis_monthly_china          the shipped KOSIS China file (2001-01 to 2019-12)
      kosis_shipped_china_monthly  the same file, loaded by the live KOSIS asset without a key
    A month that a complete source (every partner: KCS, KOSIS API) has comes wholly from the best such source, so
    one month never mixes a full partner list with another source's; other months take each partner from its best
    listed source, and say so (partner_coverage 'listed_partners'). Only country codes: totals, unallocated codes
    and aggregates (EU) are never summed with countries. -#}
{%- set precedence = var('monthly_source_precedence') -%}
{%- set complete = var('complete_monthly_sources') -%}
with live as (
    select
        vintages.source,
        codes.country_iso3 as partner_iso3,
        vintages.period_start,
        sum(vintages.export_usd) as export_usd,
        sum(vintages.import_usd) as import_usd,
        sum(vintages.reported_balance_usd) as reported_balance_usd
    from {{ ref('int_monthly_trade_vintages') }} as vintages
    inner join {{ ref('int_kosis_partner_codes') }} as codes
        on codes.kosis_code = vintages.partner_code
    where vintages.is_latest_vintage
        and codes.code_category in ('country', 'former_country', 'legacy_alias')
    group by vintages.source, codes.country_iso3, vintages.period_start
),

ecos as (
    select
        'ecos_monthly' as source,
        partner_iso3,
        period_start,
        max(case when flow = 'export' then value_usd end) as export_usd,
        max(case when flow = 'import' then value_usd end) as import_usd,
        cast(null as {{ dbt.type_numeric() }}) as reported_balance_usd
    from {{ ref('stg_ecos__trade_by_partner_monthly') }}
    where partner_iso3 <> 'WLD'
    group by partner_iso3, period_start
),

shipped_china as (
    select
        'kosis_monthly_china' as source,
        -- an unmapped label surfaces as a NULL partner and fails the not_null test instead of vanishing
        crosswalk.country_iso3 as partner_iso3,
        monthly.period_start,
        monthly.export_usd,
        monthly.import_usd,
        cast(null as {{ dbt.type_numeric() }}) as reported_balance_usd
    from {{ ref('stg_kosis__trade_china_monthly') }} as monthly
    left join {{ ref('country_name_crosswalk') }} as crosswalk
        on crosswalk.source = 'kosis_monthly_china'
        and crosswalk.source_name = monthly.partner_label_en
),

candidates as (
    select
        unioned.*,
        case unioned.source
            {%- for source in precedence %}
                when '{{ source }}' then {{ loop.index }}
            {%- endfor %}
        end as source_precedence,
        unioned.source in ('{{ complete | join("', '") }}')
            as is_complete_source
    from (
        select * from live
        union all
        select * from ecos
        union all
        select * from shipped_china
    ) as unioned
),

ranked as (
    select
        candidates.*,
        min(case when is_complete_source then source_precedence end) over (partition by period_start)
            as month_complete_precedence,
        min(source_precedence) over (partition by partner_iso3, period_start) as partner_best_precedence
    from candidates
)

select
    '{{ var("reporter_iso3") }}' as reporter_iso3,
    partner_iso3,
    'month' as period_grain,
    period_start,
    export_usd,
    import_usd,
    reported_balance_usd,
    source,
    case when is_complete_source then 'all_partners' else 'listed_partners' end as partner_coverage
from ranked
where (month_complete_precedence is not null and source_precedence = month_complete_precedence)
    or (month_complete_precedence is null and source_precedence = partner_best_precedence)
