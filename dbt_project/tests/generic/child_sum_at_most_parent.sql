{#- Product hierarchy: where a finer level (e.g. HSK-10) and its parent level (e.g. HS6) are both reported for the
    same reporter, partner, flow and period, the children add up to at most the parent ("at most": the parent
    also holds the other children and confidential trade that rolls up). -#}
{% test child_sum_at_most_parent(model, child_level, parent_level, parent_code_length, group_columns) %}
with children as (
    select {{ group_columns | join(', ') }}, substring(product_code, 1, {{ parent_code_length }}) as parent_code,
        sum(value_usd) as child_sum_usd
    from {{ model }}
    where product_level = '{{ child_level }}'
    group by {{ group_columns | join(', ') }}, substring(product_code, 1, {{ parent_code_length }})
),

parents as (
    select {{ group_columns | join(', ') }}, product_code as parent_code, value_usd as parent_usd
    from {{ model }}
    where product_level = '{{ parent_level }}'
)

select children.*, parents.parent_usd
from children
inner join parents
    on {% for column in group_columns %}children.{{ column }} = parents.{{ column }} and {% endfor %}children.parent_code = parents.parent_code
where children.child_sum_usd > parents.parent_usd
{% endtest %}
