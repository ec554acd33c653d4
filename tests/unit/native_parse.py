"""The DuckDB-native load path (warehouse/native_load.py) behind parse_csv's signature, so the unit tests of the
pandas path run unchanged against it: both must type, repair, quarantine and fail alike."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.sources.files import QUARANTINE_COLUMNS, CsvSpec, ParsedFile
from dagster_project.warehouse import native_load


def parse_csv_native(data: bytes, spec: CsvSpec, file: str | Path) -> ParsedFile:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.csv"
        path.write_bytes(data)
        return parse_files_native([(path, str(file))], spec)


def parse_files_native(paths: list[tuple[Path, str]], spec: CsvSpec) -> ParsedFile:
    """native_load.parse_files on (path, display name) pairs, as read_csv_files returns them."""
    con = duckdb.connect()
    try:
        native_load.configure(con)
        parsed = native_load.parse_files(con, spec, paths)
        columns = ", ".join(f'"{name}"' for name in native_load._source_columns(con))
        rows = con.execute(
            f"SELECT {columns} FROM {native_load._ROWS} WHERE _reject IS NULL ORDER BY _file_index, _row_number"
        ).df()
        quarantined = con.execute(f"SELECT * FROM {native_load._REJECTS}").df()
    finally:
        con.close()
    quarantined = (
        quarantined[list(QUARANTINE_COLUMNS)] if len(quarantined) else pd.DataFrame(columns=list(QUARANTINE_COLUMNS))
    )
    return ParsedFile(rows=rows, quarantined=quarantined, repaired=parsed.repaired)
