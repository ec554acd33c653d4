{#- Incremental item marts. A build rebuilds only the periods whose upstream rows were loaded after the newest
    vintage_loaded_at already in the mart (whatever run loaded them: a KCS item month, a reload of the KITA file),
    and replaces exactly those periods (replace_by_period_config on source, period_grain, period_start).

    The changed periods are looked up once, at run time, and rendered into the model as literal predicates, so
    the engine prunes every other period (and a whole source) before reading: one new month of one source costs
    that month and its year, not the table. -#}

{#- [(source, 'YYYY-MM-DD')] of `upstream` rows (columns source, `period_column`, `loaded_at_column`) loaded after
    the newest vintage_loaded_at in this model; none when the model is built from scratch (everything is built). -#}
{% macro item_changed_periods(upstream, period_column='period_start', loaded_at_column='_loaded_at',
                              extra_columns=[]) -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set extra = extra_columns | join(', ') -%}
    {%- set query -%}
        select distinct source, {{ extra ~ ', ' if extra }}cast({{ period_column }} as {{ dbt.type_string() }})
        from {{ upstream }}
        where {{ loaded_at_column }} > (
            select coalesce(max(vintage_loaded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }})) from {{ this }}
        )
    {%- endset -%}
    {%- set rows = run_query(query).rows -%}
    {%- set found = [] -%}
    {%- for row in rows -%}
        {%- do found.append(row.values() | list) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{#- A literal predicate over (source, <extra columns>, period_column) for the changed periods; `1 = 0` if none
    changed, `1 = 1` when everything is built (`changed` is none). -#}
{% macro item_periods_predicate(changed, period_column='period_start', extra_columns=[]) -%}
    {%- if changed is none -%}1 = 1
    {%- elif changed | length == 0 -%}1 = 0
    {%- else -%}
    ({%- for row in changed %}
        {% if not loop.first %}or {% endif %}(source = '{{ row[0] }}'
        {%- for column in extra_columns %} and {{ column }} = '{{ row[loop.index] }}'{% endfor %}
        and {{ period_column }} = cast('{{ row[-1][:10] }}' as date))
    {%- endfor %})
    {%- endif -%}
{%- endmacro %}

{#- The same for whole years: the changed months' years (a year's figures are the sum of its months). -#}
{% macro item_years_predicate(changed, period_column='period_start') -%}
    {%- if changed is none -%}1 = 1
    {%- elif changed | length == 0 -%}1 = 0
    {%- else -%}
    {%- set years = [] -%}
    {%- for row in changed -%}
        {%- set key = (row[0], row[-1][:4]) -%}
        {%- if key not in years -%}{%- do years.append(key) -%}{%- endif -%}
    {%- endfor -%}
    ({%- for source, year in years %}
        {% if not loop.first %}or {% endif %}(source = '{{ source }}'
        and {{ period_column }} >= cast('{{ year }}-01-01' as date)
        and {{ period_column }} < cast('{{ year | int + 1 }}-01-01' as date))
    {%- endfor %})
    {%- endif -%}
{%- endmacro %}

{#- Data tests of the big item marts check the rows this build wrote: `config: where: "__built_in_this_run__"`.
    Sound because every other row was written, and passed the same tests, by an earlier build that was promoted
    (the run gate promotes only builds whose every test passed), and a rebuild replaces whole periods, so a new
    row cannot collide with a row it did not replace. A full build writes every row, so tests see the whole table. -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- set where = where | replace('__built_in_this_run__', "dbt_invocation_id = '" ~ invocation_id ~ "'") -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{#- DuckDB: delete+insert on a key of several columns deletes `where (key) in (select distinct key from new
    rows)`, as dbt's default does. dbt-duckdb's own form joins the target to every new row (`delete ... using`),
    which at one key value per million rows (a month of items) is a million-by-million join. -#}
{% macro duckdb__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    {{ return(default__get_delete_insert_merge_sql(target, source, unique_key, dest_columns,
                                                   incremental_predicates)) }}
{%- endmacro %}

{#- The same for marts that rebuild a whole source at a time (the product marts over the KITA file and the Comtrade
    sample, which are reloaded whole): the sources of `loads` (a relation or subquery with columns source and
    `loaded_at_column`) loaded after the newest vintage_loaded_at this model holds for that source, or never built
    into it. None when the model is built from scratch (everything is built). -#}
{% macro changed_sources(loads, loaded_at_column='vintage_loaded_at') -%}
    {%- if not execute or not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query -%}
        select loads.source
        from (
            select source, max({{ loaded_at_column }}) as loaded_at from {{ loads }} as upstream group by source
        ) as loads
        left join (select source, max(vintage_loaded_at) as built_from from {{ this }} group by source) as built
            on built.source = loads.source
        where built.built_from is null or loads.loaded_at > built.built_from
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}

{% macro sources_predicate(changed) -%}
    {%- if changed is none -%}1 = 1
    {%- elif changed | length == 0 -%}1 = 0
    {%- else -%}source in ({% for source in changed %}{{ ', ' if not loop.first }}'{{ source }}'{% endfor %})
    {%- endif -%}
{%- endmacro %}
