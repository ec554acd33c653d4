"""Schedules: KCS revises the previous month around the 15th, so on the 16th the last two months are re-pulled;
UN Comtrade and IMF IMTS revise annual data for years, so on 1 November the last three years are re-pulled."""

from datetime import datetime

import dagster as dg

from dagster_project.defs.jobs import refresh_monthly, refresh_yearly
from dagster_project.defs.partitions import monthly_partitions, range_tags, yearly_partitions

# 06:00 Korea time on the 16th: after KCS's revision of the previous month.
MONTHLY_CRON = "0 6 16 * *"
# 06:00 Korea time on 1 November: by then the previous year is final for most reporters (see the schedule).
YEARLY_CRON = "0 6 1 11 *"
TIMEZONE = "Asia/Seoul"


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
        tags=range_tags(first, last),
    )


def years_to_refresh(scheduled: datetime, count: int = 3) -> list[str]:
    """The `count` complete years before the scheduled time, oldest first: on 2025-11-01, 2022, 2023 and 2024."""
    keys = yearly_partitions.get_partition_keys(current_time=scheduled)
    return keys[-count:]


@dg.schedule(cron_schedule=YEARLY_CRON, job=refresh_yearly, execution_timezone=TIMEZONE)
def yearly_refresh_schedule(context: dg.ScheduleEvaluationContext):
    """Re-pull the previous three years of UN Comtrade and IMF IMTS in one run (one dbt build, one publish), on
    1 November. Why then: UN Comtrade asks reporters for their annual data in February and June, and most send
    provisional figures early in the year and revised or final ones in its latter part (uncomtrade.org, "data
    availability"); IMF IMTS takes its annual figures from the same national submissions. By November the
    previous year is final for most reporters, Korea among them.
    Why three years: late reporters and revisions keep arriving for two more years; each re-pull that changes a
    year's figures becomes a new vintage of that year, one that does not appends nothing."""
    first, *_, last = years_to_refresh(context.scheduled_execution_time)
    return dg.RunRequest(
        run_key=f"{first}..{last}@{context.scheduled_execution_time:%Y-%m-%d}",
        tags=range_tags(first, last),
    )
