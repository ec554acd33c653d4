"""What a Makefile target runs, read from `make -n` (printed, not run)."""

import subprocess

from dagster_project import settings


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=settings.REPO_ROOT, capture_output=True, text=True, timeout=120
    )


def test_materialize_runs_the_selection_with_the_gate_and_the_report():
    dry = make("-n", "materialize", "SELECT=raw/kcs_trade_by_country", "PARTITION=2024-03")
    assert dry.returncode == 0, dry.stderr
    [command] = [line for line in dry.stdout.splitlines() if "dagster asset materialize" in line]
    assert "--select 'raw/kcs_trade_by_country,serving/warehouse,serving/report'" in command
    assert command.rstrip().endswith("--partition '2024-03'")
    # Dagster's notice that the command is superseded (by `dg launch`, not installed) is filtered, nothing else
    assert "PYTHONWARNINGS='ignore:Function `dev_command` is superseded," in dry.stdout


def test_materialize_without_a_selection_says_how_and_runs_nothing():
    result = make("materialize")
    assert result.returncode != 0
    assert "usage: make materialize SELECT=" in result.stderr
    assert "dbt parse" not in result.stdout and "asset materialize" not in result.stdout
