{#- First day of a year given as an integer column, portable (cast of an ISO date string). -#}
{% macro year_start(year_column) -%}
    cast({{ dbt.concat(["cast(" ~ year_column ~ " as " ~ dbt.type_string() ~ ")", "'-01-01'"]) }} as date)
{%- endmacro %}

{#- First day of a month, portable: from a year and a month (integers or text), or from a month label in any of the
    publishers' forms, 'YYYYMM' (KOSIS API, Comtrade), 'YYYY.MM' (KOSIS files, KCS) or 'YYYY-MM' (ECOS): the year is
    the first four characters, the month the last two. The one home of month arithmetic on text. -#}
{% macro month_start_from_parts(year, month) -%}
    cast({{ dbt.concat(["cast(" ~ year ~ " as " ~ dbt.type_string() ~ ")", "'-'",
        "lpad(cast(" ~ month ~ " as " ~ dbt.type_string() ~ "), 2, '0')", "'-01'"]) }} as date)
{%- endmacro %}

{% macro month_start(label_column) -%}
    {{ month_start_from_parts("substring(" ~ label_column ~ ", 1, 4)",
                              "substring(" ~ label_column ~ ", length(" ~ label_column ~ ") - 1, 2)") }}
{%- endmacro %}

{#- Thousand USD (KOSIS) to USD. -#}
{% macro thousand_usd_to_usd(column) -%}
    cast({{ column }} as {{ dbt.type_numeric() }}) * 1000
{%- endmacro %}

{#- The rounding unit of a published figure, read from its trailing zeros: 124800000000 -> 100000000.
    A figure like 18.0 bn (18000000000) reads as 1e9; the seed reference_figure_claims states a finer unit
    where the publication shows one. -#}
{% macro published_rounding(value_column) -%}
    case
    {%- for exponent in range(12, 0, -1) %}
        when {{ value_column }} <> 0 and mod(cast({{ value_column }} as {{ dbt.type_bigint() }}), {{ 10 ** exponent }}) = 0
             and {{ value_column }} = cast({{ value_column }} as {{ dbt.type_bigint() }}) then {{ 10 ** exponent }}
    {%- endfor %}
        else 1
    end
{%- endmacro %}

{#- An 8-byte float. dbt.type_float() is a 4-byte FLOAT on DuckDB and Spark, too coarse for USD shares. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double')()) }}
{%- endmacro %}
{% macro default__type_double() %}double precision{% endmacro %}
{% macro duckdb__type_double() %}double{% endmacro %}
{% macro spark__type_double() %}double{% endmacro %}

{#- Sums and means of doubles (shares, HHI) as exact decimal sums: the result does not depend on the order the
    engine adds the rows in, so two builds of the same inputs serve the same bits. A parallel double sum may differ
    in the last bit from build to build, which the served marts' fingerprint would take for a change. 18 decimals
    keep a double's precision for values up to 1e20. -#}
{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 18))) as {{ type_double() }})
{%- endmacro %}

{% macro exact_avg(expression) -%}
    ({{ exact_sum(expression) }} / nullif(count({{ expression }}), 0))
{%- endmacro %}

{#- How a published figure relates to the warehouse value: 'rounded' (within half its rounding unit),
    'truncated' (the warehouse value cut off at the published digits is the figure: news often do that),
    or NULL (neither). -#}
{% macro published_as(warehouse_value, expected_value, rounding) -%}
    case
        when {{ warehouse_value }} is null or {{ expected_value }} is null then null
        when abs({{ warehouse_value }} - {{ expected_value }}) <= {{ rounding }} / 2 then 'rounded'
        when sign({{ warehouse_value }}) * floor(abs({{ warehouse_value }}) / {{ rounding }}) * {{ rounding }}
            = {{ expected_value }} then 'truncated'
    end
{%- endmacro %}

{#- The mirror comparison of an importer's CIF figure (import_cif_usd) with the exporter's FOB figure
    (export_fob_usd): the raw gap, the FOB equivalent of the imports (var cif_fob_factor, the IMF DOTS convention
    of a uniform 10 % margin), the adjusted gap and its ratio, and the flag above var mirror_discrepancy_threshold
    (a pair without an FOB figure to compare is flagged). Shared by fct_mirror_trade and fct_country_mirror_trade. -#}
{% macro mirror_gap_columns() -%}
import_cif_usd - export_fob_usd as gap_usd,
    cast(import_cif_usd as {{ type_double() }}) / {{ var('cif_fob_factor') }} as import_fob_equivalent_usd,
    cast(import_cif_usd as {{ type_double() }}) / {{ var('cif_fob_factor') }} - export_fob_usd as adjusted_gap_usd,
    (cast(import_cif_usd as {{ type_double() }}) / {{ var('cif_fob_factor') }} - export_fob_usd)
        / nullif(export_fob_usd, 0) as adjusted_gap_ratio,
    coalesce(
        abs(cast(import_cif_usd as {{ type_double() }}) / {{ var('cif_fob_factor') }} - export_fob_usd)
            > {{ var('mirror_discrepancy_threshold') }} * export_fob_usd,
        true
    ) as is_discrepant,
    {{ var('cif_fob_factor') }} as cif_fob_factor,
    {{ var('mirror_discrepancy_threshold') }} as discrepancy_threshold
{%- endmacro %}

{#- The median of a column in a group (DuckDB and Spark 3.4+ both have median()). -#}
{% macro item_median(column) -%}
    {{ return(adapter.dispatch('item_median')(column)) }}
{%- endmacro %}
{% macro default__item_median(column) %}percentile_cont(0.5) within group (order by {{ column }}){% endmacro %}
{% macro duckdb__item_median(column) %}median({{ column }}){% endmacro %}
{% macro spark__item_median(column) %}median({{ column }}){% endmacro %}

{#- `materialized` for a CTE that several parts of a query read (DuckDB would otherwise inline and recompute it);
    nothing on engines without the hint. -#}
{% macro cte_materialized() -%}
    {{ return(adapter.dispatch('cte_materialized')()) }}
{%- endmacro %}
{% macro default__cte_materialized() %}{% endmacro %}
{% macro duckdb__cte_materialized() %}materialized{% endmacro %}
