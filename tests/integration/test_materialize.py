"""`make materialize` (`cli materialize --select ... [--partition ...]`): what it runs, what it refuses before any
run starts, and real runs of it from the command line."""

import shutil

import dagster as dg
import pytest

from dagster_project import cli, settings
from dagster_project.cli import SelectionError, materialize_keys

from ..conftest import parsed_manifest
from .conftest import query, served_path_for

SERVING_KEYS = {dg.AssetKey(["serving", "warehouse"]), dg.AssetKey(["serving", "report"])}
ANNUAL = dg.AssetKey(["raw", "kosis_trade_by_partner_annual"])


def test_every_selection_runs_with_the_gate_and_the_report(definitions):
    graph = definitions.resolve_asset_graph()
    assert set(materialize_keys("raw/kosis_trade_by_partner_annual", None, definitions)) == {ANNUAL, *SERVING_KEYS}
    # Dagster's selection syntax, as `dagster asset materialize --select` takes it
    raw_keys = {key for key in graph.get_all_asset_keys() if key.path[0] == "raw"}
    assert set(materialize_keys("key:raw/ref_*", None, definitions)) == {
        *(key for key in raw_keys if key.path[1].startswith("ref_")),
        *SERVING_KEYS,
    }
    # the gate named by the user too: each key once
    assert materialize_keys("serving/warehouse", None, definitions) == sorted(SERVING_KEYS)
    monthly = dg.AssetKey(["raw", "kcs_trade_by_country"])
    assert set(materialize_keys("raw/kcs_trade_by_country", "2024-03", definitions)) == {monthly, *SERVING_KEYS}


@pytest.mark.parametrize(
    ("select", "partition", "error"),
    [
        ("raw/kosis_trade_by_partner_anual", None, "did you mean"),
        (" , ", None, "--select names no asset"),
        ("raw/kcs_trade_by_country", None, "raw/kcs_trade_by_country (partitions 2000-01 to "),
        ("raw/kcs_trade_by_country", "2024-13", "--partition 2024-13 is not a partition of raw/kcs_trade_by_country"),
        ("raw/kosis_trade_by_partner_annual", "2024-03", "none of the selected assets is partitioned"),
        ("raw/kcs_trade_by_country,raw/imf_imts_trade", "2024", "mixes assets partitioned differently"),
    ],
)
def test_a_selection_that_cannot_run_says_why(definitions, select, partition, error):
    with pytest.raises(SelectionError) as raised:
        materialize_keys(select, partition, definitions)
    assert error in str(raised.value)


def cli_environment(monkeypatch, tmp_path, warehouse, raw_dir=settings.DEFAULT_RAW_DIR):
    """The CLI pointed at a test's files, with a Dagster instance of its own made from the project's dagster.yaml."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(settings.DEFAULT_DAGSTER_HOME / "dagster.yaml", home)
    for name, value in (
        (settings.DAGSTER_HOME_ENV, home),
        (settings.WAREHOUSE_PATH_ENV, warehouse),
        (settings.RAW_DIR_ENV, raw_dir),
        (settings.SERVING_PATH_ENV, served_path_for(warehouse)),
    ):
        monkeypatch.setenv(name, str(value))
    monkeypatch.setenv(cli.DBT_USE_COLORS_ENV, "False")
    return home


def test_from_the_command_line_a_bad_file_fails_naming_it_and_publishes_nothing(
    definitions, warehouse_copy, raw_copy, tmp_path, monkeypatch, capsys
):
    """The CLI's run itself: a real Dagster run of the asset named (and the gate), on the project's kind of
    instance; the file's damage fails the loader, so the gate never starts."""
    home = cli_environment(monkeypatch, tmp_path, warehouse_copy, raw_copy)
    served = served_path_for(warehouse_copy)
    before = query(warehouse_copy, "select count(*), sum(export_kosis) from raw.kosis_trade_by_partner_annual")
    csv = raw_copy / "kosis_kdiplo" / "trade_data.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    csv.write_text("".join([*lines, lines[1]]), encoding="utf-8")  # a duplicated key

    assert cli.main(["materialize", "--select", "raw/kosis_trade_by_partner_annual"]) == 1

    out, err = capsys.readouterr()
    # the load failed, so the gate did not start: no dbt build, nothing promoted or published
    assert "Running with dbt" not in out
    assert "step raw__kosis_trade_by_partner_annual failed" in err
    assert "trade_data.csv" in err and "duplicated key" in err
    assert "NOT published" in out
    assert not served.exists()
    assert query(warehouse_copy, "select count(*), sum(export_kosis) from raw.kosis_trade_by_partner_annual") == before
    with dg.DagsterInstance.from_config(str(home)) as instance:  # recorded in the instance it was pointed at
        [run] = instance.get_run_records()
        assert run.dagster_run.asset_selection == {ANNUAL, *SERVING_KEYS}


@pytest.mark.runs(1)
def test_a_few_dbt_models_and_the_gate_publish_only_after_the_whole_build(
    definitions, warehouse_copy, tmp_path, monkeypatch, capsys
):
    """A selection of some dbt models builds and tests those; the gate then builds and tests the whole project
    itself before it publishes (a subset's passing build does not count as the whole)."""
    cli_environment(monkeypatch, tmp_path, warehouse_copy)

    assert cli.main(["materialize", "--select", "staging/stg_kosis__trade_by_partner_annual"]) == 0

    out, _ = capsys.readouterr()
    manifest = parsed_manifest()
    tests = sum(1 for node in manifest["nodes"].values() if node["resource_type"] == "test")
    [gate] = [line for line in out.splitlines() if line.startswith("dbt build run by serving/warehouse: ")]
    assert f"({tests} pass," in gate
    assert "published" in out and "NOT published" not in out
