"""The publish gate on every path (a failing data test publishes nothing; the next refresh, offline without keys,
and a lone publish serve the last good state), a bad inbox drop, and the one-writer lock (vintages that supersede
are test_live_sources' month story): real Dagster runs with real dbt into temporary DuckDB files; the inbox holds
SYNTHETIC figures (test_live_sources.synthetic_kcs_month), never a real statistic."""

import hashlib
import os
import shutil
from pathlib import Path

import dagster as dg
import pytest

from dagster_project import dbt_manifest, settings
from dagster_project.cli import publish_lines
from dagster_project.defs.assets.publish import SERVED_WAREHOUSE_KEY
from dagster_project.sources import inbox, kcs_api
from dagster_project.warehouse.gate import WarehouseLock
from dagster_project.warehouse.publish import list_generations, previous_path, publish

from ..conftest import parsed_manifest
from ..live_payloads import kcs_envelope
from .conftest import (
    MONTHLY_SUMS_CHECK,
    check_evaluations,
    dbt_invocation_folders,
    inflate_june_2019_china_exports,
    parsed_from_scratch,
    query,
    served_path_for,
    step_failure_messages,
)
from .test_live_sources import synthetic_kcs_month

SERVED_KEYS = {SERVED_WAREHOUSE_KEY, dg.AssetKey(["serving", "report"])}
JUNE_2019_CHINA_EXPORTS_USD = 10_422_956_000  # the shipped KOSIS file: 10,422,956 thousand USD


def served_june_2019(served):
    return query(
        served,
        """select export_usd from marts.fct_bilateral_trade where partner_iso3 = 'CHN'
        and period_grain = 'month' and period_start = date '2019-06-01'""",
    )[0][0]


def gate_build(result) -> str:
    """What serving/warehouse says about the whole dbt build its publish stands on."""
    [published] = [e for e in result.get_asset_materialization_events() if e.asset_key == SERVED_WAREHOUSE_KEY]
    return published.materialization.metadata["dbt_build"].value


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.runs(3)
def test_a_failed_build_is_not_published_by_the_next_refresh_or_a_lone_publish(
    http_server, warehouse_copy, raw_copy, run_job, monkeypatch, tmp_path
):
    for env in (settings.KCS_BASE_URL_ENV, settings.KOSIS_BASE_URL_ENV):
        monkeypatch.setenv(env, http_server.url)  # where a request would go: none may
    for env in (settings.KCS_SERVICE_KEY_ENV, settings.KOSIS_API_KEY_ENV):
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv(settings.LANDING_DIR_ENV, str(tmp_path / "landing"))
    served = served_path_for(warehouse_copy)
    publish(warehouse_copy, served)  # the served file before the bad figure (setup: the work file passed its build)
    served_before = digest(served)
    work_before = digest(warehouse_copy)
    # A plausible but wrong monthly figure (a valid number), caught by the months-add-up-to-the-year test.
    inflate_june_2019_china_exports(raw_copy)
    # no saved dbt parse: this test's first run parses the whole project
    shutil.rmtree(Path(os.environ["DBT_TARGET_PATH"]) / dbt_manifest.PARSE_STATES_DIR, ignore_errors=True)
    before = dbt_invocation_folders()

    failed = run_job("build_warehouse", warehouse_copy, raw_copy)
    assert not failed.success
    assert len(parsed_from_scratch(dbt_invocation_folders() - before)) == 1
    before = dbt_invocation_folders()
    failed_checks = {(c.asset_key, c.check_name) for c in check_evaluations(failed) if not c.passed}
    assert (dg.AssetKey(["marts", "fct_bilateral_trade"]), MONTHLY_SUMS_CHECK) in failed_checks
    # dbt ran; the serving assets did not start, so nothing was published or rotated
    started = {event.step_key for event in failed.all_events if event.event_type_value == "STEP_START"}
    assert "trade_dbt_models" in started and started.isdisjoint({"serving__warehouse", "serving__report"})
    assert {event.asset_key for event in failed.get_asset_materialization_events()}.isdisjoint(SERVED_KEYS)
    assert digest(served) == served_before and len(list_generations(served)) == 1
    assert not previous_path(served).exists()
    assert publish_lines(failed)[0].startswith("NOT published")
    assert digest(warehouse_copy) == work_before  # the work file is the last good state
    kept = list((warehouse_copy.parent / "candidates").glob(f"{failed.run_id}.failed.duckdb"))
    assert kept, "the failed candidate is kept for inspection"
    assert (
        query(
            kept[0],
            """select export_usd from marts.fct_bilateral_trade where partner_iso3 = 'CHN'
        and period_grain = 'month' and period_start = date '2019-06-01'""",
        )[0][0]
        == JUNE_2019_CHINA_EXPORTS_USD + 50_000_000
    )

    # The next refresh starts from the last good state, builds and tests everything, and publishes that. It runs
    # without keys: no request is made, and KOSIS's month falls back to the shipped monthly China file (thousand
    # USD -> USD, its own source label, never the API's), as loaded before the bad edit.
    refreshed = run_job("refresh_monthly", warehouse_copy, raw_copy, partition_key="2019-06")
    assert refreshed.success
    assert http_server.seen == []
    assert gate_build(refreshed) == "by the run's dbt assets"  # their tests are the run's asset checks
    assert served_june_2019(served) == JUNE_2019_CHINA_EXPORTS_USD
    assert query(
        served,
        """select export_usd from marts.fct_monthly_trade
        where source = 'kosis_shipped_china_monthly' and partner_code = 'CN' and period_start = date '2019-06-01'""",
    ) == [(JUNE_2019_CHINA_EXPORTS_USD,)]
    # So does serving/warehouse materialised alone (a UI selection): it runs the whole dbt build itself.
    alone = run_job("publish_warehouse", warehouse_copy, raw_copy)
    assert alone.success
    assert served_june_2019(served) == JUNE_2019_CHINA_EXPORTS_USD
    # its tests are not asset checks of the run: the publish says what its build ran, every test of the manifest
    assert not check_evaluations(alone)
    manifest = parsed_manifest()
    tests = sum(1 for node in manifest["nodes"].values() if node["resource_type"] == "test")
    assert gate_build(alone).startswith("run by serving/warehouse: ") and f"{tests} pass" in gate_build(alone)
    assert f"dbt build {gate_build(alone)}" in publish_lines(alone)
    # Both runs started from the parse the failed run left (a failed build keeps it; the publish asset's own
    # `dbt build` names the same target as the dbt assets): neither parsed the whole project again.
    assert parsed_from_scratch(dbt_invocation_folders() - before) == []


def test_a_bad_inbox_drop_is_rejected_with_its_reason_and_publishes_nothing(
    http_server, warehouse_copy, raw_copy, run_job, monkeypatch, tmp_path
):
    monkeypatch.delenv(settings.KCS_SERVICE_KEY_ENV, raising=False)
    monkeypatch.setenv(settings.RAW_DIR_ENV, str(raw_copy))
    monkeypatch.setenv(settings.LANDING_DIR_ENV, str(tmp_path / "landing"))
    served = served_path_for(warehouse_copy)
    publish(warehouse_copy, served)  # the served file before the drop (setup: the work file passed its build)
    served_before = query(served, "select count(*) from marts.fct_monthly_trade")
    folder = settings.inbox_dir() / kcs_api.NATION_TRADE / "2024-05"
    folder.mkdir(parents=True)
    (folder / "a.xml").write_bytes(kcs_envelope(synthetic_kcs_month("202405")))
    (folder / "b.xml").write_bytes(kcs_envelope(synthetic_kcs_month("202405", us_bump=1)))  # another response

    result = run_job("refresh_monthly", warehouse_copy, raw_copy, partition_key="2024-05")
    assert not result.success
    message = "\n".join(step_failure_messages(result))
    assert "a.xml" in message and "b.xml" in message
    rejected = settings.inbox_dir() / inbox.REJECTED / kcs_api.NATION_TRADE / "2024-05"
    assert sorted(p.name for p in rejected.iterdir()) == ["a.xml", "a.xml.reason.txt", "b.xml", "b.xml.reason.txt"]
    assert "not the pages of one response" in (rejected / "a.xml.reason.txt").read_text()
    assert inbox.pending(kcs_api.NATION_TRADE) == []
    assert query(served, "select count(*) from marts.fct_monthly_trade") == served_before


def test_a_run_started_while_another_holds_the_lock_writes_nothing(warehouse_copy, run_job, monkeypatch):
    monkeypatch.setenv(settings.WAREHOUSE_LOCK_TIMEOUT_ENV, "0")
    before = digest(warehouse_copy)
    holder = WarehouseLock(warehouse_copy)
    holder.acquire("run-in-progress", timeout=0)
    try:
        result = run_job("publish_warehouse", warehouse_copy, instance=dg.DagsterInstance.ephemeral())
    finally:
        holder.release()
    assert not result.success
    errors = []
    for event in result.all_events:
        error = getattr(event.event_specific_data, "error", None)
        while error is not None:
            errors.append(error.message)
            error = error.cause
    assert any("run run-in-progress" in message and "wrote nothing" in message for message in errors), errors
    assert digest(warehouse_copy) == before
    assert (
        not list((warehouse_copy.parent / "candidates").glob("*.duckdb"))
        if (warehouse_copy.parent / "candidates").exists()
        else True
    )
    assert not served_path_for(warehouse_copy).exists()
