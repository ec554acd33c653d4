"""`python -m dagster_project.query`: SQL on the served file with the project's own DuckDB, read-only."""

import hashlib
import subprocess
import sys

import duckdb


def test_query_prints_exact_values_and_never_writes(tmp_path):
    served = tmp_path / "served.duckdb"
    with duckdb.connect(str(served)) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t as select 'USA' as partner_iso3, 11280989000.5::decimal(38, 6) as usd")
    before = hashlib.sha256(served.read_bytes()).hexdigest()
    env = {"SERVING_PATH": str(served), "PATH": ""}

    shown = subprocess.run(
        [sys.executable, "-m", "dagster_project.query", "select * from marts.t"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "11280989000.500000" in shown.stdout  # a decimal, not a float in e-notation

    prompt = subprocess.run(
        [sys.executable, "-m", "dagster_project.query"],
        input="delete from marts.t;\n",
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "read-only" in prompt.stdout and "error:" in prompt.stdout
    assert hashlib.sha256(served.read_bytes()).hexdigest() == before


def test_query_without_a_served_file_says_what_to_run(tmp_path):
    missing = subprocess.run(
        [sys.executable, "-m", "dagster_project.query", "select 1"],
        capture_output=True,
        text=True,
        env={"SERVING_PATH": str(tmp_path / "none.duckdb"), "PATH": ""},
    )
    assert missing.returncode == 2 and "make warehouse" in missing.stderr
