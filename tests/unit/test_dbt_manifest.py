"""`dbt parse` runs only when the dbt project changed; old per-run dbt folders are pruned, running ones kept."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from dagster_project import dbt_manifest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "dbt_project"
    (root / "models").mkdir(parents=True)
    (root / "dbt_project.yml").write_text("name: p\n")
    (root / "models" / "a.sql").write_text("select 1 as x\n")
    return root


@pytest.fixture
def fake_dbt(tmp_path: Path) -> tuple[str, Path]:
    """A stand-in `dbt` that writes a manifest into --target-path and counts its calls in a file."""
    calls = tmp_path / "calls"
    script = tmp_path / "dbt"
    script.write_text(f"""#!{sys.executable}
import sys, pathlib
args = sys.argv[1:]
target = pathlib.Path(args[args.index("--target-path") + 1])
target.mkdir(parents=True, exist_ok=True)
(target / "manifest.json").write_text("{{}}")
calls = pathlib.Path({str(calls)!r})
calls.write_text(str(int(calls.read_text() or 0) + 1) if calls.exists() else "1")
""")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script), calls


def test_parses_once_then_again_only_when_a_project_file_changes(project, fake_dbt):
    dbt, calls = fake_dbt
    target = project / "target"
    assert dbt_manifest.parse(project, target, dbt, "local") is True
    assert dbt_manifest.parse(project, target, dbt, "local") is False
    assert calls.read_text() == "1"

    (project / "models" / "a.sql").write_text("select 2 as x\n")  # an edit
    assert dbt_manifest.parse(project, target, dbt, "local") is True
    (project / "models" / "b.sql").write_text("select 3 as y\n")  # a new model
    assert dbt_manifest.parse(project, target, dbt, "local") is True
    (project / "models" / "b.sql").unlink()  # a removed one
    assert dbt_manifest.parse(project, target, dbt, "local") is True
    assert dbt_manifest.parse(project, target, dbt, "spark") is True  # another target
    assert calls.read_text() == "5"


def test_dbt_output_and_a_touched_file_are_not_changes(project, fake_dbt):
    dbt, calls = fake_dbt
    target = project / "target"
    dbt_manifest.parse(project, target, dbt, "local")
    (project / "logs").mkdir()
    (project / "logs" / "dbt.log").write_text("written by dbt")
    (target / "run_results.json").write_text("{}")
    os.utime(project / "models" / "a.sql")  # a checkout rewrites mtimes, not content
    assert dbt_manifest.parse(project, target, dbt, "local") is False
    assert calls.read_text() == "1"


def test_a_deleted_manifest_or_a_failed_parse_parses_again(project, fake_dbt, tmp_path):
    dbt, _calls = fake_dbt
    target = project / "target"
    dbt_manifest.parse(project, target, dbt, "local")
    (target / "manifest.json").unlink()  # make clean
    assert dbt_manifest.parse(project, target, dbt, "local") is True

    failing = tmp_path / "failing_dbt"
    failing.write_text("#!/bin/sh\nexit 2\n")
    failing.chmod(0o755)
    (project / "models" / "a.sql").write_text("select broken\n")
    with pytest.raises(subprocess.CalledProcessError):
        dbt_manifest.parse(project, target, str(failing), "local")
    assert not dbt_manifest.is_fresh(project, target, "local")  # the next call parses again


def test_prune_keeps_the_newest_run_folders_and_any_recent_one(tmp_path):
    target = tmp_path / "target"
    now = 1_000_000.0
    names = [f"trade_dbt_models-{i:07x}-abcdef{i}" for i in range(8)]
    for age, name in enumerate(names):  # names[0] newest
        folder = target / name
        folder.mkdir(parents=True)
        os.utime(folder, (now - 7200 - age, now - 7200 - age))
    recent = target / "trade_dbt_models-1234567-7654321"
    recent.mkdir()
    os.utime(recent, (now - 10, now - 10))
    (target / "manifest.json").write_text("{}")
    (target / "spark").mkdir()  # not a run folder

    removed = dbt_manifest.prune_run_folders(target, keep=3, min_age_seconds=3600, now=now)

    left = sorted(p.name for p in target.iterdir())
    assert sorted(p.name for p in removed) == sorted(names[2:])  # the recent one counts among the 3 newest
    assert left == sorted(["manifest.json", "spark", recent.name, *names[:2]])


PROFILES = """
p:
  outputs:
    local:
      type: duckdb
      path: "{{ env_var('WAREHOUSE_PATH') }}"
      settings:
        threads: "{{ env_var( "DUCKDB_THREADS", '2') }}"
"""


def test_the_profile_key_follows_what_profiles_yml_reads_and_nothing_else(project):
    (project / "profiles.yml").write_text(PROFILES)
    env = {"WAREHOUSE_PATH": "/a/candidates/warehouse.duckdb", "DUCKDB_THREADS": "2", "HOME": "/root"}
    key = dbt_manifest.profile_key(project, "local", env)
    assert dbt_manifest.profile_key(project, "local", {**env, "HOME": "/elsewhere"}) == key
    assert dbt_manifest.profile_key(project, "local", {**env, "WAREHOUSE_PATH": "/b/warehouse.duckdb"}) != key
    assert dbt_manifest.profile_key(project, "local", {**env, "DUCKDB_THREADS": "1"}) != key
    assert dbt_manifest.profile_key(project, "spark", env) != key


def test_a_parse_state_is_kept_per_profile_and_restored_into_the_next_invocation(tmp_path):
    states = tmp_path / "target"
    first, second, other = tmp_path / "run-1", tmp_path / "run-2", tmp_path / "run-3"
    assert dbt_manifest.restore_parse_state(states, "key-a", first) is False  # nothing kept yet
    assert dbt_manifest.keep_parse_state(states, "key-a", first) is False  # dbt wrote no state (it failed early)
    first.mkdir()
    (first / dbt_manifest.PARTIAL_PARSE_FILE).write_bytes(b"state of run 1")
    assert dbt_manifest.keep_parse_state(states, "key-a", first) is True
    assert dbt_manifest.restore_parse_state(states, "key-a", second) is True
    assert (second / dbt_manifest.PARTIAL_PARSE_FILE).read_bytes() == b"state of run 1"
    assert dbt_manifest.restore_parse_state(states, "key-b", other) is False  # another profile: dbt parses


def test_only_the_most_recently_kept_parse_states_remain(tmp_path):
    states, run = tmp_path / "target", tmp_path / "run"
    run.mkdir()
    (run / dbt_manifest.PARTIAL_PARSE_FILE).write_bytes(b"state")
    for n in range(5):
        dbt_manifest.keep_parse_state(states, f"key-{n}", run, keep=3)
        os.utime(states / dbt_manifest.PARSE_STATES_DIR / f"key-{n}.msgpack", (n, n))
    dbt_manifest.keep_parse_state(states, "key-4", run, keep=3)
    kept = sorted(p.stem for p in (states / dbt_manifest.PARSE_STATES_DIR).glob("*.msgpack"))
    assert kept == ["key-2", "key-3", "key-4"]


def test_a_parse_state_that_cannot_be_kept_or_restored_is_logged_not_raised(tmp_path, caplog):
    """Called around every build (a failed one too): it must never fail a build or hide why one failed."""
    states, run = tmp_path / "target", tmp_path / "run"
    run.mkdir()
    (run / dbt_manifest.PARTIAL_PARSE_FILE).write_bytes(b"state")
    states.mkdir()
    (states / dbt_manifest.PARSE_STATES_DIR).write_text("a file where the folder should be")
    assert dbt_manifest.keep_parse_state(states, "key-a", run) is False
    assert "parse state was not kept" in caplog.text
    (states / dbt_manifest.PARSE_STATES_DIR).unlink()
    assert dbt_manifest.keep_parse_state(states, "key-a", run) is True
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert dbt_manifest.restore_parse_state(states, "key-a", blocked / "run-2") is False
    assert "was not restored" in caplog.text
