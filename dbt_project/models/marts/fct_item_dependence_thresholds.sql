{{ config(tags=['item_marts']) }}
{#- The published threshold counts of import dependence, recomputed over every item with imports, per source,
    product level, and period (the publishers count items per year; the MOTIE count needs a year's imports):
    - KITA: items whose top supplier has >= 80 % of imports, their count and share of all items;
    - MOTIE: HSK-10 items with imports >= US$10 m and a top-supplier share >= 75 % and >= 90 %;
    - KIET: 'watch' (관심) items, China's share >= 50 % and a deficit with China on the item, and 'vulnerable' (취약)
      items, China's share >= 70 % and the deficit.
    Thresholds are dbt vars (dbt_project.yml). These are the project's recomputations from published definitions,
    not the publishers' own item lists. -#}
with items as (
    select * from {{ ref('fct_item_import_dependence') }}
)

select
    reporter_iso3,
    source,
    product_level,
    period_grain,
    period_start,
    count(*) as item_count,
    sum(case when top_supplier_share >= {{ var('kita_dependence_share') }} then 1 else 0 end)
        as kita_items_top_share_at_least_80,
    cast(sum(case when top_supplier_share >= {{ var('kita_dependence_share') }} then 1 else 0 end)
        as {{ type_double() }}) / count(*) as kita_share_of_items_top_share_at_least_80,
    sum(case when total_import_usd >= {{ var('motie_min_import_usd') }}
        and top_supplier_share >= {{ var('motie_dependence_share') }} then 1 else 0 end)
        as motie_items_10m_top_share_at_least_75,
    sum(case when total_import_usd >= {{ var('motie_min_import_usd') }}
        and top_supplier_share >= {{ var('motie_high_dependence_share') }} then 1 else 0 end)
        as motie_items_10m_top_share_at_least_90,
    sum(case when china_share >= {{ var('kiet_watch_china_share') }} and china_export_usd < china_import_usd
        then 1 else 0 end) as kiet_watch_items,
    sum(case when china_share >= {{ var('kiet_vulnerable_china_share') }} and china_export_usd < china_import_usd
        then 1 else 0 end) as kiet_vulnerable_items
from items
group by reporter_iso3, source, product_level, period_grain, period_start
