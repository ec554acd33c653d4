"""Command line behind the Makefile: `prepare` (dbt parse), `build` (run the build_warehouse job), `summary`.

`build` executes the same `build_warehouse` job that the UI and schedules run, recorded in the Dagster instance
under DAGSTER_HOME (so `dagster dev` shows the run), then prints a short summary of the warehouse.
"""

from __future__ import annotations

import argparse
import sys
import time

from dagster_project import settings

JOB_NAME = "build_warehouse"


def prepare() -> None:
    """Write dbt_project/target/manifest.json; Dagster's dbt assets are defined from it."""
    from dagster_dbt import DbtCliResource

    from dagster_project.defs.project import trade_dbt_project

    settings.export_warehouse_path()
    dbt = DbtCliResource(project_dir=trade_dbt_project, dbt_executable=settings.DBT_EXECUTABLE)
    dbt.cli(["parse", "--quiet"], target_path=trade_dbt_project.target_path).wait()


def run_job(name: str = JOB_NAME, partition_key: str | None = None, partition_range: tuple[str, str] | None = None,
            instance=None):
    """Execute a job of the definitions in this process (recorded in the DAGSTER_HOME instance): unpartitioned,
    one partition, or a range of partitions in a single run (a backfill). Returns the ExecuteInProcessResult."""
    import dagster as dg

    from dagster_project.definitions import defs

    job = defs().resolve_job_def(name)
    instance = instance or dg.DagsterInstance.get()
    tags = {}
    if partition_range:
        tags = {"dagster/asset_partition_range_start": partition_range[0],
                "dagster/asset_partition_range_end": partition_range[1]}
    return job.execute_in_process(instance=instance, raise_on_error=False, partition_key=partition_key, tags=tags)


def run_build_job(instance=None):
    """Execute the build_warehouse job in this process."""
    return run_job(JOB_NAME, instance=instance)


def summary_lines(result=None) -> list[str]:
    """A few lines a person checks after a build: where the file is, what it holds, what the tests said."""
    import duckdb

    path = settings.warehouse_path()
    lines = [f"warehouse: {path}"]
    if result is not None:
        checks = [
            evaluation
            for event in result.all_events
            if event.event_type_value == "ASSET_CHECK_EVALUATION"
            for evaluation in [event.event_specific_data]
        ]
        failed = [c for c in checks if not c.passed]
        lines.append(
            f"run {result.run_id}: {'success' if result.success else 'FAILED'}; "
            f"{len(result.get_asset_materialization_events())} assets materialised; "
            f"{len(checks)} checks, {len(failed)} failed"
        )
        for check in failed:
            lines.append(f"  failed check: {check.asset_key.to_user_string()} {check.check_name} ({check.severity.value})")
    if not path.exists():
        return [*lines, "  (no warehouse file yet)"]
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:  # e.g. a dbt process of a failed run still holds the write lock
        return [*lines, f"  (cannot open the warehouse to summarise it: {error})"]
    with con:
        tables = con.execute(
            "select schema_name, table_name, estimated_size from duckdb_tables() "
            "where schema_name in ('raw', 'marts') order by schema_name, table_name"
        ).fetchall()
        for schema, table, rows in tables:
            lines.append(f"  {schema}.{table}: {rows} rows")
        headline = con.execute(
            """
            select year(period_start), export_usd / 1e9, import_usd / 1e9, balance_usd / 1e9
            from marts.fct_bilateral_trade
            where partner_iso3 = 'CHN' and period_grain = 'year'
            order by period_start desc limit 1
            """
        ).fetchone() if any(t[1] == "fct_bilateral_trade" for t in tables) else None
        if headline:
            year, exports, imports, balance = headline
            lines.append(
                f"Korea-China {year}: exports US${exports:.1f} bn, imports US${imports:.1f} bn, "
                f"balance US${balance:.1f} bn"
            )
        if any(t[1] == "fct_reference_checks" for t in tables):
            counts = con.execute(
                "select status, count(*) from marts.fct_reference_checks group by status order by status"
            ).fetchall()
            lines.append("reference figures: " + ", ".join(f"{n} {status}" for status, n in counts))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dagster_project.cli", description=__doc__)
    parser.add_argument("command", choices=["prepare", "build", "summary", "refresh", "backfill"])
    parser.add_argument("--month", help="refresh: the month partition to refresh, YYYY-MM")
    parser.add_argument("--from-month", help="backfill: first month, YYYY-MM")
    parser.add_argument("--to-month", help="backfill: last month, YYYY-MM")
    args = parser.parse_args(argv)

    if args.command == "prepare":
        prepare()
        return 0
    if args.command == "summary":
        print("\n".join(summary_lines()))
        return 0

    started = time.monotonic()
    prepare()
    if args.command == "refresh":
        if not args.month:
            parser.error("refresh needs --month YYYY-MM")
        # The same job the monthly schedule runs, for one month, through to the marts.
        result = run_job("refresh_monthly", partition_key=args.month)
    elif args.command == "backfill":
        if not (args.from_month and args.to_month):
            parser.error("backfill needs --from-month YYYY-MM --to-month YYYY-MM")
        # One run over the whole range: the raw assets loop over its months, dbt rebuilds the window once.
        result = run_job("refresh_monthly", partition_range=(args.from_month, args.to_month))
    else:
        result = run_build_job()
    print("\n".join(summary_lines(result)))
    print(f"{args.command} took {time.monotonic() - started:.1f} s")
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                error = event.step_failure_data.error
                print(f"step {event.step_key} failed: {error.message.strip() if error else ''}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
