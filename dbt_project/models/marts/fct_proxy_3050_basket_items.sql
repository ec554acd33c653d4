{{ config(tags=['item_marts']) }}
{#- The 3050 proxy basket, item by item: each family of seed proxy_3050_basket (its HS6 codes added up) in every
    period its source covers, with D_i = the largest supplier's share of the family's imports, or 'no data' where
    the source has no imports of the family (never a zero). A proxy: the ministry published neither its list of 185
    items nor its formula. -#}
{% call cast_to_contract() %}
with families as (
    select
        family_id,
        max(family_name) as family_name,
        max(case when is_project_hs_mapping then 1 else 0 end) = 1 as is_project_hs_mapping,
        count(*) as hs6_code_count
    from {{ ref('proxy_3050_basket') }}
    group by family_id
),

by_partner as (
    select trade.source, trade.period_grain, trade.period_start, codes.family_id, trade.partner_key,
        sum(trade.import_usd) as import_usd
    from {{ ref('fct_item_trade_by_partner') }} as trade
    inner join {{ ref('proxy_3050_basket') }} as codes
        on trade.product_level = 'hs6'
        and trade.product_code = cast(codes.hs6_code as {{ dbt.type_string() }})
    group by trade.source, trade.period_grain, trade.period_start, codes.family_id, trade.partner_key
),

family_totals as (
    select source, period_grain, period_start, family_id,
        sum(import_usd) as total_import_usd,
        max(import_usd) as top_import_usd,
        sum(case when import_usd > 0 then 1 else 0 end) as supplier_count
    from by_partner
    group by source, period_grain, period_start, family_id
),

top_suppliers as (
    -- ties: the alphabetically first of the largest suppliers
    select family_totals.source, family_totals.period_grain, family_totals.period_start, family_totals.family_id,
        min(by_partner.partner_key) as top_supplier_key
    from family_totals
    inner join by_partner
        on by_partner.source = family_totals.source
        and by_partner.period_grain = family_totals.period_grain
        and by_partner.period_start = family_totals.period_start
        and by_partner.family_id = family_totals.family_id
        and by_partner.import_usd = family_totals.top_import_usd
    group by family_totals.source, family_totals.period_grain, family_totals.period_start, family_totals.family_id
),

dependence as (
    select
        family_totals.*,
        cast(family_totals.top_import_usd as {{ type_double() }}) / family_totals.total_import_usd
            as top_supplier_share,
        top_suppliers.top_supplier_key
    from family_totals
    inner join top_suppliers
        on top_suppliers.source = family_totals.source
        and top_suppliers.period_grain = family_totals.period_grain
        and top_suppliers.period_start = family_totals.period_start
        and top_suppliers.family_id = family_totals.family_id
    where family_totals.total_import_usd > 0
),

periods as (
    -- every period of an item-level source (from the item marts' own coverage)
    select distinct source, period_grain, period_start from {{ ref('fct_item_import_dependence') }}
    where product_level = 'hs2'
)

select
    cast('{{ var("reporter_iso3") }}' as {{ dbt.type_string() }}) as reporter_iso3,
    cast(periods.source as {{ dbt.type_string() }}) as source,
    cast(periods.period_grain as {{ dbt.type_string() }}) as period_grain,
    cast(periods.period_start as date) as period_start,
    cast(families.family_id as {{ dbt.type_string() }}) as family_id,
    cast(families.family_name as {{ dbt.type_string() }}) as family_name,
    cast(families.hs6_code_count as integer) as hs6_code_count,
    cast(families.is_project_hs_mapping as boolean) as is_project_hs_mapping,
    cast(case when dependence.family_id is null then 'no data' else 'data' end as {{ dbt.type_string() }})
        as data_status,
    cast(dependence.total_import_usd as decimal(38, 6)) as total_import_usd,
    cast(dependence.supplier_count as integer) as supplier_count,
    cast(dependence.top_supplier_key as {{ dbt.type_string() }}) as top_supplier_key,
    cast(dependence.top_supplier_share as {{ type_double() }}) as top_supplier_share
from periods
cross join families
left join dependence
    on dependence.source = periods.source
    and dependence.period_grain = periods.period_grain
    and dependence.period_start = periods.period_start
    and dependence.family_id = families.family_id
{% endcall %}
