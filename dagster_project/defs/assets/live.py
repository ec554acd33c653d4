"""Shared step of the live-source assets: a partition's parsed rows become a new vintage in raw, if they changed."""

import typing
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pandas as pd
from dagster_duckdb import DuckDBResource

from dagster_project import settings
from dagster_project.warehouse.load import append_vintage


_DTYPES = {int: "Int64", Decimal: "Float64", bool: "boolean", str: "string"}


def rows_frame(rows: list, row_type: type) -> pd.DataFrame:
    """Dataclass rows as a frame typed from the dataclass's annotations, so an empty partition creates the same
    table as a full one: text stays text (codes keep their zeros), numbers are numbers."""
    hints = typing.get_type_hints(row_type)
    frame = pd.DataFrame([asdict(row) for row in rows], columns=[f.name for f in fields(row_type)])
    for column in frame.columns:
        kinds = [kind for kind in typing.get_args(hints[column]) or (hints[column],) if kind is not type(None)]
        dtype = _DTYPES[kinds[0]]
        values = frame[column].map(lambda v: float(v) if isinstance(v, Decimal) else v)
        frame[column] = values.astype(dtype)
    return frame


@dataclass(frozen=True)
class PartitionRows:
    """What a live asset read for one partition key, and from where."""

    frame: pd.DataFrame
    source_files: list[Path]
    origin: str


def load_partitions(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    table: str,
    read: Callable[[str], PartitionRows],
) -> dg.MaterializeResult:
    """For every partition key of the run (one, or a backfill's whole range in a single run), read its rows and
    append them as a vintage of raw.<table>; report what happened per key as asset metadata."""
    Path(duckdb.database).parent.mkdir(parents=True, exist_ok=True)
    report, total_rows = {}, 0
    for key in context.partition_keys:
        part = read(key)
        files = [str(path) for path in part.source_files]
        with duckdb.get_connection() as con:
            result = append_vintage(con, settings.RAW_SCHEMA, table, part.frame, partition=key,
                                    load_id=context.run.run_id, source_files=files)
        context.log.info(
            f"{result.table} {key}: {result.row_count} rows from {part.origin}; "
            + ("appended as a new vintage" if result.appended else "no new vintage (unchanged or empty)")
        )
        report[key] = {"rows": result.row_count, "origin": part.origin, "new_vintage": result.appended,
                       "content_sha256": result.content_sha256, "source_files": files}
        total_rows += result.row_count
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": total_rows,
            "partitions": report,
            "dagster/table_name": f"{settings.RAW_SCHEMA}.{table}",
        }
    )
