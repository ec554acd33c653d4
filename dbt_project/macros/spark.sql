{#- Spark target (profiles.yml `spark`): the dbt sources are the raw tables of the DuckDB work file, exported as
    Parquet folders (one per table, hive-partitioned by `_partition` where the loader writes month partitions) into
    env RAW_PARQUET_DIR by dagster_project/warehouse/export.py. on-run-start registers them as external tables, so
    `source()` resolves to raw.<table> on Spark exactly as on DuckDB. On DuckDB this does nothing. -#}
{% macro register_raw_sources() -%}
    {{ return(adapter.dispatch('register_raw_sources')()) }}
{%- endmacro %}

{% macro default__register_raw_sources() -%}
    {#- the raw tables are already in the warehouse; an empty hook runs nothing -#}
{%- endmacro %}

{% macro spark__register_raw_sources() -%}
    {%- if execute -%}
    {#- Only the sources the selected nodes read: a raw table DuckDB does not hold (e.g. a live source never
        loaded) is then simply not selected (make spark excludes `source:<name>+`), instead of failing here. -#}
    {%- set needed = [] -%}
    {%- for unique_id in selected_resources -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- if node is not none -%}
            {%- for parent in node.depends_on.nodes if parent.startswith('source.') and parent not in needed -%}
                {%- do needed.append(parent) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set raw_dir = env_var('RAW_PARQUET_DIR', '../data/raw-parquet') -%}
    {%- for unique_id in needed -%}
        {%- set source = graph.sources[unique_id] -%}
        {%- set relation = api.Relation.create(schema=source.schema, identifier=source.identifier) -%}
        {%- do run_query('create database if not exists ' ~ source.schema) -%}
        {#- external table: dropping it drops only the metadata, never the exported files -#}
        {%- do run_query('drop table if exists ' ~ relation) -%}
        {%- do run_query(
            "create table " ~ relation ~ " using parquet location '" ~ raw_dir ~ "/" ~ source.identifier ~ "'"
        ) -%}
        {%- set described = run_query('describe table ' ~ relation) -%}
        {%- if '# Partition Information' in described.columns[0].values() -%}
            {#- a catalog table over existing partition folders sees them only once they are recovered -#}
            {%- do run_query('alter table ' ~ relation ~ ' recover partitions') -%}
        {%- endif -%}
        {%- do log('registered ' ~ relation ~ ' on ' ~ raw_dir ~ '/' ~ source.identifier, info=false) -%}
    {%- endfor -%}
    {%- endif -%}
{%- endmacro %}

{#- The config of a fact rebuilt per period (e.g. per Dagster month, or per (source, month)): only the key values
    present in the new rows are replaced. `key_columns`: a column name or a list of them.
    DuckDB (and the default): delete+insert on the key. Spark: the table is partitioned by the key, and
    insert_overwrite replaces exactly the partitions present in the new rows (dynamic partition overwrite). -#}
{% macro replace_by_period_config(key_columns) -%}
    {%- set columns = [key_columns] if key_columns is string else key_columns -%}
    {{ return(adapter.dispatch('replace_by_period_config')(columns)) }}
{%- endmacro %}

{% macro default__replace_by_period_config(columns) -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': columns}) }}
{%- endmacro %}

{% macro spark__replace_by_period_config(columns) -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': columns}) }}
{%- endmacro %}

{#- dbt-spark's seed loader with `method: session` pastes each value between quotes without escaping (a name like
    "Cote d'Ivoire" breaks the insert). Same statement, with each value written as an escaped literal. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set type = column_override.get(col_name, adapter.convert_type(agate_table, loop.index0)) -%}
                    {%- set value = row[loop.index0] -%}
                    {%- if value is none -%}cast(null as {{ type }})
                    {%- else -%}cast('{{ value | string | replace("\\", "\\\\") | replace("'", "\\'") }}' as {{ type }})
                    {%- endif -%}
                    {%- if not loop.last %},{% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}{%- do statements.append(sql) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{% endmacro %}
