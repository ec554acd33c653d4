"""Build and serve are separate files: readers in other processes while a run and the publish function publish,
and a run killed mid-build whose recovery is a safe rerun (the same rows, the same marts, the report kept).
Every run builds into a temporary work file and publishes to a temporary served file. (A failing data test that
must publish nothing: test_gate.)
"""

import hashlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project import settings
from dagster_project.warehouse.publish import (
    TEMP_MARKER,
    file_fingerprint,
    generations_dir,
    list_generations,
    pointer_target,
    previous_path,
    publish,
    serving_checks,
    wal_path,
)

from .conftest import environment, table_contents

READER = Path(__file__).with_name("serving_reader.py")
# A new connection per round, and threaded BI servers that hold a connection open throughout (see serving_reader).
READER_MODES = ["duckdb", "sqlalchemy", "duckdb-threads", "sqlalchemy-threads"]
KEEP_GENERATIONS = 3  # fewer than the test's publishes: the held connections' generation is pruned under them
READER_MAX_SECONDS = 3600  # a backstop only: the test stops the readers with the stop file (a loaded machine is slow)
PUBLISH_KEY = dg.AssetKey(["serving", "warehouse"])
REPORT = dg.AssetKey(["serving", "report"])
# what a rerun over the same raw files must leave as it was: marts, product marts (incremental) and a raw table
RERUN_TABLES = [
    "marts.fct_bilateral_trade",
    "marts.fct_trade_totals",
    "marts.fct_partner_shares",
    "marts.dim_country",
    "marts.dim_kosis_partner_code",
    "marts.fct_reference_checks",
    "marts.fct_product_trade",
    "marts.fct_import_supplier_shares",
    "marts.fct_import_dependence",
    "raw.kosis_trade_by_partner_annual",
]
# dbt starting a model of the marts schema ("START sql table model marts.dim_country"): the kill's moment
MART_STARTED = re.compile(r"START sql \w+ model marts\.")
# Fiji's exports in 1995 (export_kosis) + 1,000: a second, valid snapshot whose Σ partners and residual differ.
FIJI_1995 = "FJI,Fiji,1995,"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_serves_cleanly(served: Path) -> None:
    """The served path is a symlink to a generation that opens read-only and passes the serving checks; nothing
    half-done lies beside it, and no WAL beside any generation."""
    assert served.is_symlink() and pointer_target(served) in list_generations(served)
    with duckdb.connect(str(served), read_only=True) as con:
        failed = [check for check in serving_checks(con) if not check.passed]
    assert failed == []
    for directory in (served.parent, generations_dir(served)):
        assert [p.name for p in directory.iterdir() if TEMP_MARKER in p.name or p.suffix == ".wal"] == []


def report_metadata(result) -> dict:
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key == REPORT]
    return dict(event.materialization.metadata)


def published_latencies(result) -> list[float]:
    return [
        event.materialization.metadata["publish_latency_seconds"].value
        for event in result.get_asset_materialization_events()
        if event.asset_key == PUBLISH_KEY
    ]


@pytest.fixture
def baseline_work(built, work_dir) -> Path:
    """A private copy of the baseline build from raw/ (in `work_dir`: its runs reuse the worker's dbt parse)."""
    source, result = built
    assert result.success, "the baseline build failed; see test_build"
    return Path(shutil.copy(source, work_dir / "warehouse.duckdb"))


@pytest.mark.runs(1)
def test_readers_see_whole_snapshots_while_runs_publish(baseline_work, raw_copy, run_build, tmp_path, monkeypatch):
    served = tmp_path / "serving" / "warehouse.duckdb"
    monkeypatch.setenv(settings.SERVING_GENERATIONS_KEEP_ENV, str(KEEP_GENERATIONS))
    annual = raw_copy / "kosis_kdiplo/trade_data.csv"
    text = annual.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith(FIJI_1995))
    fields = row.split(",")
    fields[7] = str(int(fields[7]) + 1_000)
    annual.write_text(text.replace(row, ",".join(fields)), encoding="utf-8")
    # Snapshot A: a copy of the baseline. Snapshot B: the run's build on the work file itself, whose dbt starts from
    # the parse the worker's earlier runs left (the profile names the candidate beside the work file).
    work_a, work_b = Path(shutil.copy(baseline_work, tmp_path / "work_a.duckdb")), baseline_work

    first = publish(work_a, served)
    latencies = [first.seconds]
    stop, tick = tmp_path / "stop", tmp_path / "tick"
    tick.write_text("0")
    readers = [
        subprocess.Popen(
            [
                sys.executable,
                str(READER),
                mode,
                str(served),
                str(stop),
                str(tmp_path / f"reader{i}.json"),
                str(READER_MAX_SECONDS),
                str(tick),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i, mode in enumerate(READER_MODES)
    ]

    def readers_read(published: int) -> None:
        """Wait until every thread of every reader has completed a round begun after publish number `published`."""
        for reader in readers:
            line = "-1"
            while int(line) < published:
                line = reader.stdout.readline().strip()
                assert line, f"a reader stopped early (exit code {reader.poll()})"

    try:
        readers_read(0)
        # Publishes A, B, A, B in all, one more than generations kept, so the first is pruned under the readers that
        # hold it: a real run of the whole job that builds snapshot B and publishes it, then the two work files
        # published again in turn by the function serving/warehouse calls (a lone publish's gated build:
        # test_gate).
        result = run_build(work_b, raw_copy, served=served)
        assert result.success
        latencies += published_latencies(result)
        tick.write_text("1")
        readers_read(1)  # every reader reads each snapshot
        for number, work in enumerate((work_a, work_b), start=2):
            latencies.append(publish(work, served).seconds)
            tick.write_text(str(number))
            readers_read(number)
    finally:
        stop.touch()
        for reader in readers:
            reader.wait(timeout=60)

    seen = [json.loads((tmp_path / f"reader{i}.json").read_text()) for i in range(len(readers))]
    queries = sum(s["queries"] for s in seen)
    print(
        f"\nserving concurrency: {len(readers)} readers ({', '.join(READER_MODES)}), {queries} queries, "
        f"{sum(len(s['errors']) for s in seen)} reader errors, "
        f"{sum(len(s['violations']) for s in seen)} invariant violations; {len(latencies)} publishes, latency "
        f"min {min(latencies):.3f} s, median {statistics.median(latencies):.3f} s, max {max(latencies):.3f} s"
    )
    assert [r.returncode for r in readers] == [0] * len(readers)
    assert len(latencies) == 4
    for s in seen:
        assert s["errors"] == []
        assert s["violations"] == []
        assert len(s["snapshots"]) == 2, "each reader should have seen both snapshots"
        assert s["rounds"] > 20
    ((low, high),) = {tuple(sorted(float(value) for value in s["snapshots"])) for s in seen}
    assert high - low == 1_000  # the Fiji edit, in USD: snapshots A and B, and nothing else
    # Every reader, the threaded ones included, reads the last publish (B, Σ exports + 1,000) by the end ...
    assert {float(s["last"]) for s in seen} == {high}
    # ... while the connections the threaded readers held from the start read A throughout, after its file was pruned.
    assert [{float(v) for v in s["held"]} for s in seen if s["held"]] == [{low}, {low}]
    assert len(list_generations(served)) == KEEP_GENERATIONS and not first.generation.exists()
    assert_serves_cleanly(served)
    assert table_contents(served, "marts.fct_trade_totals") == table_contents(work_b, "marts.fct_trade_totals")
    assert table_contents(previous_path(served), "marts.fct_trade_totals") == table_contents(
        work_a, "marts.fct_trade_totals"
    )


@pytest.mark.runs(2)
def test_a_run_killed_mid_build_leaves_the_served_file_and_the_next_run_recovers(baseline_work, run_build, tmp_path):
    served = tmp_path / "serving" / "warehouse.duckdb"
    # the work file was just published, so the build moves it to its candidate: killed mid-build, the work file
    # is missing until the next run puts it back from the published bytes
    publish(baseline_work, served)
    served_before = sha256(served)
    work, original = baseline_work, Path(shutil.copy(baseline_work, tmp_path / "original.duckdb"))
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(settings.DEFAULT_DAGSTER_HOME / "dagster.yaml", dagster_home)
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(work),
        "SERVING_PATH": str(served),
        "DAGSTER_HOME": str(dagster_home),
        "RAW_DIR": str(settings.DEFAULT_RAW_DIR),
        "PYTHONUNBUFFERED": "1",
    }
    build = [sys.executable, "-m", "dagster_project.cli", "build"]
    log = tmp_path / "killed_build.log"

    with open(log, "w") as out:
        # Its own session, so that kill -9 reaches the whole run: the CLI and the dbt process it started.
        run = subprocess.Popen(
            build,
            cwd=settings.REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
            errors="replace",
        )
        backstop = threading.Timer(180, os.killpg, (run.pid, signal.SIGKILL))  # dbt never reached the marts
        backstop.start()
        try:
            # Read the run's output as it comes: once dbt starts the marts, the run is in the middle of the build.
            for line in run.stdout:
                out.write(line)
                if MART_STARTED.search(line):
                    break
            else:
                pytest.fail(f"the build ended before it could be killed:\n{log.read_text()}")
        finally:
            backstop.cancel()
            os.killpg(run.pid, signal.SIGKILL)
            run.wait(timeout=30)
            run.stdout.close()
    assert run.returncode == -signal.SIGKILL
    assert not work.exists(), "the run did not move the published work file to its candidate"

    assert sha256(served) == served_before
    assert_serves_cleanly(served)

    rerun = subprocess.run(build, cwd=settings.REPO_ROOT, env=env, capture_output=True, text=True, timeout=400)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    # What a CLI run prints: Dagster's INFO and up and dbt's own progress, not the ~570 DEBUG events stored in the
    # instance, nor Python warnings (the live assets' beta backfill policy warned five times when the CLI imported
    # them before loading the definitions)
    console = rerun.stdout + rerun.stderr
    assert " - INFO - " in console and "START sql" in console
    assert " - DEBUG - " not in console and "Warning: " not in console
    assert "\x1b[" not in console  # piped: dbt's lines without colour escape sequences
    # Two real builds of the same raw files: different bytes (block layout, raw tables' _loaded_at and _load_id), the
    # same marts. The second publishes nothing new and rotates nothing.
    published = next(line for line in rerun.stdout.splitlines() if line.startswith("published"))
    print(
        f"\ncrash test: killed the build mid-dbt (work file left with a WAL: {wal_path(work).exists()}); "
        f"the next run: {published}"
    )
    assert published.startswith("published nothing new")
    assert sha256(work) != sha256(original) and file_fingerprint(work) == file_fingerprint(original)
    assert sha256(served) == served_before and len(list_generations(served)) == 1
    assert not previous_path(served).exists()
    assert_serves_cleanly(served)
    assert table_contents(served, "marts.fct_trade_totals") == table_contents(original, "marts.fct_trade_totals")

    # The recovery run is a rerun over the same raw files: it keeps their rows (not reloaded: the same _loaded_at and
    # _load_id), the product marts, incremental by source, rebuild nothing (every row keeps the build that wrote
    # it), and the marts are the same, table by table.
    for table in RERUN_TABLES:
        assert table_contents(work, table) == table_contents(original, table), table
    with environment(DAGSTER_HOME=str(dagster_home)), dg.DagsterInstance.get() as instance:
        [latest, _killed] = instance.get_runs()  # newest first
        events = [
            record.event_log_entry.dagster_event
            for record in instance.get_records_for_run(
                latest.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION
            ).records
        ]
    reloaded = {
        event.asset_key.path[-1]: event.materialization.metadata["reloaded"].value
        for event in events
        if "reloaded" in event.materialization.metadata
    }
    assert len(reloaded) >= 10 and not any(reloaded.values()), reloaded

    # The report of a generation already drawn is kept, not drawn again, and shows the same charts and previews.
    [drawn] = [dict(e.materialization.metadata) for e in events if e.asset_key == REPORT]
    kept = report_metadata(run_build(work, selection=[REPORT], served=served))
    assert drawn["redrawn"].value is True and kept["redrawn"].value is False
    assert int(kept["charts_rendered"].value) >= 5
    assert {**kept, "redrawn": drawn["redrawn"]} == drawn
