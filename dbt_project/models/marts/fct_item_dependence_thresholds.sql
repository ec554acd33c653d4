{{ config(tags=['item_marts']) }}
{#- The published threshold counts of import dependence, recomputed over every item with imports, per source,
    product level, and period (the publishers count items per year; the MOTIE count needs a year's imports):
    - KITA: items whose top supplier has >= 80 % of imports, their count and share of all items;
    - MOTIE: HSK-10 items with imports >= US$10 m and a top-supplier share >= 75 % and >= 90 %;
    - KIET: 'watch' (관심) items, China's share >= 50 % and a deficit with China on the item, and 'vulnerable' (취약)
      items, China's share >= 70 % and the deficit.
    Thresholds are dbt vars (dbt_project.yml). These are the project's recomputations from published definitions,
    not the publishers' own item lists. -#}
{% call cast_to_contract() %}
with items as (
    select * from {{ ref('fct_item_import_dependence') }}
)

select
    cast(reporter_iso3 as {{ dbt.type_string() }}) as reporter_iso3,
    cast(source as {{ dbt.type_string() }}) as source,
    cast(product_level as {{ dbt.type_string() }}) as product_level,
    cast(period_grain as {{ dbt.type_string() }}) as period_grain,
    cast(period_start as date) as period_start,
    cast(count(*) as integer) as item_count,
    cast(sum(case when top_supplier_share >= {{ var('kita_dependence_share') }} then 1 else 0 end) as integer)
        as kita_items_top_share_at_least_80,
    cast(cast(sum(case when top_supplier_share >= {{ var('kita_dependence_share') }} then 1 else 0 end)
        as {{ type_double() }}) / count(*) as {{ type_double() }}) as kita_share_of_items_top_share_at_least_80,
    cast(sum(case when total_import_usd >= {{ var('motie_min_import_usd') }}
        and top_supplier_share >= {{ var('motie_dependence_share') }} then 1 else 0 end) as integer)
        as motie_items_10m_top_share_at_least_75,
    cast(sum(case when total_import_usd >= {{ var('motie_min_import_usd') }}
        and top_supplier_share >= {{ var('motie_high_dependence_share') }} then 1 else 0 end) as integer)
        as motie_items_10m_top_share_at_least_90,
    cast(sum(case when china_share >= {{ var('kiet_watch_china_share') }} and china_export_usd < china_import_usd
        then 1 else 0 end) as integer) as kiet_watch_items,
    cast(sum(case when china_share >= {{ var('kiet_vulnerable_china_share') }}
        and china_export_usd < china_import_usd then 1 else 0 end) as integer) as kiet_vulnerable_items
from items
group by reporter_iso3, source, product_level, period_grain, period_start
{% endcall %}
