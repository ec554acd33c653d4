"""What a Makefile target runs, read from `make -n` (printed, not run)."""

import subprocess

from dagster_project import settings


def make(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=settings.REPO_ROOT, capture_output=True, text=True, timeout=120
    )


def test_materialize_passes_the_selection_and_the_partition_to_the_cli():
    """The CLI adds the gate and the report (tests/integration/test_materialize.py)."""
    dry = make("-n", "materialize", "SELECT=raw/kcs_trade_by_country", "PARTITION=2024-03", "VERBOSE=1")
    assert dry.returncode == 0, dry.stderr
    [command] = [line for line in dry.stdout.splitlines() if "dagster_project.cli materialize" in line]
    assert command.split("dagster_project.cli ")[1].split() == [
        "materialize",
        "--select",
        "'raw/kcs_trade_by_country'",
        "--partition",
        "'2024-03'",
        "--verbose",
    ]


def test_dev_filters_only_dagsters_notice_that_dg_dev_supersedes_it():
    dry = make("-n", "dev").stdout.replace("\\\n", "")  # the recipe's continued line as one command
    [command] = [line for line in dry.splitlines() if "dagster dev" in line]
    assert command.startswith("PYTHONWARNINGS='ignore:Function `dev_command` is superseded' ")


def test_materialize_without_a_selection_says_how_and_runs_nothing():
    result = make("materialize")
    assert result.returncode != 0
    assert "usage: make materialize SELECT=" in result.stderr
    assert "dbt parse" not in result.stdout and "cli materialize" not in result.stdout
