"""Schedules: KCS revises the previous month around the 15th, so on the 16th the last two months are re-pulled."""

from datetime import datetime

import dagster as dg

from dagster_project.defs.jobs import refresh_monthly, refresh_yearly
from dagster_project.defs.partitions import monthly_partitions

# 06:00 Korea time on the 16th: after KCS's revision of the previous month.
MONTHLY_CRON = "0 6 16 * *"
TIMEZONE = "Asia/Seoul"
# A run over a range of partitions (what a single-run backfill launches).
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def months_to_refresh(scheduled: datetime, count: int = 2) -> list[str]:
    """The `count` complete months before the scheduled time, oldest first: on 2024-04-16, 2024-02 and 2024-03."""
    keys = monthly_partitions.get_partition_keys(current_time=scheduled)
    return keys[-count:]


@dg.schedule(cron_schedule=MONTHLY_CRON, job=refresh_monthly, execution_timezone=TIMEZONE)
def monthly_refresh_schedule(context: dg.ScheduleEvaluationContext):
    """Re-pull the previous two months (the older one has just been revised by KCS) in one run: one dbt build,
    one publish."""
    first, *_, last = months_to_refresh(context.scheduled_execution_time)
    return dg.RunRequest(
        run_key=f"{first}..{last}@{context.scheduled_execution_time:%Y-%m-%d}",
        tags={RANGE_START_TAG: first, RANGE_END_TAG: last},
    )


yearly_refresh_schedule = dg.build_schedule_from_partitioned_job(
    refresh_yearly, name="yearly_refresh_schedule"
)

