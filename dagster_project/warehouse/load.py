"""Idempotent loads of one source into the warehouse's raw schema.

A load replaces all rows of its source in one transaction: either the new rows are there in full, or the
previous contents are untouched. Validation happens before the transaction (sources/files.py), so bad input
never reaches the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import duckdb
import pandas as pd

LOAD_COLUMNS = ("_source_file", "_file_sha256", "_loaded_at", "_load_id")


@dataclass(frozen=True)
class LoadResult:
    table: str
    row_count: int
    file_sha256: str
    loaded_at: datetime


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def replace_source_rows(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    rows: pd.DataFrame,
    *,
    source_file: str,
    file_sha256: str,
    load_id: str,
) -> LoadResult:
    """Replace `schema.table` with `rows` plus load metadata, atomically; returns what the table now holds."""
    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
    frame = rows.copy()
    frame["_source_file"] = source_file
    frame["_file_sha256"] = file_sha256
    frame["_loaded_at"] = pd.Timestamp(loaded_at)
    frame["_load_id"] = load_id

    target = f"{_quote(schema)}.{_quote(table)}"
    view = f"_incoming_{table}"
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
    con.register(view, frame)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM {_quote(view)}")
            (count,) = con.execute(f"SELECT count(*) FROM {target}").fetchone()
            if count != len(frame):
                raise RuntimeError(f"{target}: wrote {count} rows but {len(frame)} were read from {source_file}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.unregister(view)
    return LoadResult(table=f"{schema}.{table}", row_count=count, file_sha256=file_sha256, loaded_at=loaded_at)
