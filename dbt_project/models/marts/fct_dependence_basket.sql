{#- The critical-items basket against the 3050 Strategy's line (top-supplier share <= target by 2030), per period:
    mean top-supplier share, simple and weighted by import value, over the items with data; how many items are at
    or above the target; the distance to it (positive = above the line). Items without data are counted, not zeroed. -#}
{%- set target = var('dependence_target_share') -%}
{% call cast_to_contract() %}
with items as (
    select * from {{ ref('fct_dependence_basket_items') }}
),

basket as (
    select
        period_grain,
        period_start,
        count(*) as item_count,
        sum(case when data_status = 'data' then 1 else 0 end) as items_with_data,
        sum(case when data_status = 'no data' then 1 else 0 end) as items_without_data,
        {{ exact_avg('top_supplier_share') }} as mean_top_supplier_share,
        {{ exact_sum('top_supplier_share * total_import_usd') }} / nullif(sum(total_import_usd), 0)
            as weighted_mean_top_supplier_share,
        sum(case when is_top_supplier_share_at_least_target then 1 else 0 end) as items_at_or_above_target,
        sum(total_import_usd) as basket_import_usd
    from items
    group by period_grain, period_start
)

select
    period_grain,
    period_start,
    item_count,
    items_with_data,
    items_without_data,
    mean_top_supplier_share,
    weighted_mean_top_supplier_share,
    items_at_or_above_target,
    {{ target }} as target_share,
    mean_top_supplier_share - {{ target }} as mean_distance_to_target,
    weighted_mean_top_supplier_share - {{ target }} as weighted_distance_to_target,
    basket_import_usd
from basket
{% endcall %}
