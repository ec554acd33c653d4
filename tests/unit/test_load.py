"""replace_source_rows against a real DuckDB file: idempotent, atomic, with load metadata."""

import duckdb
import pandas as pd
import pytest

from dagster_project.warehouse.load import replace_source_rows


def rows(*values):
    return pd.DataFrame(
        {
            "code": pd.array([v[0] for v in values], dtype="string"),
            "value": pd.array([v[1] for v in values], dtype="Int64"),
            "_row_number": pd.array(range(1, len(values) + 1), dtype="Int64"),
            "_source_file": "raw/t.csv",
            "_file_sha256": "a" * 64,
        }
    )


def rejects(*reasons):
    return pd.DataFrame(
        [
            {
                "_source_file": "raw/t.csv",
                "_file_sha256": "a" * 64,
                "_row_number": 9,
                "column_name": "code",
                "value": "",
                "reason": reason,
                "record": "{}",
            }
            for reason in reasons
        ]
    )


def load(con, frame, load_id="run-1", quarantined=None):
    return replace_source_rows(con, "raw", "t", frame, load_id=load_id, quarantined=quarantined)


def test_reload_replaces_rows_instead_of_appending(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load(con, rows(("NA", 1), ("KR", 2)))
        result = load(con, rows(("NA", 1), ("KR", 2)), load_id="run-2")
        assert result.row_count == 2
        loads = con.execute("select count(*), min(_load_id), max(_load_id) from raw.t").fetchone()
        assert loads == (2, "run-2", "run-2")
        assert con.execute("select code from raw.t order by code").fetchall() == [("KR",), ("NA",)]
        lineage = con.execute("select distinct _source_file, _file_sha256 from raw.t").fetchall()
        assert lineage == [("raw/t.csv", "a" * 64)]


def test_quarantine_rows_are_replaced_per_source(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load(con, rows(("KR", 2)), quarantined=rejects("partner missing", "negative value"))
        replace_source_rows(con, "raw", "other", rows(("JP", 1)), load_id="run-1", quarantined=rejects("x"))
        result = load(con, rows(("KR", 2)), load_id="run-2", quarantined=rejects("partner missing"))
        assert result.quarantined_count == 1
        assert con.execute(
            "select source_table, reason, _load_id from raw.quarantine order by source_table"
        ).fetchall() == [("other", "x", "run-1"), ("t", "partner missing", "run-2")]


class FailingAfterWrite:
    """A real DuckDB connection that fails right after the new table is written, inside the transaction."""

    def __init__(self, con):
        self.con = con

    def execute(self, sql, *args):
        if sql.startswith("SELECT count(*)"):
            raise RuntimeError("disk full (simulated)")
        return self.con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.con, name)


def test_failed_load_keeps_previous_contents(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load(con, rows(("KR", 2)), quarantined=rejects("partner missing"))
        with pytest.raises(RuntimeError, match="simulated"):
            load(FailingAfterWrite(con), rows(("CN", 3), ("JP", 4)), load_id="run-2", quarantined=rejects("new"))
        assert con.execute("select code, value, _load_id from raw.t").fetchall() == [("KR", 2, "run-1")]
        assert con.execute("select reason, _load_id from raw.quarantine").fetchall() == [("partner missing", "run-1")]


def test_a_file_load_is_recorded_and_read_back(tmp_path):
    from datetime import datetime

    from dagster_project.warehouse.load import FileLoad, record_file_load, recorded_file_load

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw")
    record = FileLoad(
        "t", {"raw/a.csv": "ab" * 32}, "cd" * 32, 3, 1, 0, {"bad code": 1}, datetime(2026, 1, 2, 3, 4), "r1"
    )
    record_file_load(con, "raw", record)
    assert recorded_file_load(con, "raw", "t") is None, "a record without its table is not a load to keep"
    con.execute("create table raw.t (x integer)")
    assert recorded_file_load(con, "raw", "t") == record
    newer = FileLoad("t", {"raw/a.csv": "ef" * 32}, "cd" * 32, 4, 0, 0, {}, datetime(2026, 2, 2), "r2")
    record_file_load(con, "raw", newer)
    assert recorded_file_load(con, "raw", "t") == newer
    assert recorded_file_load(con, "raw", "other") is None


def test_the_loader_fingerprint_changes_with_the_loader_code(tmp_path):
    import shutil

    from dagster_project import settings
    from dagster_project.warehouse.load import file_sha256, loader_sha256

    package = tmp_path / "dagster_project"
    shutil.copytree(settings.PACKAGE_DIR / "sources", package / "sources")
    shutil.copytree(settings.PACKAGE_DIR / "warehouse", package / "warehouse")
    assert loader_sha256(package) == loader_sha256(settings.PACKAGE_DIR)
    rules = package / "sources" / "kita.py"
    rules.write_text(rules.read_text() + "\n# a changed rule\n")
    changed = loader_sha256(package)
    assert changed != loader_sha256(settings.PACKAGE_DIR)
    (package / "warehouse" / "publish.py").write_text("# not loader code\n")
    assert loader_sha256(package) == changed
    assert file_sha256(rules) != file_sha256(settings.PACKAGE_DIR / "sources" / "kita.py")
