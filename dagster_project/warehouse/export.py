"""Export the raw tables of the DuckDB work file as Parquet, the sources of the Spark target.

One folder per table under the export directory; a table the loaders write per month partition (it has a
`_partition` column) is hive-partitioned by it (`_partition=2024-03/…parquet`), so Spark prunes months. The whole
export is written beside the target and swapped in at the end: a failed or killed export leaves the previous one
whole, and re-running is safe.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

# The column the partitioned loaders (warehouse/load.py, vintages) write the Dagster partition key into.
PARTITION_COLUMN = "_partition"


@dataclass(frozen=True)
class ExportedTable:
    table: str
    row_count: int
    partitioned_by: str | None
    folder: Path


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def export_tables(con: duckdb.DuckDBPyConnection, out_dir: Path, schema: str = "raw") -> list[ExportedTable]:
    """Write every base table of `schema` to `out_dir/<table>/` as Parquet and return what was written.

    `out_dir` is replaced as a whole: tables dropped from DuckDB disappear from the export too.
    """
    out_dir = Path(out_dir).resolve()
    tables = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
            [schema],
        ).fetchall()
    ]
    if not tables:
        raise ValueError(f"schema {schema!r} of the warehouse has no tables to export: build the warehouse first")
    staging = out_dir.with_name(f".{out_dir.name}.tmp")
    previous = out_dir.with_name(f".{out_dir.name}.old")
    for leftover in (staging, previous):
        shutil.rmtree(leftover, ignore_errors=True)
    staging.mkdir(parents=True)
    exported = []
    for table in tables:
        relation = f"{_quote(schema)}.{_quote(table)}"
        columns = {
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [schema, table],
            ).fetchall()
        }
        row_count = con.execute(f"select count(*) from {relation}").fetchone()[0]
        folder = staging / table
        # An empty table still needs a file that carries its schema; a partitioned COPY of no rows writes none.
        partitioned = PARTITION_COLUMN in columns and row_count > 0
        if partitioned:
            con.execute(
                f"copy {relation} to {_sql_string(str(folder))} "
                f"(format parquet, partition_by ({_quote(PARTITION_COLUMN)}))"
            )
        else:
            folder.mkdir()
            con.execute(f"copy {relation} to {_sql_string(str(folder / 'data.parquet'))} (format parquet)")
        exported.append(ExportedTable(table, row_count, PARTITION_COLUMN if partitioned else None, out_dir / table))
    if out_dir.exists():
        out_dir.rename(previous)
    staging.rename(out_dir)
    shutil.rmtree(previous, ignore_errors=True)
    return exported
