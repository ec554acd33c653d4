{#- Every row satisfies the boolean expression (a NULL result is not testable and passes). Narrow the rows
    under test with the standard `config: where:`. Failing rows are returned for inspection. -#}
{% test expression_is_true(model, expression) %}
select *
from {{ model }}
where not ({{ expression }})
{% endtest %}
