{#- A roll-up loses and invents nothing: per group (e.g. source, period), the sum of `value_column` is the same at
    every product level as at the finest one, within `tolerance` (float sums). Returns the groups that differ. -#}
{% test levels_add_up(model, value_column, group_columns, finest_level, tolerance=0.5) %}
with sums as (
    select {{ group_columns | join(', ') }}, product_level, sum({{ value_column }}) as level_sum
    from {{ model }}
    group by {{ group_columns | join(', ') }}, product_level
),

finest as (
    select * from sums where product_level = '{{ finest_level }}'
)

select sums.*, finest.level_sum as finest_sum
from sums
inner join finest
    on {% for column in group_columns %}sums.{{ column }} = finest.{{ column }}{% if not loop.last %} and {% endif %}{% endfor %}
where abs(coalesce(sums.level_sum, 0) - coalesce(finest.level_sum, 0)) > {{ tolerance }}
{% endtest %}
