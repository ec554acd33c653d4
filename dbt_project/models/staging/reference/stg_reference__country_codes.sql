select
    {{ adapter.quote("ISO3166-1-Alpha-3") }} as country_iso3,
    {{ adapter.quote("ISO3166-1-Alpha-2") }} as country_iso2,
    lpad({{ adapter.quote("ISO3166-1-numeric") }}, 3, '0') as iso_numeric,
    cast({{ adapter.quote("M49") }} as integer) as m49_code,
    coalesce({{ adapter.quote("CLDR display name") }}, official_name_en) as name_en,
    official_name_en,
    {{ adapter.quote("Region Name") }} as region_name,
    {{ adapter.quote("Sub-region Name") }} as sub_region_name
from {{ source('reference', 'ref_country_codes') }}
