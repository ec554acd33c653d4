"""Partitions of the live sources: months for KCS and KOSIS monthly data, years for UN Comtrade and IMF IMTS; and
the tags that make one run of a range of them.

No assets here: the CLI imports this module to check a month and tag a range before it loads the definitions.
"""

import dagster as dg

from dagster_project import settings

# Keys like "2024-03": the same text names the landing folder raw/landing/<source>/2024-03/.
monthly_partitions = dg.MonthlyPartitionsDefinition(start_date=settings.MONTHLY_PARTITIONS_START, fmt="%Y-%m")

yearly_partitions = dg.TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1 *", start=settings.YEARLY_PARTITIONS_START, fmt="%Y"
)

# A run over a range of partitions (what a single-run backfill launches): Dagster's own tag names.
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def range_tags(first: str, last: str) -> dict[str, str]:
    """The tags of one run over the partitions first..last."""
    return {RANGE_START_TAG: first, RANGE_END_TAG: last}


def month_keys() -> list[str]:
    """Every month partition now, oldest first: a month is one once it has ended."""
    return monthly_partitions.get_partition_keys()


def not_a_month(key: str, keys: list[str]) -> str | None:
    """Why `key` is not one of the month partitions `keys` (None if it is), in words a command line can print."""
    if key in keys:
        return None
    return (
        f"{key!r} is not a month partition: months are YYYY-MM from {keys[0]} to {keys[-1]} "
        "(a month becomes a partition once it has ended)"
    )
