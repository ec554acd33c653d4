{#- Every critical item (seed critical_items) in every period the basket covers, with its import dependence for
    Korea, or status 'no data' where the shipped data has none: an item without data is never a zero. -#}
{% call cast_to_contract() %}
with items as (
    select
        cast(item_code as {{ dbt.type_string() }}) as item_code,
        product_level,
        item_name,
        basket_group,
        source as item_source
    from {{ ref('critical_items') }}
),

dependence as (
    select * from {{ ref('fct_import_dependence') }}
    where reporter_iso3 = '{{ var("reporter_iso3") }}'
),

periods as (
    select distinct dependence.period_grain, dependence.period_start
    from dependence
    inner join items
        on items.item_code = dependence.product_code
        and items.product_level = dependence.product_level
)

select
    items.item_code,
    items.product_level,
    items.item_name,
    items.basket_group,
    periods.period_grain,
    periods.period_start,
    case when dependence.product_code is null then 'no data' else 'data' end as data_status,
    dependence.total_import_usd,
    dependence.total_basis,
    dependence.top_supplier_key,
    dependence.top_supplier_share,
    dependence.china_share,
    dependence.japan_share,
    dependence.hhi,
    dependence.is_top_supplier_share_at_least_target,
    items.item_source
from items
cross join periods
left join dependence
    on dependence.product_code = items.item_code
    and dependence.product_level = items.product_level
    and dependence.period_grain = periods.period_grain
    and dependence.period_start = periods.period_start
{% endcall %}
