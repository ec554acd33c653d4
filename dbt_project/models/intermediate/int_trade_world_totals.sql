{#- Korea's reported world totals per period, from the publishers' own total rows:
    - year: the annual KOSIS file's total_export/total_import (repeated on every partner row; the unique test on
      this model proves they agree within each year);
    - month: the total row of the best monthly source that has one (var monthly_source_precedence): KCS's 총계 row
      (with its own balance, balPayments), KOSIS's code 00, or ECOS's World exports (ECOS has no world imports:
      NULL, never a sum of the listed partners).
    unallocated_coded_*: what the total source itself books to unallocated, non-geographic and international-org
    codes (ZZ, ZY, …), summed from those rows; NULL where the source has no such rows. -#}
{%- set precedence = var('monthly_source_precedence') -%}
with annual as (
    select distinct
        '{{ var("reporter_iso3") }}' as reporter_iso3,
        'year' as period_grain,
        {{ year_start('trade_year') }} as period_start,
        world_export_usd as reported_export_usd,
        world_import_usd as reported_import_usd,
        cast(null as {{ dbt.type_numeric() }}) as published_balance_usd,
        cast(null as {{ dbt.type_numeric() }}) as unallocated_coded_export_usd,
        cast(null as {{ dbt.type_numeric() }}) as unallocated_coded_import_usd,
        'kosis_annual' as source
    from {{ ref('stg_kosis__trade_by_partner_annual') }}
    where world_export_usd is not null or world_import_usd is not null
),

live_codes as (
    select vintages.*, codes.code_category
    from {{ ref('int_monthly_trade_vintages') }} as vintages
    inner join {{ ref('int_kosis_partner_codes') }} as codes
        on codes.kosis_code = vintages.partner_code
    where vintages.is_latest_vintage
),

live_totals as (
    select
        source,
        period_start,
        max(case when code_category = 'total' and partner_code = '00' then export_usd end) as reported_export_usd,
        max(case when code_category = 'total' and partner_code = '00' then import_usd end) as reported_import_usd,
        max(case when code_category = 'total' and partner_code = '00' then reported_balance_usd end)
            as published_balance_usd,
        sum(
            case when code_category in ('unallocated', 'non_geographic', 'international_org') then export_usd else 0 end
        ) as unallocated_coded_export_usd,
        sum(
            case when code_category in ('unallocated', 'non_geographic', 'international_org') then import_usd else 0 end
        ) as unallocated_coded_import_usd,
        sum(case when code_category = 'total' and partner_code = '00' then 1 else 0 end) as total_rows
    from live_codes
    group by source, period_start
),

ecos_totals as (
    select
        'ecos_monthly' as source,
        period_start,
        max(case when flow = 'export' then value_usd end) as reported_export_usd,
        cast(null as {{ dbt.type_numeric() }}) as reported_import_usd,
        cast(null as {{ dbt.type_numeric() }}) as published_balance_usd,
        cast(null as {{ dbt.type_numeric() }}) as unallocated_coded_export_usd,
        cast(null as {{ dbt.type_numeric() }}) as unallocated_coded_import_usd
    from {{ ref('stg_ecos__trade_by_partner_monthly') }}
    where partner_iso3 = 'WLD'
    group by period_start
),

monthly_candidates as (
    select
        source, period_start, reported_export_usd, reported_import_usd, published_balance_usd,
        unallocated_coded_export_usd, unallocated_coded_import_usd
    from live_totals
    where total_rows > 0
    union all
    select * from ecos_totals
),

monthly_ranked as (
    select
        monthly_candidates.*,
        case source
            {%- for source in precedence %}
                when '{{ source }}' then {{ loop.index }}
            {%- endfor %}
        end as source_precedence
    from monthly_candidates
),

monthly as (
    select
        '{{ var("reporter_iso3") }}' as reporter_iso3,
        'month' as period_grain,
        period_start,
        reported_export_usd,
        reported_import_usd,
        published_balance_usd,
        unallocated_coded_export_usd,
        unallocated_coded_import_usd,
        source
    from (
        select
            monthly_ranked.*,
            min(source_precedence) over (partition by period_start) as best_precedence
        from monthly_ranked
    ) as best
    where source_precedence = best_precedence
)

select * from annual
union all
select * from monthly
