select
    hscode as product_code,
    case length(hscode) when 2 then 'hs2' when 4 then 'hs4' when 6 then 'hs6' else 'total' end as product_level,
    description,
    nullif(parent, 'TOTAL') as parent_code,
    section
from {{ source('reference', 'ref_hs_codes') }}
