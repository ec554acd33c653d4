{% call cast_to_contract() %}
select * from {{ ref('int_kosis_partner_codes') }}
{% endcall %}
