"""Idempotent loads of one source into the warehouse's raw schema.

A load replaces all rows of its source, and its rows in `raw.quarantine`, in one transaction: either the new rows
are there in full, or the previous contents are untouched. Validation happens before the transaction
(sources/files.py), so a file that cannot be trusted never reaches the warehouse.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import duckdb

from dagster_project.sources.files import QUARANTINE_COLUMNS

if TYPE_CHECKING:  # pandas is imported where rows are made (~0.4 s): see sources/files.py
    import pandas as pd

LOAD_COLUMNS = ("_loaded_at", "_load_id")
QUARANTINE_TABLE = "quarantine"


@dataclass(frozen=True)
class LoadResult:
    table: str
    row_count: int
    quarantined_count: int
    loaded_at: datetime


def quote(identifier: str) -> str:
    """A DuckDB identifier, quoted."""
    return '"' + identifier.replace('"', '""') + '"'


_quote = quote


def table_names(con: duckdb.DuckDBPyConnection, schema: str) -> set[str]:
    """The names of the tables in `schema` (views not included)."""
    return {
        name
        for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = ?", [schema]).fetchall()
    }


def literal(text: str) -> str:
    """A DuckDB string literal."""
    return "'" + text.replace("'", "''") + "'"


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


def create_quarantine(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    """`schema.quarantine`, the rows every loader rejected with their reason, if missing."""
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


_create_quarantine = create_quarantine


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
    import pandas as pd

    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    frame = rows.assign(_loaded_at=pd.Timestamp(loaded_at), _load_id=load_id)
    rejects = quarantined if quarantined is not None else pd.DataFrame(columns=list(QUARANTINE_COLUMNS))
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
    return LoadResult(table=f"{schema}.{table}", row_count=count, quarantined_count=len(rejects), loaded_at=loaded_at)


VINTAGE_LOG = "load_vintages"
# What a load of one (source, partition) did: a vintage with new figures, or no rows at all (recorded, so an
# empty re-pull of a month that had data is visible, but it does not erase the month's figures).
NEW, EMPTY, UNCHANGED = "new", "empty", "unchanged"


@dataclass(frozen=True)
class VintageResult:
    table: str
    partition: str
    source_label: str
    row_count: int
    status: str  # NEW, EMPTY, or UNCHANGED (the latest vintage holds exactly these figures: no rows written)
    content_sha256: str
    loaded_at: datetime
    previous_row_count: int | None  # rows of the latest vintage before this load, None if there was none

    @property
    def appended(self) -> bool:
        return self.status == NEW


def content_sha256(rows: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    """A fingerprint of a partition's figures that ignores row order (sources page and sort as they like) and,
    given `columns`, every other column (names, units, last-changed stamps)."""
    if columns is not None:
        rows = rows[list(columns)]
    canonical = rows.astype("string").fillna("\x00").sort_values(list(rows.columns)).to_csv(index=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _create_vintage_log(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    con.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {_quote(schema)}.{VINTAGE_LOG} (
            source_table VARCHAR NOT NULL,
            source_label VARCHAR NOT NULL,
            partition VARCHAR NOT NULL,
            status VARCHAR NOT NULL,
            row_count BIGINT NOT NULL,
            content_sha256 VARCHAR NOT NULL,
            source_files VARCHAR NOT NULL,
            _loaded_at TIMESTAMP NOT NULL,
            _load_id VARCHAR NOT NULL
        )"""
    )


def create_vintage_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, empty: pd.DataFrame) -> None:
    """The raw table of a live source (its columns and the vintage columns) and the vintage log, if missing."""
    import pandas as pd

    frame = empty.head(0).assign(
        _partition="",
        _source_label="",
        _content_sha256="",
        _source_files="",
        _loaded_at=pd.Timestamp(datetime(1970, 1, 1)),
        _load_id="",
    )
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(schema)}")
    _create_vintage_log(con, schema)
    incoming = f"_empty_{table}"
    con.register(incoming, frame)
    try:
        # Microsecond TIMESTAMP, as every other load writes (a nanosecond one is not portable: Spark's Parquet
        # reader refuses TIMESTAMP(NANOS)).
        con.execute(
            f"CREATE TABLE IF NOT EXISTS {_quote(schema)}.{_quote(table)} AS "
            f"SELECT * REPLACE (CAST(_loaded_at AS TIMESTAMP) AS _loaded_at) FROM {_quote(incoming)} LIMIT 0"
        )
    finally:
        con.unregister(incoming)


def append_vintage(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    rows: pd.DataFrame,
    *,
    partition: str,
    load_id: str,
    source_files: list[str],
    source_label: str,
    figure_columns: Sequence[str] | None = None,
) -> VintageResult:
    """Record one load of (source label, partition): a vintage is the complete set of rows of that load.

    Publishers revise recent months (KCS around the 15th of the next month), so raw keeps every vintage with the
    time it was loaded; the marts take each month's latest vintage as a whole (a partner missing from it is
    missing from the latest figures) and fct_trade_revisions compares first and latest. The same figures again
    append nothing, so re-running a partition is idempotent. An empty load appends no rows but is logged in
    raw.load_vintages (once in a row), so a month that went empty upstream is visible rather than ignored.
    """
    import pandas as pd

    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    fingerprint = content_sha256(rows, figure_columns)
    frame = rows.assign(
        _partition=partition,
        _source_label=source_label,
        _content_sha256=fingerprint,
        _source_files=json.dumps(source_files),
        _loaded_at=pd.Timestamp(loaded_at),
        _load_id=load_id,
    )
    target = f"{_quote(schema)}.{_quote(table)}"
    incoming = f"_incoming_{table}"
    create_vintage_table(con, schema, table, rows)
    with _transaction(con, {incoming: frame}):
        status, previous_row_count = record_vintage(
            con,
            schema,
            table,
            source_label=source_label,
            partition=partition,
            fingerprint=fingerprint,
            row_count=len(frame),
            source_files=source_files,
            loaded_at=loaded_at,
            load_id=load_id,
        )
        if status == NEW:
            con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {_quote(incoming)}")
    return VintageResult(
        table=f"{schema}.{table}",
        partition=partition,
        source_label=source_label,
        row_count=len(frame),
        status=status,
        content_sha256=fingerprint,
        loaded_at=loaded_at,
        previous_row_count=previous_row_count,
    )


def record_vintage(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    *,
    source_label: str,
    partition: str,
    fingerprint: str,
    row_count: int,
    source_files: list[str],
    loaded_at: datetime,
    load_id: str,
) -> tuple[str, int | None]:
    """What a load of (source label, partition) with these figures is, against raw.load_vintages, logged there when
    it is news: returns its status (NEW, EMPTY or UNCHANGED) and the row count of the latest NEW vintage before it
    (None: none). The caller writes the rows when the status is NEW. Call inside the load's transaction; every
    vintage loader (pandas rows or DuckDB-native) decides the same way."""
    log = f"{_quote(schema)}.{VINTAGE_LOG}"
    previous = con.execute(
        f"""SELECT status, content_sha256, row_count FROM {log}
            WHERE source_table = ? AND source_label = ? AND partition = ?
            ORDER BY _loaded_at DESC LIMIT 1""",
        [table, source_label, partition],
    ).fetchone()
    last_new = con.execute(
        f"""SELECT content_sha256, row_count FROM {log}
            WHERE source_table = ? AND source_label = ? AND partition = ? AND status = '{NEW}'
            ORDER BY _loaded_at DESC LIMIT 1""",
        [table, source_label, partition],
    ).fetchone()
    previous_status = previous[0] if previous else None
    if row_count == 0:
        # Nothing loaded into nothing (no key, nothing landed) is not news; a month that had figures is.
        status = EMPTY if last_new is not None and previous_status != EMPTY else UNCHANGED
    elif last_new is not None and last_new[0] == fingerprint:
        status = UNCHANGED
    else:
        status = NEW
    # Logged: new figures, an empty pull, and figures that came back unchanged after an empty pull.
    if status in (NEW, EMPTY) or (status == UNCHANGED and previous_status == EMPTY and row_count > 0):
        con.execute(
            f"INSERT INTO {log} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                table,
                source_label,
                partition,
                status,
                row_count,
                fingerprint,
                json.dumps(source_files),
                loaded_at,
                load_id,
            ],
        )
    return status, (last_new[1] if last_new else None)


# ----------------------------------------------------------------------------------------- unchanged files
FILE_LOADS_TABLE = "file_loads"
# The code that turns a file into rows: the specs and their rules (sources/), the parsers and the loaders. A change
# to any of it reloads every file once, whatever the files say.
_LOADER_CODE = ("sources", "warehouse/native_load.py", "warehouse/load.py")


@dataclass(frozen=True)
class FileLoad:
    """What the last load of a file-backed raw table read and wrote, recorded beside it (`raw.file_loads`), so a
    run can tell that the same files and the same loader would write the same rows, and keep them."""

    table: str
    files: dict[str, str]  # file as displayed -> sha256
    loader_sha256: str
    row_count: int
    quarantined_count: int
    repaired: int
    reasons: dict[str, int]
    loaded_at: datetime
    load_id: str


def file_sha256(path) -> str:
    """sha256 of a file, streamed (constant memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 24):
            digest.update(chunk)
    return digest.hexdigest()


def loader_sha256(package_dir) -> str:
    """sha256 over the loader code (_LOADER_CODE under the package directory), file names included."""
    return code_sha256(package_dir, _LOADER_CODE)


def code_sha256(package_dir, entries) -> str:
    """sha256 over the Python code of `entries` (folders or files under the package directory), names included:
    what a record of work done by that code is keyed by."""
    from pathlib import Path

    root = Path(package_dir)
    digest = hashlib.sha256()
    for entry in entries:
        paths = sorted((root / entry).rglob("*.py")) if (root / entry).is_dir() else [root / entry]
        for path in paths:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _create_file_loads(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    con.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {_quote(schema)}.{FILE_LOADS_TABLE} (
            table_name VARCHAR PRIMARY KEY,
            files VARCHAR NOT NULL,
            loader_sha256 VARCHAR NOT NULL,
            row_count BIGINT NOT NULL,
            quarantined_count BIGINT NOT NULL,
            repaired BIGINT NOT NULL,
            reasons VARCHAR NOT NULL,
            _loaded_at TIMESTAMP NOT NULL,
            _load_id VARCHAR NOT NULL
        )
        """
    )


def recorded_file_load(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> FileLoad | None:
    """The recorded last load of `schema.table`, if the record and the table both exist."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name IN (?, ?)",
        [schema, table, FILE_LOADS_TABLE],
    ).fetchone()[0]
    if exists < 2:
        return None
    row = con.execute(
        f"SELECT files, loader_sha256, row_count, quarantined_count, repaired, reasons, _loaded_at, _load_id "
        f"FROM {_quote(schema)}.{FILE_LOADS_TABLE} WHERE table_name = ?",
        [table],
    ).fetchone()
    if row is None:
        return None
    files, loader, rows, quarantined, repaired, reasons, loaded_at, load_id = row
    return FileLoad(
        table, json.loads(files), loader, rows, quarantined, repaired, json.loads(reasons), loaded_at, load_id
    )


def record_file_load(con: duckdb.DuckDBPyConnection, schema: str, load: FileLoad) -> None:
    """Record a load that committed (after its transaction: a run that dies in between only reloads next time)."""
    _create_file_loads(con, schema)
    con.execute(
        f"INSERT OR REPLACE INTO {_quote(schema)}.{FILE_LOADS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load.table,
            json.dumps(load.files, sort_keys=True),
            load.loader_sha256,
            load.row_count,
            load.quarantined_count,
            load.repaired,
            json.dumps(load.reasons, sort_keys=True),
            load.loaded_at,
            load.load_id,
        ],
    )
