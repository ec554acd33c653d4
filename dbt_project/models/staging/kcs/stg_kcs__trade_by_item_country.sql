{{ config(tags=['item_marts']) }}
{#- Every vintage of the KCS item-by-country feed (HSK-10 x partner code x month): rename and cast only. The raw
    table exists (empty) in every warehouse from the start (warehouse/live_tables.py). -#}
select
    _source_label as source,
    hs_code as product_code,
    country_code as partner_code,
    {{ month_start('period') }} as period_start,
    cast(export_usd as {{ dbt.type_numeric() }}) as export_usd,
    cast(export_kg as {{ dbt.type_numeric() }}) as export_kg,
    cast(import_usd as {{ dbt.type_numeric() }}) as import_usd,
    cast(import_kg as {{ dbt.type_numeric() }}) as import_kg,
    _partition,
    _loaded_at,
    _load_id
from {{ source('kcs', 'kcs_trade_by_item_country') }}
