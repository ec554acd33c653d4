{{ config(tags=['monthly']) }}
select
    _source_label as source,
    item_id,
    case item_id when '13103103829T1' then 'export' when '13103103829T2' then 'import' end as flow,
    country_code as partner_code,
    {{ month_start('period') }} as period_start,
    {{ thousand_usd_to_usd('value') }} as value_usd,
    _partition,
    _loaded_at,
    _load_id
from {{ source('kosis', 'kosis_trade_by_country_monthly') }}
