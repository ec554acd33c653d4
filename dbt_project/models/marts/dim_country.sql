{#- Every country code a fact can carry: current ISO 3166-1 countries, then former (ISO 3166-3) and
    user-assigned codes from the seed country_code_extensions, with KOSIS codes and Korean names. -#}
{% call cast_to_contract() %}
with iso_countries as (
    select
        country_iso3,
        country_iso2,
        iso_numeric,
        m49_code,
        name_en,
        region_name,
        sub_region_name,
        'current_iso3166' as code_status
    from {{ ref('stg_reference__country_codes') }}
),

extensions as (
    select
        country_iso3,
        country_iso2,
        cast(null as {{ dbt.type_string() }}) as iso_numeric,
        cast(null as integer) as m49_code,
        name_en,
        cast(null as {{ dbt.type_string() }}) as region_name,
        cast(null as {{ dbt.type_string() }}) as sub_region_name,
        code_status
    from {{ ref('country_code_extensions') }}
),

countries as (
    select * from iso_countries
    union all
    select * from extensions
),

-- A country's KOSIS code: its own alpha-2 if KOSIS uses it as such, else a legacy code mapped in the seed.
kosis_codes as (
    select
        coalesce(special.country_iso3, iso.country_iso3) as country_iso3,
        codes.kosis_code,
        codes.name_ko,
        codes.name_en as kosis_name_en,
        case when special.kosis_code is null then 0 else 1 end as is_legacy_code
    from {{ ref('stg_kosis__country_codes') }} as codes
    left join {{ ref('kosis_special_codes') }} as special
        on special.kosis_code = codes.kosis_code
    left join iso_countries as iso
        on iso.country_iso2 = codes.kosis_code
        and special.kosis_code is null
),

preferred_kosis_code as (
    select country_iso3, kosis_code, name_ko, kosis_name_en
    from (
        select
            kosis_codes.*,
            row_number() over (partition by country_iso3 order by is_legacy_code, kosis_code) as preference
        from kosis_codes
        where country_iso3 is not null
    ) as ranked
    where preference = 1
)

select
    countries.country_iso3,
    countries.country_iso2,
    countries.iso_numeric,
    countries.m49_code,
    countries.name_en,
    preferred_kosis_code.name_ko,
    preferred_kosis_code.kosis_code,
    preferred_kosis_code.kosis_name_en,
    countries.region_name,
    countries.sub_region_name,
    countries.code_status
from countries
left join preferred_kosis_code
    on preferred_kosis_code.country_iso3 = countries.country_iso3
{% endcall %}
