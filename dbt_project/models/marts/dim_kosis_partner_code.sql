select * from {{ ref('int_kosis_partner_codes') }}
