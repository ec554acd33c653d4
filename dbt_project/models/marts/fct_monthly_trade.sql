{{ config(
    materialized='incremental',
    tags=['monthly'],
    on_schema_change='fail',
    **replace_by_period_config(['source', 'period_start'])
) }}
{#- Korea's monthly trade by partner from the live monthly sources: each month's latest vintage, as a whole.
    Incremental: a build rewrites only the (source, month) pairs that received a vintage since the table was last
    built (loaded after its newest vintage_loaded_at), whatever run loaded it; every other month keeps its rows
    (and the dbt_invocation_id that wrote them). -#}
{% call cast_to_contract() %}
with changed_months as (
    select distinct source, period_start
    from {{ ref('int_monthly_trade_vintages') }}
{% if is_incremental() %}
    where _loaded_at > (
        select coalesce(max(vintage_loaded_at), cast('1900-01-01' as {{ dbt.type_timestamp() }})) from {{ this }}
    )
    {% endif %}
)

select
    '{{ var("reporter_iso3") }}' as reporter_iso3,
    vintages.partner_code,
    codes.country_iso3 as partner_iso3,
    codes.code_category as partner_code_category,
    vintages.period_start,
    vintages.export_usd,
    vintages.import_usd,
    vintages.export_usd - vintages.import_usd as balance_usd,
    vintages.reported_balance_usd,
    vintages.source,
    vintages._loaded_at as vintage_loaded_at,
    vintages.month_vintage_count as vintage_count,
    '{{ invocation_id }}' as dbt_invocation_id
from {{ ref('int_monthly_trade_vintages') }} as vintages
inner join changed_months
    on changed_months.source = vintages.source
    and changed_months.period_start = vintages.period_start
left join {{ ref('int_kosis_partner_codes') }} as codes
    on codes.kosis_code = vintages.partner_code
where vintages.is_latest_vintage
{% endcall %}
