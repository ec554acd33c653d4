{#- The marts' contracts (config `contract: {enforced: true}` in dbt_project.yml): the model's YAML is the one home
    of each served column's name and type. Wrapping a mart's query in

        {% call cast_to_contract() %} ...the model's query... {% endcall %}

    selects every declared column cast to its declared `data_type`, so DuckDB and Spark serve the same types whatever
    their arithmetic yields (DuckDB sums BIGINT to HUGEINT, Spark widens decimals differently). The query must
    produce exactly the declared columns: one produced but not declared (it would be dropped) or declared but not
    produced fails the build here, naming them. dbt's own contract check then verifies the types. -#}
{% macro cast_to_contract() -%}
    {%- set query = caller() -%}
    {%- set declared = model.columns.values() | list -%}
    {%- if execute -%}
        {%- set produced = get_column_schema_from_query(query) | map(attribute='name') | map('lower') | list -%}
        {%- set declared_names = declared | map(attribute='name') | map('lower') | list -%}
        {%- set undeclared = produced | reject('in', declared_names) | list -%}
        {%- set missing = declared_names | reject('in', produced) | list -%}
        {%- if undeclared or missing -%}
            {{ exceptions.raise_compiler_error(
                "Contract of " ~ model.name ~ ": the query's columns differ from its YAML. Produced but not declared: "
                ~ (undeclared | join(', ') or 'none') ~ "; declared but not produced: " ~ (missing | join(', ') or 'none')) }}
        {%- endif -%}
    {%- endif %}
select
    {%- for column in declared %}
    cast(contracted.{{ column.name }} as {{ column.data_type }}) as {{ column.name }}{{ ',' if not loop.last }}
    {%- endfor %}
from (
{{ query }}
) as contracted
{%- endmacro %}
