"""The live-source assets: one factory (`live_asset`) and their shared step, in which each partition's load becomes a
vintage in raw if its figures changed."""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg

from dagster_project import settings
from dagster_project.defs.resources import WarehouseResource
from dagster_project.sources.errors import ApiError
from dagster_project.warehouse.live_tables import LIVE_TABLES
from dagster_project.warehouse.load import EMPTY, NEW, UNCHANGED, VintageResult, append_vintage

if TYPE_CHECKING:  # pandas is imported where rows are made (~0.4 s): see sources/files.py
    import pandas as pd


@dataclass(frozen=True)
class PartitionRows:
    """What a live asset read for one partition key, from where, and under which source label."""

    frame: "pd.DataFrame"
    source_files: list[Path]
    origin: str
    # The series the rows belong to: a fallback (e.g. a shipped file standing in for an API) has its own label,
    # so switching between key and no key never looks like a revision of the other's figures.
    source_label: str
    # Called once the partition's rows are committed (e.g. an inbox drop leaves the inbox only then).
    on_commit: Callable[[], None] | None = None


def load_partitions(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    table: str,
    read: Callable[[str], PartitionRows],
) -> dg.MaterializeResult:
    """For every partition key of the run (one, or a backfill's whole range in a single run), read its rows and
    record them as a vintage of raw.<table>. A month whose input is bad fails with its error; the other months
    of the run are still read, and the step then fails naming every bad month (so nothing is published)."""
    spec = LIVE_TABLES[table]
    report, total_rows, failures = {}, 0, {}
    for key in context.partition_keys:
        try:
            part = read(key)
        except ApiError as error:
            context.log.error(f"{table} {key}: {error}")
            failures[key] = str(error)
            continue
        files = [str(path) for path in part.source_files]
        with warehouse.get_connection() as con:
            result = append_vintage(
                con,
                settings.RAW_SCHEMA,
                table,
                part.frame,
                partition=key,
                load_id=context.run.run_id,
                source_files=files,
                source_label=part.source_label,
                figure_columns=spec.figure_columns,
            )
        if part.on_commit:
            part.on_commit()
        log = context.log.warning if result.status == EMPTY else context.log.info
        log(
            f"{result.table} {key} [{part.source_label}]: {result.row_count} rows from {part.origin}: "
            f"{vintage_message(result)}"
        )
        report[key] = {
            "rows": result.row_count,
            "origin": part.origin,
            "source_label": part.source_label,
            "vintage": result.status,
            "content_sha256": result.content_sha256,
            "source_files": files,
        }
        total_rows += result.row_count
    fail_on_bad_partitions(context, table, failures, report)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": total_rows,
            "partitions": report,
            "dagster/table_name": f"{settings.RAW_SCHEMA}.{table}",
        }
    )


def vintage_message(result: VintageResult) -> str:
    """What one partition's vintage load did, in words, for the run log."""
    return {
        NEW: "a new vintage (its figures replace the month's previous vintage as a whole)",
        UNCHANGED: "no new vintage (the same figures as the latest vintage)",
        EMPTY: f"EMPTY, recorded in raw.load_vintages; the previous vintage ({result.previous_row_count} rows) "
        "stays the latest figures",
    }[result.status]


def fail_on_bad_partitions(
    context: dg.AssetExecutionContext, table: str, failures: dict[str, str], loaded: dict[str, dict]
) -> None:
    """After every partition of the run was tried: fail the step naming each bad partition (so nothing publishes)."""
    if failures:
        raise dg.Failure(
            description=f"{table}: {len(failures)} of {len(context.partition_keys)} partitions failed: "
            + "; ".join(f"{key}: {error}" for key, error in failures.items()),
            metadata={"failed_partitions": failures, "loaded_partitions": loaded},
        )


def live_asset(
    table: str,
    partitions_def: dg.PartitionsDefinition,
    units: str,
    read_partition: Callable[[dg.AssetExecutionContext, str], PartitionRows],
) -> dg.AssetsDefinition:
    """The asset `raw/<table>` of a live source: for each partition key of the run, `read_partition(context, key)`
    says what to load (from the API, a replay, an inbox drop, or nothing, and under which source label), and the
    rows become a vintage of raw.<table>. Its description is `read_partition`'s docstring. A backfill or a
    schedule's range of partitions runs as one run, with one dbt build and one publish."""

    @dg.asset(
        key=["raw", table],
        group_name="raw_live",
        partitions_def=partitions_def,
        kinds={"duckdb", "api"},
        backfill_policy=dg.BackfillPolicy.single_run(),
        description=inspect.getdoc(read_partition),
        metadata={"units": units, "dagster/table_name": f"{settings.RAW_SCHEMA}.{table}"},
    )
    def _asset(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        return load_partitions(context, warehouse, table, lambda key: read_partition(context, key))

    return _asset
