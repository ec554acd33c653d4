select
    partner_iso3,
    partner_name as partner_name_en,
    flow,
    {{ month_start('period') }} as period_start,
    {{ thousand_usd_to_usd('value_thousand_usd') }} as value_usd,
    ecos_table,
    _source_file,
    _file_sha256,
    _loaded_at,
    _load_id
from {{ source('ecos', 'ecos_trade_by_partner_monthly') }}
