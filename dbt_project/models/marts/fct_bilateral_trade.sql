select
    reporter_iso3,
    partner_iso3,
    period_grain,
    period_start,
    export_usd,
    import_usd,
    export_usd - import_usd as balance_usd,
    source
from {{ ref('int_trade_by_partner') }}
