{#- Every product code a fact can carry: the HS 2022 nomenclature (HS2/HS4/HS6 with section), the HSK-10 items
    mapped to their HS6 parent, and older-HS codes seen in the facts but absent from HS 2022. -#}
{% call cast_to_contract() %}
with nomenclature as (
    select product_code, product_level, description, parent_code, section
    from {{ ref('stg_reference__hs_codes') }}
    where product_level <> 'total'
),

-- The fact's distinct codes first (a few thousand), then their names: the fact has a row per partner and month.
fact_codes as (
    select
        product_code,
        max(case when product_level = 'hsk10' then 1 else 0 end) as has_hsk10_rows,
        min(case when product_level <> 'hsk10' then product_level end) as other_level
    from {{ ref('fct_product_trade') }}
    group by product_code
),

hsk_items as (
    select
        codes.product_code,
        'hsk10' as product_level,
        coalesce(items.item_name, {{ dbt.concat(["'HSK '", 'codes.product_code']) }}) as description,
        substring(codes.product_code, 1, 6) as parent_code,
        hs6.section
    from fact_codes as codes
    left join {{ ref('critical_items') }} as items
        on cast(items.item_code as {{ dbt.type_string() }}) = codes.product_code
    left join nomenclature as hs6
        on hs6.product_code = substring(codes.product_code, 1, 6)
    where codes.has_hsk10_rows = 1
),

-- HS 2017 (H5) or HS 2012 (H4) codes of the Comtrade files that HS 2022 no longer has.
older_hs as (
    select
        codes.product_code,
        min(codes.other_level) as product_level,
        min(descriptions.product_description) as description,
        substring(codes.product_code, 1, 4) as parent_code,
        min(hs4.section) as section
    from fact_codes as codes
    left join {{ ref('stg_comtrade__legacy_trade') }} as descriptions
        on descriptions.product_code = codes.product_code
    left join nomenclature as hs4
        on hs4.product_code = substring(codes.product_code, 1, 4)
    where codes.other_level is not null
        and codes.product_code not in (select product_code from nomenclature)
    group by codes.product_code
),

products as (
    select product_code, product_level, description, parent_code, section, 'HS2022' as nomenclature
    from nomenclature
    union all
    select product_code, product_level, description, parent_code, section, 'HSK' as nomenclature
    from hsk_items
    union all
    select product_code, product_level, description, parent_code, section, 'HS2012/HS2017 (not in HS2022)'
    from older_hs
)

select
    products.product_code,
    products.product_level,
    products.description,
    products.parent_code,
    substring(products.product_code, 1, 2) as hs2_code,
    case when length(products.product_code) >= 4 then substring(products.product_code, 1, 4) end as hs4_code,
    case when length(products.product_code) >= 6 then substring(products.product_code, 1, 6) end as hs6_code,
    products.section,
    sections.section_name,
    products.nomenclature
from products
left join {{ ref('stg_reference__hs_sections') }} as sections
    on sections.section = products.section
{% endcall %}
