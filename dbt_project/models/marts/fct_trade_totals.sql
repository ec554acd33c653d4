{#- Reported world totals beside the sum over partner countries, per year and per month. The gap is kept as an
    explicit unallocated residual (reported - Σ countries): partner codes without a country (ZZ/ZY "others", ...)
    are not in the partner series, and aggregates (EU) are never summed with countries. Where the publisher itself
    books trade to unallocated codes (KCS, KOSIS API), unallocated_coded_* is that figure, summed from those rows.
    A monthly total comes from the best source with a total row (see int_trade_world_totals); ECOS has world
    exports only, so its months have no reported imports (NULL). -#}
{% call cast_to_contract() %}
with partner_sums as (
    select
        reporter_iso3,
        period_grain,
        period_start,
        sum(export_usd) as partner_export_usd,
        sum(import_usd) as partner_import_usd,
        count(*) as partner_count,
        max(case when partner_coverage = 'listed_partners' then 1 else 0 end) as has_listed_only
    from {{ ref('fct_bilateral_trade') }}
    group by reporter_iso3, period_grain, period_start
)

select
    totals.reporter_iso3,
    totals.period_grain,
    totals.period_start,
    totals.reported_export_usd,
    totals.reported_import_usd,
    coalesce(totals.published_balance_usd, totals.reported_export_usd - totals.reported_import_usd)
        as reported_balance_usd,
    totals.published_balance_usd,
    coalesce(partner_sums.partner_export_usd, 0) as partner_export_usd,
    coalesce(partner_sums.partner_import_usd, 0) as partner_import_usd,
    totals.reported_export_usd - coalesce(partner_sums.partner_export_usd, 0) as unallocated_export_usd,
    totals.reported_import_usd - coalesce(partner_sums.partner_import_usd, 0) as unallocated_import_usd,
    cast(totals.reported_export_usd - coalesce(partner_sums.partner_export_usd, 0) as {{ type_double() }})
        / nullif(totals.reported_export_usd, 0) as unallocated_export_share,
    cast(totals.reported_import_usd - coalesce(partner_sums.partner_import_usd, 0) as {{ type_double() }})
        / nullif(totals.reported_import_usd, 0) as unallocated_import_share,
    totals.unallocated_coded_export_usd,
    totals.unallocated_coded_import_usd,
    coalesce(partner_sums.partner_count, 0) as partner_count,
    case when partner_sums.has_listed_only = 1 then 'listed_partners' else 'all_partners' end as partner_coverage,
    totals.source
from {{ ref('int_trade_world_totals') }} as totals
left join partner_sums
    on partner_sums.reporter_iso3 = totals.reporter_iso3
    and partner_sums.period_grain = totals.period_grain
    and partner_sums.period_start = totals.period_start
{% endcall %}
