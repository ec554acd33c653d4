{#- Korea's trade with each partner: every year and every month the warehouse knows, one row per reporter,
    partner, grain and period, from the source that won by precedence (see int_monthly_trade_by_partner). -#}
{% call cast_to_contract() %}
select
    reporter_iso3,
    partner_iso3,
    period_grain,
    period_start,
    export_usd,
    import_usd,
    export_usd - import_usd as balance_usd,
    reported_balance_usd,
    source,
    partner_coverage
from {{ ref('int_trade_by_partner') }}
{% endcall %}
