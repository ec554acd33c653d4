"""Vintages of the live sources against a real DuckDB file: a vintage is a whole (source, month) load; the same
figures append nothing; names and stamps are not figures; an empty pull is recorded, not ignored."""

import duckdb
import pandas as pd

from dagster_project.warehouse.load import EMPTY, NEW, UNCHANGED, append_vintage

FIGURES = ("code", "value")


def month(*values, name="x"):
    return pd.DataFrame(
        {
            "code": pd.array([v[0] for v in values], dtype="string"),
            "name": pd.array([name] * len(values), dtype="string"),
            "value": pd.array([v[1] for v in values], dtype="Int64"),
        }
    )


def load(con, frame, load_id, *, label="api", partition="2024-03"):
    return append_vintage(
        con,
        "raw",
        "v",
        frame,
        partition=partition,
        load_id=load_id,
        source_files=["f.xml"],
        source_label=label,
        figure_columns=FIGURES,
    )


def latest(con, partition="2024-03", label="api"):
    """The month's latest vintage as the marts take it: every row of the latest load, nothing else."""
    return con.execute(
        """select code, value from raw.v where _partition = ? and _source_label = ?
        and _loaded_at = (select max(_loaded_at) from raw.v where _partition = ? and _source_label = ?)
        order by code""",
        [partition, label, partition, label],
    ).fetchall()


def test_same_figures_in_another_order_or_with_other_names_append_nothing(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        first = month(("US", 10), ("NA", 20))
        assert load(con, first, "run-1").status == NEW
        assert load(con, first.iloc[::-1], "run-2").status == UNCHANGED
        assert load(con, month(("US", 10), ("NA", 20), name="renamed"), "run-3").status == UNCHANGED
        assert con.execute("select count(*) from raw.v").fetchone() == (2,)
        assert con.execute("select count(*) from raw.load_vintages").fetchone() == (1,)


def test_a_revised_vintage_replaces_the_month_as_a_whole(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load(con, month(("US", 10), ("NA", 20), ("CN", 30)), "run-1")
        result = load(con, month(("US", 11), ("CN", 30)), "run-2")  # revised, and Namibia dropped
        assert result.status == NEW and result.previous_row_count == 3
        assert latest(con) == [("CN", 30), ("US", 11)]
        # raw keeps both vintages whole
        assert con.execute("select _load_id, count(*) from raw.v group by 1 order by 1").fetchall() == [
            ("run-1", 3),
            ("run-2", 2),
        ]


def test_an_empty_pull_is_recorded_once_and_keeps_the_figures(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert load(con, month(), "run-0").status == UNCHANGED  # nothing into nothing is no news
        load(con, month(("US", 10)), "run-1")
        assert load(con, month(), "run-2").status == EMPTY
        assert load(con, month(), "run-3").status == UNCHANGED  # already recorded
        assert latest(con) == [("US", 10)]
        log = con.execute("select status, row_count, _load_id from raw.load_vintages order by _loaded_at").fetchall()
        assert log == [(NEW, 1, "run-1"), (EMPTY, 0, "run-2")]
        # the figures come back as they were: logged, no new rows
        assert load(con, month(("US", 10)), "run-4").status == UNCHANGED
        assert con.execute("select count(*) from raw.v").fetchone() == (1,)
        assert con.execute("select status from raw.load_vintages order by _loaded_at desc limit 1").fetchone() == (
            UNCHANGED,
        )


def test_source_labels_are_separate_series(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load(con, month(("CN", 10)), "run-1", label="shipped")
        assert load(con, month(("CN", 10)), "run-2", label="api").status == NEW  # not a revision of the other
        assert load(con, month(("CN", 10)), "run-3", label="shipped").status == UNCHANGED
        assert latest(con, label="shipped") == latest(con, label="api") == [("CN", 10)]


def test_every_run_finds_every_live_table_and_a_missing_one_is_created_again(tmp_path):
    from dagster_project.warehouse.live_tables import LIVE_TABLES, ensure_live_tables

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_live_tables(con, "raw")
    tables = {t for (t,) in con.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()}
    assert tables == {spec.table for spec in LIVE_TABLES.values()} | {"load_vintages"}
    first = next(iter(LIVE_TABLES.values())).table
    columns = con.execute(f"describe raw.{first}").fetchall()
    other = next(spec.table for spec in LIVE_TABLES.values() if spec.table != first)
    con.execute(f"insert into raw.{other} by name select 'kept' as _load_id")
    con.execute(f"drop table raw.{first}")

    ensure_live_tables(con, "raw")

    assert con.execute(f"describe raw.{first}").fetchall() == columns
    assert con.execute(f"select _load_id from raw.{other}").fetchall() == [("kept",)]


def test_definitions_and_a_warm_runs_table_check_do_not_import_pandas(tmp_path):
    """pandas costs ~0.4 s to import: a run whose files are unchanged, and every definitions load, go without it."""
    import subprocess
    import sys

    path = tmp_path / "w.duckdb"
    code = f"""
import sys, duckdb
from dagster_project.warehouse.live_tables import ensure_live_tables
con = duckdb.connect({str(path)!r})
ensure_live_tables(con, "raw")  # a fresh file: the tables are made from typed frames (pandas)
con.close()
del sys.modules["pandas"]
for name in [m for m in sys.modules if m.startswith("pandas.")]:
    del sys.modules[name]
from dagster_project.definitions import defs
defs()
with duckdb.connect({str(path)!r}) as con:
    ensure_live_tables(con, "raw")
print("pandas" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "False"
