{{ config(meta={"dagster": {"ref": {"name": "fct_dependence_basket"}}}) }}
{#- The basket's counts against the seed and the product facts, not against each other: every period counts every
    item of the seed critical_items, and the items with data are the seed items whose imports in fct_product_trade
    have a total for that period (counted here from the facts, not from fct_dependence_basket_items): KITA's HSK-10
    rows list every partner (their sum is the total); a Comtrade HS6 item needs its World row (the Japan-only
    KJimport extracts have none). -#}
with seed_items as (
    select cast(item_code as {{ dbt.type_string() }}) as item_code, product_level from {{ ref('critical_items') }}
),

with_imports as (
    select trade.period_grain, trade.period_start, count(distinct seed_items.item_code) as items
    from {{ ref('fct_product_trade') }} as trade
    inner join seed_items
        on seed_items.item_code = trade.product_code
        and seed_items.product_level = trade.product_level
    where trade.flow = 'import' and trade.reporter_iso3 = '{{ var("reporter_iso3") }}' and trade.value_usd > 0
        and (trade.product_level = 'hsk10' or trade.partner_iso3 = 'WLD')
    group by trade.period_grain, trade.period_start
)

select basket.*, (select count(*) from seed_items) as seed_item_count, with_imports.items as items_with_imports
from {{ ref('fct_dependence_basket') }} as basket
left join with_imports
    on with_imports.period_grain = basket.period_grain
    and with_imports.period_start = basket.period_start
where basket.item_count <> (select count(*) from seed_items)
    or basket.items_with_data <> coalesce(with_imports.items, 0)
