select
    country_code as kosis_code,
    kosis_itm_id,
    name_ko,
    name_en
from {{ source('kosis', 'kosis_country_codes') }}
