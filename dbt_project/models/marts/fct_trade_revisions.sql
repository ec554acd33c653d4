{{ config(tags=['monthly']) }}
{#- How the publishers revised each monthly figure: per source, partner and month, the value in the month's first
    vintage and in its latest vintage (a vintage is a whole month's load), and the revision (latest - first) per
    flow. A partner absent from a vintage has NULL there: `in_latest_vintage` false means the latest load dropped
    it. Months loaded once have a zero revision. -#}
{% call cast_to_contract() %}
with vintages as (
    select * from {{ ref('int_monthly_trade_vintages') }}
),

partners as (
    select distinct source, partner_code, period_start, month_vintage_count from vintages
),

first_vintage as (
    select * from vintages where vintage_number = 1
),

latest_vintage as (
    select * from vintages where is_latest_vintage
),

loads as (
    select source, period_start, min(_loaded_at) as first_loaded_at, max(_loaded_at) as latest_loaded_at
    from vintages
    group by source, period_start
)

select
    partners.source,
    partners.partner_code,
    partners.period_start,
    partners.month_vintage_count as vintage_count,
    loads.first_loaded_at,
    loads.latest_loaded_at,
    latest_vintage.partner_code is not null as in_latest_vintage,
    first_vintage.export_usd as first_export_usd,
    latest_vintage.export_usd as latest_export_usd,
    latest_vintage.export_usd - first_vintage.export_usd as export_revision_usd,
    first_vintage.import_usd as first_import_usd,
    latest_vintage.import_usd as latest_import_usd,
    latest_vintage.import_usd - first_vintage.import_usd as import_revision_usd,
    cast(latest_vintage.export_usd - first_vintage.export_usd as {{ type_double() }})
        / nullif(first_vintage.export_usd, 0) as export_revision_share,
    cast(latest_vintage.import_usd - first_vintage.import_usd as {{ type_double() }})
        / nullif(first_vintage.import_usd, 0) as import_revision_share
from partners
inner join loads
    on loads.source = partners.source
    and loads.period_start = partners.period_start
left join first_vintage
    on first_vintage.source = partners.source
    and first_vintage.partner_code = partners.partner_code
    and first_vintage.period_start = partners.period_start
left join latest_vintage
    on latest_vintage.source = partners.source
    and latest_vintage.partner_code = partners.partner_code
    and latest_vintage.period_start = partners.period_start
{% endcall %}
