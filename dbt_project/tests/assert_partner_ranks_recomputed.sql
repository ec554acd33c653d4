{{ config(meta={"dagster": {"ref": {"name": "fct_partner_shares"}}}) }}
{#- The export and import ranks of fct_partner_shares recomputed from fct_bilateral_trade by another route than
    the model's window function: 1 + the number of partners with a strictly larger figure in the same period.
    Partners without a figure have no rank. Any row returned is a disagreement. -#}
with trade as (
    select reporter_iso3, partner_iso3, period_grain, period_start, export_usd, import_usd
    from {{ ref('fct_bilateral_trade') }}
),

expected as (
    select
        this.reporter_iso3,
        this.partner_iso3,
        this.period_grain,
        this.period_start,
        case
            when this.export_usd is not null
                then (
                    select 1 + count(*) from trade as other
                    where other.reporter_iso3 = this.reporter_iso3 and other.period_grain = this.period_grain
                        and other.period_start = this.period_start and other.export_usd > this.export_usd
                )
        end as export_rank,
        case
            when this.import_usd is not null
                then (
                    select 1 + count(*) from trade as other
                    where other.reporter_iso3 = this.reporter_iso3 and other.period_grain = this.period_grain
                        and other.period_start = this.period_start and other.import_usd > this.import_usd
                )
        end as import_rank
    from trade as this
)

select shares.*, expected.export_rank as expected_export_rank, expected.import_rank as expected_import_rank
from {{ ref('fct_partner_shares') }} as shares
inner join expected
    on expected.reporter_iso3 = shares.reporter_iso3
    and expected.partner_iso3 = shares.partner_iso3
    and expected.period_grain = shares.period_grain
    and expected.period_start = shares.period_start
where coalesce(shares.export_rank, -1) <> coalesce(expected.export_rank, -1)
    or coalesce(shares.import_rank, -1) <> coalesce(expected.import_rank, -1)
