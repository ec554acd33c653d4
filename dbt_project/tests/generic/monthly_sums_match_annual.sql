{#- Where a series has all twelve months of a year and the annual figure, the months add up to the year within
    `tolerance` (in the value's unit). Only complete years are compared; partial years are not a failure. -#}
{% test monthly_sums_match_annual(model, value_columns, key_columns, tolerance) %}
with monthly as (
    select {{ key_columns | join(', ') }}, extract(year from period_start) as period_year, count(*) as month_count
    {%- for column in value_columns %}, sum({{ column }}) as {{ column }}{% endfor %}
    from {{ model }}
    where period_grain = 'month'
    group by {{ key_columns | join(', ') }}, extract(year from period_start)
),
annual as (
    select {{ key_columns | join(', ') }}, extract(year from period_start) as period_year
    {%- for column in value_columns %}, {{ column }}{% endfor %}
    from {{ model }}
    where period_grain = 'year'
)
select monthly.*{% for column in value_columns %}, annual.{{ column }} as annual_{{ column }}{% endfor %}
from monthly
join annual
    on {% for key in key_columns %}monthly.{{ key }} = annual.{{ key }} and {% endfor %}monthly.period_year = annual.period_year
where monthly.month_count = 12
  and ({% for column in value_columns %}abs(monthly.{{ column }} - annual.{{ column }}) > {{ tolerance }}{% if not loop.last %} or {% endif %}{% endfor %})
{% endtest %}
