"""publish() and rollback() on small real DuckDB files, with readers in other processes where it matters.

ALL FIGURES HERE ARE SYNTHETIC: each file holds one "generation" number and a few rows made from it, so a test can
tell which file a reader sees. Only the shape of the marts (the columns serving_checks reads) is the real one.
"""

import hashlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from dagster_project.warehouse import publish as publishing
from dagster_project.warehouse.publish import PublishError, previous_path, publish, rollback, wal_path

# Reads the generation of a file in another process: once at start, then once per line on stdin, printing each.
HOLDING_READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
read = lambda: print(con.execute("select max(generation) from marts.fct_trade_totals").fetchone()[0], flush=True)
read()
for _ in sys.stdin:
    read()
"""
# Writes rows and dies without closing: the rows are committed to the WAL but not checkpointed into the file.
CRASHING_WRITER = """
import os, sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("insert into marts.fct_trade_totals select 'KOR', 'year', date '2001-01-01', 0, 0, 0, 0, 99")
os._exit(0)
"""
# Holds a write connection until stdin closes, as a still-running dbt would.
HOLDING_WRITER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("open", flush=True)
sys.stdin.read()
"""


def make_warehouse(path: Path, generation: int, *, break_invariant: bool = False) -> Path:
    """A minimal warehouse: partners of one year, totals with the unallocated residual, and the other core marts."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            """create table marts.fct_bilateral_trade as select * from (values
               ('KOR', 'CHN', 'year', date '2000-01-01', 10 * ?, 7),
               ('KOR', 'USA', 'year', date '2000-01-01', 20, null)
               ) t(reporter_iso3, partner_iso3, period_grain, period_start, export_usd, import_usd)""",
            [generation],
        )
        unallocated = 4 if break_invariant else 3
        con.execute(
            """create table marts.fct_trade_totals as select 'KOR' as reporter_iso3, 'year' as period_grain,
               date '2000-01-01' as period_start, 10 * ? + 23 as reported_export_usd, 9 as reported_import_usd,
               ? as unallocated_export_usd, 2 as unallocated_import_usd, ? as generation""",
            [generation, unallocated, generation],
        )
        con.execute("create table marts.fct_partner_shares as select 1 as x")
        con.execute("create table marts.dim_country as select 'KOR' as country_iso3")
    return path


def generation(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select max(generation) from marts.fct_trade_totals").fetchone()[0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if publishing.TEMP_MARKER in p.name or p.suffix == ".wal")


def start(script: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)


@pytest.fixture
def served(tmp_path) -> Path:
    return tmp_path / "serving" / "warehouse.duckdb"


def test_publish_copies_a_verified_file_and_keeps_one_previous_generation(tmp_path, served):
    first = publish(make_warehouse(tmp_path / "one.duckdb", 1), served)
    assert first.previous_file is None
    assert generation(served) == 1
    assert [c.name for c in first.checks if c.passed] == [
        "rows:fct_bilateral_trade", "rows:fct_trade_totals", "rows:fct_partner_shares", "rows:dim_country",
        "partners_plus_unallocated_equals_total"]

    second = publish(make_warehouse(tmp_path / "two.duckdb", 2), served)
    third = publish(make_warehouse(tmp_path / "three.duckdb", 3), served)

    assert (generation(served), generation(previous_path(served))) == (3, 2)
    assert second.previous_file == third.previous_file == served.with_name("warehouse.previous.duckdb")
    assert third.size_bytes == served.stat().st_size and third.seconds >= third.copy_seconds > 0
    assert leftovers(served.parent) == []


def test_rollback_swaps_the_generations_and_twice_rolls_forward(tmp_path, served):
    with pytest.raises(PublishError, match="nothing to roll back"):
        rollback(served)
    publish(make_warehouse(tmp_path / "one.duckdb", 1), served)
    with pytest.raises(PublishError, match="nothing to roll back to"):
        rollback(served)
    publish(make_warehouse(tmp_path / "two.duckdb", 2), served)

    rollback(served)
    assert (generation(served), generation(previous_path(served))) == (1, 2)
    rollback(served)
    assert (generation(served), generation(previous_path(served))) == (2, 1)
    assert leftovers(served.parent) == []


def test_a_reader_keeps_its_snapshot_and_a_new_reader_sees_the_new_file(tmp_path, served):
    publish(make_warehouse(tmp_path / "one.duckdb", 1), served)
    reader = start(HOLDING_READER, str(served))
    try:
        assert reader.stdout.readline().strip() == "1"
        publish(make_warehouse(tmp_path / "two.duckdb", 2), served)
        publish(make_warehouse(tmp_path / "three.duckdb", 3), served)  # the reader's file is now unlinked
        assert generation(served) == 3  # a connection opened after the publish (this process had none open)
        reader.stdin.write("again\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "1"
    finally:
        reader.stdin.close()
        assert reader.wait(timeout=30) == 0


def test_the_work_files_wal_is_checkpointed_into_the_published_copy(tmp_path, served):
    work = make_warehouse(tmp_path / "work.duckdb", 1)
    subprocess.run([sys.executable, "-c", CRASHING_WRITER, str(work)], check=True, timeout=60)
    assert wal_path(work).exists(), "the writer should have left its WAL behind"

    publish(work, served)

    assert generation(served) == 99
    assert not wal_path(served).exists() and not wal_path(work).exists()


def test_a_failed_check_publishes_nothing(tmp_path, served):
    publish(make_warehouse(tmp_path / "one.duckdb", 1), served)
    before = sha256(served)

    with pytest.raises(PublishError, match="partners_plus_unallocated_equals_total"):
        publish(make_warehouse(tmp_path / "bad.duckdb", 2, break_invariant=True), served)
    with pytest.raises(PublishError, match="does not exist"):
        publish(tmp_path / "missing.duckdb", served)

    assert sha256(served) == before
    assert not previous_path(served).exists()
    assert leftovers(served.parent) == []


def test_a_work_file_held_by_a_writer_is_not_published(tmp_path, served):
    work = make_warehouse(tmp_path / "work.duckdb", 1)
    writer = start(HOLDING_WRITER, str(work))
    try:
        assert writer.stdout.readline().strip() == "open"
        with pytest.raises(PublishError, match="cannot read the work file"):
            publish(work, served)
    finally:
        writer.stdin.close()
        assert writer.wait(timeout=30) == 0
    assert not served.exists()


def test_leftovers_of_a_crashed_publish_and_a_stale_wal_are_cleared(tmp_path, served):
    served.parent.mkdir(parents=True)
    stale_temp = served.with_name(f".{served.name}{publishing.TEMP_MARKER}copy-12345")
    stale_temp.write_bytes(b"half a copy")
    wal_path(served).write_bytes(b"not this file's log")

    publish(make_warehouse(tmp_path / "one.duckdb", 1), served)

    assert generation(served) == 1
    assert leftovers(served.parent) == []


def test_publishes_do_not_interleave(tmp_path, served):
    work = make_warehouse(tmp_path / "one.duckdb", 1)
    served.parent.mkdir(parents=True)
    done = threading.Event()
    worker = threading.Thread(target=lambda: (publish(work, served), done.set()))
    with publishing._publish_lock(served):
        worker.start()
        assert not done.wait(timeout=1.0), "publish ran while another held the lock"
        assert not served.exists()
    worker.join(timeout=30)
    assert done.is_set() and generation(served) == 1


def test_the_rollback_command_swaps_the_served_generations(tmp_path, served):
    publish(make_warehouse(tmp_path / "one.duckdb", 1), served)
    publish(make_warehouse(tmp_path / "two.duckdb", 2), served)
    env = {**os.environ, "SERVING_PATH": str(served), "WAREHOUSE_PATH": str(tmp_path / "work.duckdb")}
    command = [sys.executable, "-m", "dagster_project.cli", "rollback"]

    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert (generation(served), generation(previous_path(served))) == (1, 2)
    assert f"served file: {served}" in done.stdout
    previous_path(served).unlink()
    failed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1 and "nothing to roll back to" in failed.stderr
    assert generation(served) == 1
