select
    {{ adapter.quote("Country") }} as partner_label_en,
    {{ adapter.quote("Date") }} as period_label,
    {{ month_start(adapter.quote('Date')) }} as period_start,
    {{ thousand_usd_to_usd(adapter.quote('Exports')) }} as export_usd,
    {{ thousand_usd_to_usd(adapter.quote('Imports')) }} as import_usd,
    _source_file,
    _file_sha256,
    _loaded_at,
    _load_id
from {{ source('kosis', 'kosis_trade_china_monthly') }}
