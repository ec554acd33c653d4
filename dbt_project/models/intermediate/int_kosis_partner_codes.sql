{#- Every KOSIS/KCS partner code with what it stands for: an ISO country (its alpha-2, so `NA` is Namibia),
    a legacy code of a country, or a non-country code (totals, unallocated "others", aggregates). -#}
select
    codes.kosis_code,
    codes.kosis_itm_id,
    codes.name_ko,
    codes.name_en,
    coalesce(special.country_iso3, iso.country_iso3) as country_iso3,
    coalesce(special.code_category, case when iso.country_iso3 is not null then 'country' end) as code_category,
    special.note
from {{ ref('stg_kosis__country_codes') }} as codes
left join {{ ref('kosis_special_codes') }} as special
    on special.kosis_code = codes.kosis_code
left join {{ ref('stg_reference__country_codes') }} as iso
    on iso.country_iso2 = codes.kosis_code
    and special.kosis_code is null
