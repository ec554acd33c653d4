"""Partitions of the live sources: months for KCS and KOSIS monthly data, years for UN Comtrade and IMF IMTS."""

import dagster as dg

from dagster_project import settings

# Keys like "2024-03": the same text names the landing folder raw/landing/<source>/2024-03/.
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=settings.MONTHLY_PARTITIONS_START, fmt="%Y-%m")

yearly_partitions = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start=settings.YEARLY_PARTITIONS_START, fmt="%Y"
)
