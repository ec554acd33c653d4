{{ config(tags=["item_marts"]) }}
{#- The latest vintage of each month of the KCS item-by-country feed (a vintage supersedes its month as a whole):
    rename and cast only. The raw table exists once a month has been loaded; until then this is empty. -#}
{%- set relation = source('kcs', 'kcs_trade_by_item_country') -%}
{%- set exists = execute and (load_relation(relation) is not none) -%}
{%- if exists %}
with latest as (
    select _partition, max(_loaded_at) as latest_loaded_at
    from {{ relation }}
    group by _partition
)

select
    items.hs_code as product_code,
    items.country_code as partner_code,
    cast({{ dbt.concat(["replace(items.period, '.', '-')", "'-01'"]) }} as date) as period_start,
    cast(items.export_usd as {{ dbt.type_numeric() }}) as export_usd,
    cast(items.export_kg as {{ dbt.type_numeric() }}) as export_kg,
    cast(items.import_usd as {{ dbt.type_numeric() }}) as import_usd,
    cast(items.import_kg as {{ dbt.type_numeric() }}) as import_kg,
    items._partition,
    items._loaded_at,
    items._load_id
from {{ relation }} as items
inner join latest
    on latest._partition = items._partition
    and latest.latest_loaded_at = items._loaded_at
{%- else %}
select
    cast(null as {{ dbt.type_string() }}) as product_code,
    cast(null as {{ dbt.type_string() }}) as partner_code,
    cast(null as date) as period_start,
    cast(null as {{ dbt.type_numeric() }}) as export_usd,
    cast(null as {{ dbt.type_numeric() }}) as export_kg,
    cast(null as {{ dbt.type_numeric() }}) as import_usd,
    cast(null as {{ dbt.type_numeric() }}) as import_kg,
    cast(null as {{ dbt.type_string() }}) as _partition,
    cast(null as timestamp) as _loaded_at,
    cast(null as {{ dbt.type_string() }}) as _load_id
where 1 = 0
{%- endif %}
