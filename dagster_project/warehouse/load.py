"""Idempotent loads of one source into the warehouse's raw schema.

A load replaces all rows of its source, and its rows in `raw.quarantine`, in one transaction: either the new rows
are there in full, or the previous contents are untouched. Validation happens before the transaction
(sources/files.py), so a file that cannot be trusted never reaches the warehouse.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb
import pandas as pd

from dagster_project.sources.files import QUARANTINE_COLUMNS

LOAD_COLUMNS = ("_loaded_at", "_load_id")
QUARANTINE_TABLE = "quarantine"


@dataclass(frozen=True)
class LoadResult:
    table: str
    row_count: int
    quarantined_count: int
    loaded_at: datetime


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]):
    """Register the incoming frames as views and run the block in one transaction: all of it, or none of it."""
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            yield
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        for name in frames:
            con.unregister(name)


def _create_quarantine(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    con.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {_quote(schema)}.{QUARANTINE_TABLE} (
            source_table VARCHAR NOT NULL,
            _source_file VARCHAR NOT NULL,
            _file_sha256 VARCHAR NOT NULL,
            _row_number BIGINT NOT NULL,
            column_name VARCHAR NOT NULL,
            value VARCHAR,
            reason VARCHAR NOT NULL,
            record VARCHAR NOT NULL,
            _loaded_at TIMESTAMP NOT NULL,
            _load_id VARCHAR NOT NULL
        )"""
    )


def replace_source_rows(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    rows: pd.DataFrame,
    *,
    load_id: str,
    quarantined: pd.DataFrame | None = None,
) -> LoadResult:
    """Replace `schema.table` with `rows` (which carry `_source_file`, `_file_sha256`, `_row_number`) and the
    source's quarantined rows, atomically, stamping both with `_loaded_at` and `_load_id`."""
    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
    frame = rows.assign(_loaded_at=pd.Timestamp(loaded_at), _load_id=load_id)
    rejects = (quarantined if quarantined is not None else pd.DataFrame(columns=list(QUARANTINE_COLUMNS)))
    rejects = rejects.assign(source_table=table, _loaded_at=pd.Timestamp(loaded_at), _load_id=load_id)

    target = f"{_quote(schema)}.{_quote(table)}"
    quarantine = f"{_quote(schema)}.{QUARANTINE_TABLE}"
    incoming, incoming_rejects = f"_incoming_{table}", f"_incoming_rejects_{table}"
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
    _create_quarantine(con, schema)
    with _transaction(con, {incoming: frame, incoming_rejects: rejects}):
        con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {_quote(incoming)}")
        con.execute(f"DELETE FROM {quarantine} WHERE source_table = ?", [table])
        columns = ", ".join(["source_table", *QUARANTINE_COLUMNS, *LOAD_COLUMNS])
        con.execute(f"INSERT INTO {quarantine} ({columns}) SELECT {columns} FROM {_quote(incoming_rejects)}")
        (count,) = con.execute(f"SELECT count(*) FROM {target}").fetchone()
        if count != len(frame):
            raise RuntimeError(f"{target}: wrote {count} rows but {len(frame)} were read")
    return LoadResult(
        table=f"{schema}.{table}", row_count=count, quarantined_count=len(rejects), loaded_at=loaded_at
    )


@dataclass(frozen=True)
class VintageResult:
    table: str
    partition: str
    row_count: int
    appended: bool  # False: the partition's latest vintage already holds exactly these rows
    content_sha256: str
    loaded_at: datetime


def content_sha256(rows: pd.DataFrame) -> str:
    """A fingerprint of a partition's rows that ignores row order (sources page and sort as they like)."""
    canonical = rows.astype("string").fillna("\x00").sort_values(list(rows.columns)).to_csv(index=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def append_vintage(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    rows: pd.DataFrame,
    *,
    partition: str,
    load_id: str,
    source_files: list[str],
) -> VintageResult:
    """Append `rows` as a new vintage of `partition` unless its latest vintage is identical.

    Publishers revise recent months (KCS around the 15th of the next month), so raw keeps every version with
    the time it was loaded; the marts pick the latest and fct_trade_revisions compares first and latest.
    Re-loading unchanged data adds nothing, so re-running a partition is idempotent.
    """
    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
    fingerprint = content_sha256(rows)
    frame = rows.assign(
        _partition=partition,
        _content_sha256=fingerprint,
        _source_files=json.dumps(source_files),
        _loaded_at=pd.Timestamp(loaded_at),
        _load_id=load_id,
    )
    target = f"{_quote(schema)}.{_quote(table)}"
    incoming = f"_incoming_{table}"
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
    with _transaction(con, {incoming: frame}):
        con.execute(f"CREATE TABLE IF NOT EXISTS {target} AS SELECT * FROM {_quote(incoming)} LIMIT 0")
        latest = con.execute(
            f"SELECT _content_sha256 FROM {target} WHERE _partition = ? ORDER BY _loaded_at DESC LIMIT 1",
            [partition],
        ).fetchone()
        appended = latest is None or latest[0] != fingerprint
        if appended and len(frame):
            con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {_quote(incoming)}")
    return VintageResult(
        table=f"{schema}.{table}", partition=partition, row_count=len(frame),
        appended=appended and len(frame) > 0, content_sha256=fingerprint, loaded_at=loaded_at,
    )
