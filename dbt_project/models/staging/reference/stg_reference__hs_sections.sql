select
    section,
    name as section_name
from {{ source('reference', 'ref_hs_sections') }}
