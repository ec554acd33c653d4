"""The command line outside the Makefile."""

import argparse
import os
import shutil
from datetime import UTC, datetime

import dagster as dg
import pytest

from dagster_project import cli, settings


def test_without_dagster_home_the_cli_uses_the_projects_instance(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(settings.DEFAULT_DAGSTER_HOME / "dagster.yaml", home)
    monkeypatch.setattr(settings, "DEFAULT_DAGSTER_HOME", home)
    monkeypatch.delenv(settings.DAGSTER_HOME_ENV, raising=False)
    with cli.project_instance() as instance:
        assert instance.root_directory == str(home)
        assert not instance.telemetry_enabled  # the project's dagster.yaml, not Dagster's defaults


def utc_today():
    return datetime.now(UTC).date()  # Dagster's month partitions end at midnight UTC


def last_ended_month(today) -> str:
    """The month before today's, computed here without Dagster: the newest month partition."""
    return f"{today.year - 1}-12" if today.month == 1 else f"{today.year}-{today.month - 1:02d}"


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["refresh"], "refresh needs --month YYYY-MM"),
        (["refresh", "--month", "2024-3"], "--month '2024-3' is not a month partition"),
        (["refresh", "--month", "2024-13"], "--month '2024-13' is not a month partition"),
        (["refresh", "--month", "1999-12"], "--month '1999-12' is not a month partition"),
        (["backfill", "--from-month", "2024-01"], "backfill needs --from-month YYYY-MM --to-month YYYY-MM"),
        (["backfill", "--from-month", "2024-05", "--to-month", "2024-02"], "--from-month 2024-05 is after"),
        (["backfill", "--from-month", "2099-01", "--to-month", "2099-12"], "--from-month '2099-01' is not a month"),
        (["backfill", "--from-month", "2024-01", "--to-month", "2024-1"], "--to-month '2024-1' is not a month"),
    ],
)
def test_a_month_that_is_not_a_partition_is_a_usage_error_before_any_work(argv, error, capsys, monkeypatch):
    # no work file: a check that came after the month's would say so instead
    monkeypatch.setenv(settings.WAREHOUSE_PATH_ENV, "/nonexistent/warehouse.duckdb")
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    assert error in capsys.readouterr().err


def test_the_months_named_are_those_that_have_ended():
    last = last_ended_month(utc_today())
    with pytest.raises(SystemExit):
        cli.main(["refresh", "--month", utc_today().strftime("%Y-%m")])  # this month has not ended
    parser, args = argparse.ArgumentParser(), argparse.Namespace(command="refresh", month=last)
    cli.month_arguments(parser, args)  # no error: the last month that ended is a partition


def test_a_backfill_past_the_last_ended_month_stops_there_and_says_so(capsys):
    last = last_ended_month(utc_today())
    year = utc_today().year
    args = argparse.Namespace(command="backfill", from_month=f"{year - 1}-01", to_month=f"{year}-12")
    cli.month_arguments(argparse.ArgumentParser(), args)
    assert (args.from_month, args.to_month) == (f"{year - 1}-01", last)
    assert f"the range ends at {last}" in capsys.readouterr().out


def evaluation(asset: str, name: str, passed: bool, severity: str = "ERROR"):
    return dg.AssetCheckEvaluation(
        asset_key=dg.AssetKey(asset.split("/")),
        check_name=name,
        passed=passed,
        severity=dg.AssetCheckSeverity(severity),
    )


def test_the_summary_counts_a_warning_apart_from_a_failure():
    evaluations = [
        evaluation("marts/fct_a", "not_null_a_x", True),
        evaluation("raw/kita", "no_quarantined_rows", False, "WARN"),
        evaluation("marts/fct_a", "sum_matches_total", False),
        evaluation("marts/fct_b", "unique_b_id", True, "WARN"),
    ]
    assert cli.check_lines(evaluations) == [
        "4 checks: 2 passed, 1 warned, 1 failed",
        "  warned: raw/kita no_quarantined_rows",
        "  FAILED: marts/fct_a sum_matches_total",
    ]
    assert cli.check_lines([]) == ["0 checks: 0 passed, 0 warned, 0 failed"]


def test_the_summary_writes_a_deficit_as_the_report_does(tmp_path, monkeypatch):
    """The headline line formats the mart's figures (DECIMAL USD) with the report's rule: a deficit is
    −US$18.0 bn, not US$-18.0 bn. SYNTHETIC figures (not a statistic), chosen to round down and up; the latest
    year is the one shown."""
    import duckdb

    work = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(work)) as con:
        con.execute("create schema marts")
        con.execute(
            """create table marts.fct_bilateral_trade as select * from (values
            ('CHN', 'year', date '2022-01-01', 10_000_000_000::decimal(38, 6), 9_000_000_000::decimal(38, 6),
             1_000_000_000::decimal(38, 6)),
            ('CHN', 'year', date '2023-01-01', 12_345_000_000::decimal(38, 6), 30_385_000_000::decimal(38, 6),
             -18_040_000_000::decimal(38, 6)),
            ('CHN', 'month', date '2023-12-01', 1::decimal(38, 6), 2::decimal(38, 6), -1::decimal(38, 6)))
            as t(partner_iso3, period_grain, period_start, export_usd, import_usd, balance_usd)"""
        )
    monkeypatch.setenv(settings.WAREHOUSE_PATH_ENV, str(work))
    monkeypatch.setenv(settings.SERVING_PATH_ENV, str(tmp_path / "serving" / "warehouse.duckdb"))
    assert "Korea-China 2023: exports US$12.3 bn, imports US$30.4 bn, balance −US$18.0 bn" in cli.summary_lines()


class _Stream:
    def __init__(self, tty: bool):
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_dbt_colours_its_lines_only_on_a_terminal_unless_told(monkeypatch):
    monkeypatch.delenv(cli.DBT_USE_COLORS_ENV, raising=False)
    cli.plain_dbt_output_unless_a_terminal(_Stream(tty=True))
    assert cli.DBT_USE_COLORS_ENV not in os.environ  # dbt's default: colour on a terminal
    cli.plain_dbt_output_unless_a_terminal(_Stream(tty=False))
    assert os.environ[cli.DBT_USE_COLORS_ENV] == "False"  # a pipe or a file: no escape sequences
    monkeypatch.setenv(cli.DBT_USE_COLORS_ENV, "True")
    cli.plain_dbt_output_unless_a_terminal(_Stream(tty=False))
    assert os.environ[cli.DBT_USE_COLORS_ENV] == "True"  # what the user set wins


def test_the_gates_own_dbt_build_is_told_by_status_most_frequent_first():
    from dagster_project.defs.assets.publish import dbt_build_counts

    results = [{"status": "pass"}] * 3 + [{"status": "warn"}, {"status": "success"}, {"status": "pass"}]
    assert dbt_build_counts({"results": results}) == "6 dbt nodes (4 pass, 1 warn, 1 success)"
