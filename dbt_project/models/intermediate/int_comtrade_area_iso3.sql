{#- UN Comtrade area code -> ISO3: the override seed first (842 USA, 490 Taiwan, fixes of the crosswalk's
    errors), else the crosswalk's ISO3. Codes without either stay NULL and fail the not_null test downstream. -#}
select
    codes.un_code,
    codes.area_name,
    coalesce(overrides.country_iso3, codes.iso3) as country_iso3
from {{ ref('stg_reference__comtrade_area_codes') }} as codes
left join {{ ref('comtrade_partner_overrides') }} as overrides
    on cast(overrides.un_code as {{ dbt.type_string() }}) = codes.un_code
union all
select
    cast(overrides.un_code as {{ dbt.type_string() }}) as un_code,
    overrides.note as area_name,
    overrides.country_iso3
from {{ ref('comtrade_partner_overrides') }} as overrides
where
    cast(overrides.un_code as {{ dbt.type_string() }}) not in (
        select areas.un_code from {{ ref('stg_reference__comtrade_area_codes') }} as areas
    )
