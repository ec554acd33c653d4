{{ config(tags=['item_marts']) }}
{#- The 3050 headline as a documented proxy, per source and period: the simple mean of D_i over the basket's
    families with data (the ministry's literal "average"; its text: 70 % in 2022, to fall to <= 50 % by 2030), the
    import-weighted mean and the median beside it, and the distance to the target. Families without data are
    counted, not zeroed. -#}
{% call cast_to_contract() %}
with items as (
    select * from {{ ref('fct_proxy_3050_basket_items') }}
)

select
    cast(reporter_iso3 as {{ dbt.type_string() }}) as reporter_iso3,
    cast(source as {{ dbt.type_string() }}) as source,
    cast(period_grain as {{ dbt.type_string() }}) as period_grain,
    cast(period_start as date) as period_start,
    cast(count(*) as integer) as family_count,
    cast(sum(case when data_status = 'data' then 1 else 0 end) as integer) as families_with_data,
    {{ exact_avg('top_supplier_share') }} as mean_top_supplier_share,
    cast({{ exact_sum('top_supplier_share * total_import_usd') }} / nullif(sum(total_import_usd), 0) as {{ type_double() }})
        as weighted_mean_top_supplier_share,
    cast({{ item_median('top_supplier_share') }} as {{ type_double() }}) as median_top_supplier_share,
    cast(sum(case when top_supplier_share > {{ var('dependence_target_share') }} then 1 else 0 end) as integer)
        as families_above_target,
    cast({{ var('dependence_target_share') }} as {{ type_double() }}) as target_share,
    cast({{ var('proxy_3050_baseline_share') }} as {{ type_double() }}) as published_2022_average_share,
    cast({{ exact_avg('top_supplier_share') }} - {{ var('dependence_target_share') }} as {{ type_double() }})
        as mean_distance_to_target,
    cast(sum(total_import_usd) as decimal(38, 6)) as basket_import_usd
from items
group by reporter_iso3, source, period_grain, period_start
{% endcall %}
