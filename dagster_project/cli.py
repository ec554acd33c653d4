"""Command line behind the Makefile: `prepare` (dbt parse), `build` (run the build_warehouse job), `refresh` and
`backfill` (the live monthly sources), `materialize` (the assets named, with the gate), `summary`, `rollback` (serve
the previous generation again) and `docs` (dbt docs, offline).

`build` executes the same `build_warehouse` job that the UI and schedules run, recorded in the Dagster instance
under DAGSTER_HOME (so `dagster dev` shows the run), then prints a short summary of the work file and says whether
the run published it to the served file.

While a run goes, the console shows Dagster's messages at INFO and above (what each load read and quarantined, the
dbt command, promote, publish, the report, and any warning or failure) and dbt's own progress lines. The ~570
DEBUG events of a build (step starts, outputs, one per asset check, most of them repeating a dbt line) are stored
in the instance whatever the console shows (`make dev` -> Runs); `--verbose` prints them too.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from datetime import datetime

from dagster_project import settings
from dagster_project.formats import usd_bn

JOB_NAME = "build_warehouse"
CONSOLE_LOG_LEVEL, VERBOSE_CONSOLE_LOG_LEVEL = "INFO", "DEBUG"


def console_run_config(verbose: bool = False) -> dict:
    """The run config that sets the level of Dagster's console logger (it only filters what is printed)."""
    level = VERBOSE_CONSOLE_LOG_LEVEL if verbose else CONSOLE_LOG_LEVEL
    return {"loggers": {"console": {"config": {"log_level": level}}}}


DBT_USE_COLORS_ENV = "DBT_USE_COLORS"  # dbt's own setting


def plain_dbt_output_unless_a_terminal(stream=None) -> None:
    """dbt colours its progress lines (`[OK in 0.2s]`, ERROR) with ANSI codes, which the console shows as colour
    but a file or a pipe (CI, cron, `make warehouse > build.log`) keeps as escape sequences. Off unless the output
    is a terminal; a DBT_USE_COLORS the user set wins."""
    stream = stream or sys.stdout
    if not stream.isatty():
        os.environ.setdefault(DBT_USE_COLORS_ENV, "False")


def prepare(force: bool = False) -> bool:
    """Write dbt_project/target/manifest.json (Dagster's dbt assets are defined from it), unless it was already
    parsed from exactly the dbt project files there are now. True if `dbt parse` ran."""
    from dagster_project import dbt_manifest

    settings.export_warehouse_path()
    return dbt_manifest.parse(
        settings.DBT_PROJECT_DIR,
        settings.DBT_TARGET_DIR,
        settings.DBT_EXECUTABLE,
        settings.DEFAULT_DBT_TARGET,
        force=force,
    )


def project_instance():
    """The Dagster instance under DAGSTER_HOME, by default the project's `.dagster_home/`, also when the CLI runs
    without the Makefile (which exports it for `dagster dev`)."""
    import dagster as dg

    os.environ[settings.DAGSTER_HOME_ENV] = str(settings.dagster_home())
    return dg.DagsterInstance.get()


def run_job(
    name: str = JOB_NAME,
    partition_key: str | None = None,
    partition_range: tuple[str, str] | None = None,
    instance=None,
    verbose: bool = False,
    asset_selection=None,
    definitions=None,
):
    """Execute a job of the definitions in this process (recorded in the DAGSTER_HOME instance): unpartitioned,
    one partition, or a range of partitions in a single run (a backfill); with `asset_selection` (asset keys),
    those assets in Dagster's implicit asset job instead, as the UI's *Materialize selected* runs them. Returns the
    ExecuteInProcessResult. The console shows INFO and above, or every event if `verbose`. `definitions`: those
    already loaded, if any."""
    from dagster_project.definitions import defs
    from dagster_project.defs.partitions import range_tags

    definitions = definitions or defs()
    job = (
        definitions.resolve_implicit_job_def_def_for_assets(asset_selection)
        if asset_selection
        else definitions.resolve_job_def(name)
    )
    tags = range_tags(*partition_range) if partition_range else {}

    def execute(instance):
        return job.execute_in_process(
            instance=instance,
            run_config=console_run_config(verbose),
            raise_on_error=False,
            partition_key=partition_key,
            asset_selection=asset_selection,
            tags=tags,
        )

    if instance is not None:
        return execute(instance)
    with project_instance() as instance:  # disposed at the end: its event log databases are closed
        return execute(instance)


def run_build_job(instance=None, verbose: bool = False):
    """Execute the build_warehouse job in this process."""
    return run_job(JOB_NAME, instance=instance, verbose=verbose)


class SelectionError(ValueError):
    """A `materialize` selection or partition that cannot run: the message says why and what to pass instead."""


def materialize_keys(select: str, partition: str | None, definitions) -> list:
    """The asset keys `materialize` runs: the selection (Dagster's syntax, as `dagster asset materialize --select`
    takes it: `raw/kcs_trade_by_country`, `key:raw/*`, `marts/fct_trade_totals+`, comma-separated) and always the
    serving assets, which build and test the whole dbt project on the run's candidate and publish it only if all
    passed. A partitioned selection needs its partition, an unpartitioned one none; monthly and yearly assets run
    apart. Raises SelectionError saying what is wrong."""
    import dagster as dg
    from dagster._core.errors import DagsterInvalidSubsetError

    from dagster_project.defs.jobs import SERVING

    graph = definitions.resolve_asset_graph()
    clauses = [clause.strip() for clause in select.split(",") if clause.strip()]
    if not clauses:
        raise SelectionError("--select names no asset")
    try:
        keys = sorted((dg.AssetSelection.from_coercible(clauses) | SERVING).resolve(graph))
    except DagsterInvalidSubsetError as error:  # Dagster's message names the key and suggests near ones
        raise SelectionError(f"--select {select!r}: {error}") from None
    partitioned: dict = {}
    for key in keys:
        partitions_def = graph.get(key).partitions_def
        if partitions_def is not None:
            partitioned.setdefault(partitions_def, []).append(key.to_user_string())

    def described(partitions_def, names) -> str:
        partition_keys = partitions_def.get_partition_keys()
        span = f"{partition_keys[0]} to {partition_keys[-1]}" if partition_keys else "none yet"
        return f"{', '.join(names)} (partitions {span})"

    if len(partitioned) > 1:
        groups = "; ".join(described(*group) for group in partitioned.items())
        raise SelectionError(f"--select mixes assets partitioned differently, run them apart: {groups}")
    if not partitioned:
        if partition is not None:
            raise SelectionError(f"--partition {partition}: none of the selected assets is partitioned")
        return keys
    [(partitions_def, names)] = partitioned.items()
    if partition is None:
        raise SelectionError(
            f"{described(partitions_def, names)} is partitioned: add --partition (`make materialize PARTITION=...`)"
        )
    if partition not in partitions_def.get_partition_keys():
        raise SelectionError(f"--partition {partition} is not a partition of {described(partitions_def, names)}")
    return keys


def docs() -> None:
    """dbt docs generate --static: one self-contained target/static_index.html, no server and no network."""
    from dagster_project.defs.project import trade_dbt_project
    from dagster_project.defs.resources import TradeDbtCliResource

    settings.export_warehouse_path()
    dbt = TradeDbtCliResource(project_dir=trade_dbt_project, dbt_executable=settings.DBT_EXECUTABLE)
    dbt.cli(["docs", "generate", "--static"], target_path=trade_dbt_project.target_path).wait()
    print(f"dbt docs: {trade_dbt_project.project_dir / trade_dbt_project.target_path / 'static_index.html'}")


def publish_lines(result) -> list[str]:
    """Whether the run published the work file to the served file, from the serving/warehouse materialisation; and
    when serving/warehouse ran the whole dbt build itself (none or only some of the dbt assets were selected, as in
    `materialize`), what that build ran, since its tests are not among the run's asset checks."""
    from dagster_project.defs.assets.publish import OWN_DBT_BUILD, SERVED_WAREHOUSE_KEY

    published = [
        event for event in result.get_asset_materialization_events() if event.asset_key == SERVED_WAREHOUSE_KEY
    ]
    if not published:
        return [
            f"NOT published: the served file {settings.serving_path()} and the work file are unchanged "
            "(a load, a dbt model or an error-severity test failed; the run's candidate is kept under "
            f"{settings.warehouse_path().parent / 'candidates'} as <run id>.failed.duckdb)"
        ]
    metadata = published[-1].materialization.metadata
    gate = metadata.get("dbt_build")
    lines = [f"dbt build {gate.value}"] if gate and gate.value.startswith(OWN_DBT_BUILD) else []
    if "content_changed" in metadata and not metadata["content_changed"].value:
        return [
            *lines,
            f"published nothing new: the marts and reference tables equal those of the served generation "
            f"{metadata['generation'].value} (publish check {metadata['publish_latency_seconds'].value:.3f} s)",
        ]
    return [
        *lines,
        f"published: {metadata['served_path'].value} ({metadata['size_bytes'].value / 1e6:.1f} MB, "
        f"publish latency {metadata['publish_latency_seconds'].value:.3f} s)",
    ]


def served_lines() -> list[str]:
    """The served path and its generations: which one is served, the previous one, when each was published, how
    many are kept, and whether the served one passes the serving checks."""
    import duckdb

    from dagster_project.warehouse.publish import (
        generation_info,
        list_generations,
        pointer_target,
        previous_path,
        serving_checks,
    )

    served = settings.serving_path()
    lines = []
    for label, link in (("served file", served), ("previous generation", previous_path(served))):
        target = pointer_target(link)
        if target is None:
            lines.append(f"{label}: {link} (none yet)")
            continue
        stat = target.stat()
        published = generation_info(target).get("published_at") or datetime.fromtimestamp(stat.st_mtime).isoformat(
            timespec="seconds"
        )
        where = f"{link} -> {target.name}" if link.is_symlink() else str(link)
        lines.append(f"{label}: {where} ({stat.st_size / 1e6:.1f} MB, published {published})")
    generations = list_generations(served)
    if generations:
        lines.append(
            f"  generations: {len(generations)} in {generations[0].parent} "
            f"(keeping {settings.serving_generations_keep()}, {settings.SERVING_GENERATIONS_KEEP_ENV})"
        )
    if pointer_target(served) is not None:
        try:
            with duckdb.connect(str(served), read_only=True) as con:
                checks = serving_checks(con)
        except duckdb.Error as error:
            return [*lines, f"  (cannot open the served file: {error})"]
        failed = [f"{c.name} ({c.detail})" for c in checks if not c.passed]
        lines.append(
            f"  served checks: {len(checks) - len(failed)} of {len(checks)} passed"
            + (f"; failed: {', '.join(failed)}" if failed else "")
        )
    return lines


def rollback_command(to: str | None = None) -> int:
    """Serve the previous generation (or the one named `to`) again after checking it read-only, then redraw the
    report from the served file. A target that fails its checks is refused and nothing changes."""
    from dagster_project.reports import build_report
    from dagster_project.warehouse.publish import PublishError, rollback

    try:
        result = rollback(settings.serving_path(), to=to)
    except PublishError as error:
        print(f"rollback refused, nothing changed: {error}", file=sys.stderr)
        return 1
    print(
        f"rolled back: {result.served_file} -> {result.generation.name} "
        f"({len(result.checks)} serving checks passed); "
        f"{result.previous_file} -> {result.replaced.name if result.replaced else '(none)'} "
        "(roll back again to undo)"
    )
    try:
        report = build_report(settings.serving_path(), settings.report_dir())
    except Exception as error:  # noqa: BLE001 (the rollback stands; say that the report is stale)
        print(
            f"the report was NOT redrawn ({type(error).__name__}: {error}); it shows the generation served "
            "before the rollback",
            file=sys.stderr,
        )
        return 1
    print(f"report redrawn from the served file: {report.html_path} ({len(report.rendered)} charts)")
    print("\n".join(served_lines()))
    return 0


def check_lines(evaluations) -> list[str]:
    """'<n> checks: <p> passed, <w> warned, <f> failed', then one line per check that did not pass. A WARN-severity
    check that did not pass is reported, not a failure: it blocks nothing (the shipped KITA file's quarantined rows
    warn in every build from raw/)."""
    warned = [e for e in evaluations if not e.passed and e.severity.value == "WARN"]
    failed = [e for e in evaluations if not e.passed and e.severity.value != "WARN"]
    passed = len(evaluations) - len(warned) - len(failed)
    lines = [f"{len(evaluations)} checks: {passed} passed, {len(warned)} warned, {len(failed)} failed"]
    for label, group in (("warned", warned), ("FAILED", failed)):
        lines += [f"  {label}: {e.asset_key.to_user_string()} {e.check_name}" for e in group]
    return lines


def summary_lines(result=None) -> list[str]:
    """A few lines a person checks after a build: where the files are, what they hold, what the tests said."""
    import duckdb

    path = settings.warehouse_path()
    lines = [f"work file: {path}"]
    if result is not None:
        checks = [
            evaluation
            for event in result.all_events
            if event.event_type_value == "ASSET_CHECK_EVALUATION"
            for evaluation in [event.event_specific_data]
        ]
        counts, *not_passed = check_lines(checks)
        lines.append(
            f"run {result.run_id}: {'success' if result.success else 'FAILED'}; "
            f"{len(result.get_asset_materialization_events())} assets materialised; {counts}"
        )
        lines += not_passed
        lines += publish_lines(result)
    lines += served_lines()
    if not path.exists():
        return [*lines, "  (no work file yet)"]
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:  # e.g. a dbt process of a failed run still holds the write lock
        return [*lines, f"  (cannot open the work file to summarise it: {error})"]
    lines.append(f"work file contents: {path}")
    with con:
        tables = con.execute(
            "select schema_name, table_name, estimated_size from duckdb_tables() "
            "where schema_name in ('raw', 'marts') order by schema_name, table_name"
        ).fetchall()
        for schema, table, rows in tables:
            lines.append(f"  {schema}.{table}: {rows} rows")
        headline = (
            con.execute(
                """
            select year(period_start), export_usd, import_usd, balance_usd
            from marts.fct_bilateral_trade
            where partner_iso3 = 'CHN' and period_grain = 'year'
            order by period_start desc limit 1
            """
            ).fetchone()
            if any(t[1] == "fct_bilateral_trade" for t in tables)
            else None
        )
        if headline:
            year, exports, imports, balance = headline
            lines.append(
                f"Korea-China {year}: exports {usd_bn(exports)}, imports {usd_bn(imports)}, balance {usd_bn(balance)}"
            )
        if any(t[1] == "fct_reference_checks" for t in tables):
            counts = con.execute(
                "select status, count(*) from marts.fct_reference_checks group by status order by status"
            ).fetchall()
            lines.append("reference figures: " + ", ".join(f"{n} {status}" for status, n in counts))
    return lines


def is_month_text(text: str) -> bool:
    """YYYY-MM, a real month (not necessarily a partition)."""
    try:
        datetime.strptime(text, "%Y-%m")
    except ValueError:
        return False
    return len(text) == len("YYYY-MM")


def month_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Check refresh's --month and backfill's --from-month/--to-month against the month partitions before any work
    starts (a usage error, exit 2, instead of Dagster's traceback). A backfill that reaches past the last month that
    has ended stops there, and says so: `make backfill FROM=2026 TO=2026` asks for December as --to-month."""
    from dagster_project.defs.partitions import month_keys, not_a_month

    keys = month_keys()
    if args.command == "refresh":
        if not args.month:
            parser.error("refresh needs --month YYYY-MM")
        if problem := not_a_month(args.month, keys):
            parser.error(f"--month {problem}")
        return
    if not (args.from_month and args.to_month):
        parser.error("backfill needs --from-month YYYY-MM --to-month YYYY-MM")
    if is_month_text(args.to_month) and args.to_month > keys[-1]:
        print(f"backfill: {args.to_month} has not ended yet; the range ends at {keys[-1]}, the last month that has")
        args.to_month = keys[-1]
    for option, month in (("--from-month", args.from_month), ("--to-month", args.to_month)):
        if problem := not_a_month(month, keys):
            parser.error(f"{option} {problem}")
    if args.from_month > args.to_month:
        parser.error(f"--from-month {args.from_month} is after --to-month {args.to_month}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dagster_project.cli", description=__doc__)
    parser.add_argument(
        "command", choices=["prepare", "build", "summary", "refresh", "backfill", "materialize", "rollback", "docs"]
    )
    parser.add_argument("--month", help="refresh: the month partition to refresh, YYYY-MM")
    parser.add_argument(
        "--select",
        help="materialize: the assets to run (Dagster's selection syntax, comma-separated); the serving assets, "
        "which build, test and publish, are always added",
    )
    parser.add_argument("--partition", help="materialize: the partition of a partitioned selection (YYYY-MM, YYYY)")
    parser.add_argument("--from-month", help="backfill: first month, YYYY-MM")
    parser.add_argument("--to-month", help="backfill: last month, YYYY-MM")
    parser.add_argument(
        "--force", action="store_true", help="prepare: run `dbt parse` even if the manifest is up to date"
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="build, refresh, backfill, materialize: print every Dagster event of the run (DEBUG), not only INFO "
        "and above",
    )
    parser.add_argument(
        "--to",
        help="rollback: the generation to serve (a file name in serving/generations/); default: the previous one",
    )
    args = parser.parse_args(argv)

    if args.command == "prepare":
        print(
            "dbt parse: "
            + (
                "done"
                if prepare(force=args.force)
                else f"skipped, {settings.DBT_TARGET_DIR / 'manifest.json'} is up to date (--force parses)"
            )
        )
        return 0
    if args.command == "docs":
        docs()
        return 0
    if args.command == "rollback":
        return rollback_command(args.to)
    if args.command == "summary":
        print("\n".join(summary_lines()))
        return 0

    started = time.monotonic()
    if args.command in ("refresh", "backfill"):
        month_arguments(parser, args)
        if not settings.warehouse_path().exists():
            print(
                f"no work file at {settings.warehouse_path()}: run `make warehouse` first (a refresh adds live "
                "months to the warehouse built from raw/)",
                file=sys.stderr,
            )
            return 2
    if args.command == "materialize" and not args.select:
        parser.error("materialize needs --select '<asset key>[,<asset key>...]'")
    plain_dbt_output_unless_a_terminal()
    prepare()
    if args.command == "materialize":
        from dagster_project.definitions import defs

        definitions = defs()
        try:
            keys = materialize_keys(args.select, args.partition, definitions)
        except SelectionError as error:
            parser.error(str(error))
        result = run_job(
            asset_selection=keys, partition_key=args.partition, verbose=args.verbose, definitions=definitions
        )
    elif args.command == "refresh":
        # The same job the monthly schedule runs, for one month, through to the marts.
        result = run_job("refresh_monthly", partition_key=args.month, verbose=args.verbose)
    elif args.command == "backfill":
        # One run over the whole range: the raw assets loop over its months, one dbt build, one publish.
        result = run_job("refresh_monthly", partition_range=(args.from_month, args.to_month), verbose=args.verbose)
    else:
        result = run_build_job(verbose=args.verbose)
    print("\n".join(summary_lines(result)))
    print(f"{args.command} took {time.monotonic() - started:.1f} s")
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                error = event.step_failure_data.error
                print(f"step {event.step_key} failed: {error.message.strip() if error else ''}", file=sys.stderr)
        return 1
    return 0


def exit_now(code: int) -> None:
    """Exit without the interpreter's teardown: freeing the modules of Dagster, dbt and DuckDB takes ~1 s of native
    code after a run and does nothing for us. By then every DuckDB connection is closed, the Dagster instance is
    disposed (its SQLite event log committed) and each file is written; only the standard streams and logging
    handlers may still hold buffered output, so they are flushed first."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
