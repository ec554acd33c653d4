{{ config(tags=['monthly']) }}
{#- How the publishers revised each monthly figure: the first-reported and the latest value per source, partner
    and month, and the revision (latest - first) per flow. Months loaded once have a zero revision. -#}
with ranked as (
    select
        vintages.*,
        row_number() over (partition by source, partner_code, period_start order by _loaded_at) as first_rank,
        row_number() over (partition by source, partner_code, period_start order by _loaded_at desc) as last_rank,
        count(*) over (partition by source, partner_code, period_start) as vintage_count
    from {{ ref('int_monthly_trade_vintages') }} as vintages
)

select
    first.source,
    first.partner_code,
    first.period_start,
    first.vintage_count,
    first._loaded_at as first_loaded_at,
    latest._loaded_at as latest_loaded_at,
    first.export_usd as first_export_usd,
    latest.export_usd as latest_export_usd,
    latest.export_usd - first.export_usd as export_revision_usd,
    first.import_usd as first_import_usd,
    latest.import_usd as latest_import_usd,
    latest.import_usd - first.import_usd as import_revision_usd,
    cast(latest.export_usd - first.export_usd as {{ type_double() }}) / nullif(first.export_usd, 0)
        as export_revision_share,
    cast(latest.import_usd - first.import_usd as {{ type_double() }}) / nullif(first.import_usd, 0)
        as import_revision_share
from ranked as first
inner join ranked as latest
    on latest.source = first.source
    and latest.partner_code = first.partner_code
    and latest.period_start = first.period_start
    and latest.last_rank = 1
where first.first_rank = 1
