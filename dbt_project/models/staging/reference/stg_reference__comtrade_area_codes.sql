select
    {{ adapter.quote("unCode") }} as un_code,
    name as area_name,
    nullif(iso2letter, 'NULL') as iso2,
    nullif(iso3letter, 'NULL') as iso3,
    nullif({{ adapter.quote("isoNumerical") }}, 'NULL') as iso_numeric,
    {{ adapter.quote("Notes") }} as notes
from {{ source('reference', 'ref_comtrade_area_codes') }}
