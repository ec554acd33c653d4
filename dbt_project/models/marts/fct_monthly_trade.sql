{{ config(
    materialized='incremental',
    tags=['monthly'],
    **replace_by_period_config('period_start')
) }}
{#- Korea's monthly trade by partner from the live monthly sources, the latest vintage of each figure. Built per
    Dagster month partition: vars min_date/max_date bound the months rebuilt (delete+insert on period_start on DuckDB,
    insert_overwrite of the period_start partitions on Spark: macros/spark.sql), so
    one partition's run replaces only that month's rows. Without the vars (a full refresh) every month is built. -#}
with vintages as (
    select
        vintages.*,
        row_number() over (
            partition by source, partner_code, period_start order by _loaded_at desc
        ) as vintage_rank,
        count(*) over (partition by source, partner_code, period_start) as vintage_count
    from {{ ref('int_monthly_trade_vintages') }} as vintages
    where period_start >= cast('{{ var("min_date", "1900-01-01") }}' as date)
      and period_start < cast('{{ var("max_date", "9999-12-31") }}' as date)
)

select
    '{{ var("reporter_iso3") }}' as reporter_iso3,
    vintages.partner_code,
    codes.country_iso3 as partner_iso3,
    codes.code_category as partner_code_category,
    vintages.period_start,
    vintages.export_usd,
    vintages.import_usd,
    vintages.export_usd - vintages.import_usd as balance_usd,
    vintages.reported_balance_usd,
    vintages.source,
    vintages._loaded_at as vintage_loaded_at,
    vintages.vintage_count
from vintages
left join {{ ref('int_kosis_partner_codes') }} as codes
    on codes.kosis_code = vintages.partner_code
where vintages.vintage_rank = 1
