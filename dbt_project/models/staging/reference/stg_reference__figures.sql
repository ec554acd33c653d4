select
    figure_id,
    reporter_iso3,
    partner_iso3,
    flow,
    period as period_label,
    cast(value_usd as {{ dbt.type_numeric() }}) as published_value,
    source,
    source_location,
    note
from {{ source('reference', 'ref_reference_figures') }}
