"""The inbox sensor: a response file dropped into raw/inbox/<source>/<YYYY-MM>/ asks for a run of that month.

There is no separate publish sensor: every run ends in the gate (dbt build of the whole project, then publish).
"""

import dagster as dg

from dagster_project.defs.jobs import refresh_monthly
from dagster_project.sources import inbox, kcs_api

INBOX_SOURCES = (kcs_api.NATION_TRADE,)


@dg.sensor(job=refresh_monthly, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def inbox_sensor(context: dg.SensorEvaluationContext):
    """One run per month folder with new files; the run key (file names and sizes) makes a re-seen drop a no-op."""
    for source in INBOX_SOURCES:
        by_month: dict[str, list[str]] = {}
        for path in inbox.pending(source):
            by_month.setdefault(path.parent.name, []).append(f"{path.name}:{path.stat().st_size}")
        for month, files in sorted(by_month.items()):
            yield dg.RunRequest(
                run_key=f"{source}/{month}/{'|'.join(sorted(files))}",
                partition_key=month,
                tags={"inbox_source": source},
            )
