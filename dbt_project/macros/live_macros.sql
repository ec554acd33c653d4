{#- A DOUBLE column (the live raw tables store published figures as doubles) as an exact decimal. A direct cast is
    not exact on DuckDB above ~US$9 bn: 2019551635133 (IMF, USA exports 2023) becomes 2019551635132.999936. The
    double's shortest text is the published figure, so the cast goes through text. -#}
{% macro double_to_numeric(column) -%}
    cast(cast({{ column }} as {{ dbt.type_string() }}) as {{ dbt.type_numeric() }})
{%- endmacro %}
