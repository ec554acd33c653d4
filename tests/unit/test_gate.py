"""The run gate on real DuckDB files: candidates, promotion only after a pass, failed candidates kept, the lock."""

import os
import subprocess
import sys

import duckdb
import pytest

from dagster_project.warehouse import gate
from dagster_project.warehouse.publish import publish


def make_work_file(path, value):
    with duckdb.connect(str(path)) as con:
        con.execute("create or replace table t as select ? as v", [value])


def read(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select v from t").fetchone()[0]


def test_a_candidate_is_a_copy_and_only_a_passed_one_is_promoted(tmp_path):
    work = tmp_path / "warehouse.duckdb"
    make_work_file(work, 1)
    candidate = gate.prepare_candidate(work, "run-1")
    assert candidate.path.parent == tmp_path / "candidates" and read(candidate.path) == 1
    make_work_file(candidate.path, 2)
    with pytest.raises(gate.GateError, match="has not passed"):
        gate.promote(candidate)
    gate.mark_passed(candidate, "test")
    assert gate.promote(candidate) == work
    assert read(work) == 2 and not candidate.path.exists() and not gate.wal_path(work).exists()


def test_a_candidate_changed_after_it_passed_is_not_promoted(tmp_path):
    work = tmp_path / "warehouse.duckdb"
    make_work_file(work, 1)
    candidate = gate.prepare_candidate(work, "run-1")
    gate.mark_passed(candidate, "test")
    make_work_file(candidate.path, 3)  # written after the tests passed
    with pytest.raises(gate.GateError):
        gate.promote(candidate)
    assert read(work) == 1


def test_failed_candidates_are_kept_with_a_reason_and_pruned(tmp_path):
    work = tmp_path / "warehouse.duckdb"
    make_work_file(work, 1)
    kept = []
    for run in range(5):
        candidate = gate.prepare_candidate(work, f"run-{run}")
        kept.append(gate.set_aside_failed(candidate, f"run-{run} failed a test"))
        os.utime(kept[-1], (run, run))  # oldest first
    assert kept[-1].name == "run-4.failed.duckdb"
    assert "run-4 failed a test" in kept[-1].with_suffix(".reason.txt").read_text()
    gate.prune_failed(work, keep=3)
    assert sorted(p.name for p in (tmp_path / "candidates").glob("*.duckdb")) == [
        "run-2.failed.duckdb",
        "run-3.failed.duckdb",
        "run-4.failed.duckdb",
    ]
    assert read(work) == 1


def test_a_candidate_of_a_killed_run_is_set_aside_by_the_next_run(tmp_path):
    work = tmp_path / "warehouse.duckdb"
    make_work_file(work, 1)
    dead = gate.prepare_candidate(work, "run-dead")
    make_work_file(dead.path, 99)
    following = gate.prepare_candidate(work, "run-next")
    # every run of a work file builds at the same path (dbt's profile stays the same): the dead run's state is kept
    # under its own run id, and the next run starts again from the work file
    assert following.path == dead.path and read(following.path) == 1
    assert read(tmp_path / "candidates" / "run-dead.failed.duckdb") == 99
    assert "abandoned" in (tmp_path / "candidates" / "run-dead.failed.reason.txt").read_text()


def published(tmp_path, value):
    """A work file holding `value`, published (no serving checks: only the gate's bookkeeping is under test)."""
    work = tmp_path / "warehouse.duckdb"
    make_work_file(work, value)
    result = publish(work, tmp_path / "serving" / "warehouse.duckdb", verify=None)
    return work, result.generation


def test_after_a_publish_the_next_run_moves_the_work_file_and_a_failure_puts_it_back(tmp_path):
    work, generation = published(tmp_path, 1)
    served_bytes, work_inode = generation.read_bytes(), work.stat().st_ino
    base = gate.base_path(work)
    assert base.stat().st_ino == generation.stat().st_ino != work_inode  # the base is the generation's file

    candidate = gate.prepare_candidate(work, "run-1")
    assert candidate.moved and not work.exists() and candidate.path.stat().st_ino == work_inode
    make_work_file(candidate.path, 2)  # the run writes its candidate, then fails
    generation.unlink()  # even when its generation is pruned meanwhile, the base keeps the bytes
    kept = gate.set_aside_failed(candidate, "run-1 failed a test")
    assert read(work) == 1 and read(kept) == 2 and base.read_bytes() == served_bytes

    again = gate.prepare_candidate(work, "run-2")  # the restored work file holds the base's bytes: moved again
    assert again.moved and read(again.path) == 1


def test_a_run_killed_after_the_move_is_undone_by_the_next_run(tmp_path):
    work, _ = published(tmp_path, 1)
    dead = gate.prepare_candidate(work, "run-dead")
    make_work_file(dead.path, 99)  # killed here: no promotion, no set-aside
    following = gate.prepare_candidate(work, "run-next")
    assert read(following.path) == 1 and read(tmp_path / "candidates" / "run-dead.failed.duckdb") == 99
    gate.set_aside_failed(following, "run-next failed too")
    assert read(work) == 1


def test_a_work_file_written_after_its_publish_is_copied_and_the_served_file_is_untouched(tmp_path):
    work, generation = published(tmp_path, 1)
    make_work_file(work, 5)  # by hand, in place: the work file never shares its inode with a generation
    candidate = gate.prepare_candidate(work, "run-1")
    assert not candidate.moved and read(candidate.path) == 5 and read(work) == 5 and read(generation) == 1


def test_a_promotion_drops_the_base_of_the_state_it_replaces(tmp_path):
    work, _ = published(tmp_path, 1)
    candidate = gate.prepare_candidate(work, "run-1")
    make_work_file(candidate.path, 2)
    gate.mark_passed(candidate, "test")
    gate.promote(candidate)
    assert read(work) == 2 and not gate.base_path(work).exists()
    following = gate.prepare_candidate(work, "run-2")
    assert not following.moved and read(work) == 2 and read(following.path) == 2


def test_a_moved_work_file_without_its_base_is_an_error_naming_the_base(tmp_path):
    work, _ = published(tmp_path, 1)
    candidate = gate.prepare_candidate(work, "run-1")
    gate.base_path(work).unlink()
    with pytest.raises(gate.GateError, match=r"cannot be put back: its base .*warehouse\.duckdb\.published"):
        gate.set_aside_failed(candidate, "run-1 failed")
    assert read(candidate.failed_path) == 1  # the moved file itself is kept


HOLD = """
import sys, time
from dagster_project.warehouse.gate import WarehouseLock
lock = WarehouseLock(sys.argv[1]); lock.acquire("run-holder", timeout=0)
print("held", flush=True); sys.stdin.readline()
"""


def test_the_lock_refuses_a_second_run_and_names_the_holder(tmp_path):
    work = tmp_path / "warehouse.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(work)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        waited = []
        lock = gate.WarehouseLock(work)
        with pytest.raises(gate.WarehouseBusyError, match=r"run run-holder \(pid \d+") as error:
            lock.acquire("run-2", timeout=0.2, poll=0.05, on_wait=waited.append, sleep=lambda s: None)
        assert "wrote nothing" in str(error.value)
        assert waited and "waiting for run run-holder" in waited[0]
    finally:
        holder.communicate("\n")
    # the holder is gone: the kernel released its lock
    lock = gate.WarehouseLock(work)
    lock.acquire("run-3", timeout=0)
    lock.release()
