{{ config(tags=['item_marts']) }}
{#- The 3050 headline as a documented proxy, per source and period: the simple mean of D_i over the basket's
    families with data (the ministry's literal "average"; its text: 70 % in 2022, to fall to <= 50 % by 2030), the
    import-weighted mean and the median beside it, and the distance to the target. Families without data are
    counted, not zeroed. -#}
with items as (
    select * from {{ ref('fct_proxy_3050_basket_items') }}
)

select
    reporter_iso3,
    source,
    period_grain,
    period_start,
    count(*) as family_count,
    sum(case when data_status = 'data' then 1 else 0 end) as families_with_data,
    avg(top_supplier_share) as mean_top_supplier_share,
    sum(top_supplier_share * total_import_usd) / nullif(sum(total_import_usd), 0)
        as weighted_mean_top_supplier_share,
    {{ item_median('top_supplier_share') }} as median_top_supplier_share,
    sum(case when top_supplier_share > {{ var('dependence_target_share') }} then 1 else 0 end)
        as families_above_target,
    {{ var('dependence_target_share') }} as target_share,
    {{ var('proxy_3050_baseline_share') }} as published_2022_average_share,
    avg(top_supplier_share) - {{ var('dependence_target_share') }} as mean_distance_to_target,
    sum(total_import_usd) as basket_import_usd
from items
group by reporter_iso3, source, period_grain, period_start
