{#- Korea's world totals as reported, one row per year. The annual file repeats them on every partner row;
    the unique test on this model proves they agree within each year. -#}
select distinct
    '{{ var("reporter_iso3") }}' as reporter_iso3,
    'year' as period_grain,
    {{ year_start('trade_year') }} as period_start,
    world_export_usd as reported_export_usd,
    world_import_usd as reported_import_usd,
    'kosis_annual' as source
from {{ ref('stg_kosis__trade_by_partner_annual') }}
where world_export_usd is not null or world_import_usd is not null
