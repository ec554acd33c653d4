{#- The product-level figures in the seed product_reference_figures beside the warehouse's values: reproduced
    (rounded or cut off at the published digits), mismatch (a failing test) or not reachable. -#}
{% call cast_to_contract() %}
with figures as (
    select
        figures.*,
        {{ year_start('figures.period') }} as period_start
    from {{ ref('product_reference_figures') }} as figures
),

evaluated as (
    select
        figures.*,
        case figures.metric
            when 'value_usd' then trade.value_usd
            when 'supplier_share' then shares.supplier_share
        end as warehouse_value
    from figures
    left join {{ ref('fct_product_trade') }} as trade
        on figures.metric = 'value_usd'
        and trade.reporter_iso3 = figures.reporter_iso3
        and trade.partner_iso3 = figures.partner_iso3
        and trade.product_code = figures.product_code
        and trade.product_level = figures.product_level
        and trade.flow = figures.flow
        and trade.period_grain = 'year'
        and trade.period_start = figures.period_start
    left join {{ ref('fct_import_supplier_shares') }} as shares
        on figures.metric = 'supplier_share'
        and shares.reporter_iso3 = figures.reporter_iso3
        and shares.partner_iso3 = figures.partner_iso3
        and shares.product_code = figures.product_code
        and shares.product_level = figures.product_level
        and shares.period_grain = 'year'
        and shares.period_start = figures.period_start
),

matched as (
    select
        evaluated.*,
        {{ published_as('warehouse_value', 'expected_value', 'rounding') }} as published_as
    from evaluated
)

select
    figure_id,
    reporter_iso3,
    partner_iso3,
    product_code,
    product_level,
    flow,
    metric,
    period,
    expected_value,
    rounding,
    warehouse_value,
    warehouse_value - expected_value as difference,
    published_as,
    case
        when warehouse_value is null then 'not_reachable'
        when published_as is not null then 'reproduced'
        else 'mismatch'
    end as status,
    source
from matched
{% endcall %}
