"""Shared loader behind every file-backed raw asset: read, validate, replace the source's rows in DuckDB."""

from pathlib import Path

import dagster as dg
import pandas as pd

from dagster_project import settings
from dagster_project.defs.resources import WarehouseResource
from dagster_project.sources.files import CsvSpec, SourceFileError, read_csv_files
from dagster_project.warehouse import native_load
from dagster_project.warehouse.load import LOAD_COLUMNS, replace_source_rows

_DUCKDB_TYPES = {"Int64": "BIGINT", "Float64": "DOUBLE", "string": "VARCHAR", "object": "DATE", "bool": "BOOLEAN"}
QUARANTINE_CHECK = "no_quarantined_rows"


def _column_schema(frame: pd.DataFrame) -> dg.TableSchema:
    columns = [dg.TableColumn(name, _DUCKDB_TYPES.get(str(dtype), str(dtype))) for name, dtype in frame.dtypes.items()]
    columns += [dg.TableColumn(name, "TIMESTAMP" if name == "_loaded_at" else "VARCHAR") for name in LOAD_COLUMNS]
    return dg.TableSchema(columns=columns)


def _display(path: Path) -> str:
    """Paths inside the checkout's raw/ are shown relative to the repository; others as they are."""
    return str(path.relative_to(settings.REPO_ROOT)) if path.is_relative_to(settings.REPO_ROOT) else str(path)


def _source_paths(spec: CsvSpec) -> list[tuple[Path, str]]:
    root = settings.raw_dir()
    if any(char in spec.relative_path for char in "*?["):
        paths = sorted(root.glob(spec.relative_path))
    else:
        paths = [root / spec.relative_path]
    return [(path, _display(path)) for path in paths]


def _failure(error: SourceFileError) -> dg.Failure:
    """Fail the asset with the location as structured metadata; nothing was written."""
    return dg.Failure(
        description=str(error),
        metadata={"file": error.file, "row": error.row or 0, "column": error.column or ""},
        allow_retries=False,
    )


def _load_native(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, spec: CsvSpec
) -> dg.MaterializeResult:
    """The DuckDB-native path (spec.engine == "duckdb"): parse, validate and load in SQL."""
    with warehouse.get_connection() as con:
        try:
            result, parsed = native_load.load_csv_files(
                con, settings.RAW_SCHEMA, spec, _source_paths(spec), load_id=context.run.run_id
            )
        except SourceFileError as error:
            raise _failure(error) from None
        schema = dg.TableSchema(
            columns=[
                dg.TableColumn(name, kind)
                for name, kind, *_ in con.execute(f"DESCRIBE {settings.RAW_SCHEMA}.{spec.table}").fetchall()
            ]
        )
    context.log.info(
        f"Loaded {result.row_count} rows from {', '.join(parsed.files)} into {result.table} (DuckDB-native); "
        f"{result.quarantined_count} quarantined, {parsed.repaired} repaired"
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": result.row_count,
            "dagster/column_schema": schema,
            "files_sha256": parsed.files,
            "quarantined_rows": result.quarantined_count,
            "repaired_rows": parsed.repaired,
            "loaded_at": result.loaded_at.isoformat(),
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=QUARANTINE_CHECK,
                passed=result.quarantined_count == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"quarantined_rows": result.quarantined_count, "reasons": parsed.reasons},
            )
        ],
    )


def raw_file_asset(spec: CsvSpec) -> dg.AssetsDefinition:
    """A Dagster asset `raw/<table>` that loads the shipped file(s) described by `spec`, with a check that
    warns when rows were quarantined."""
    key = dg.AssetKey(["raw", spec.table])

    @dg.asset(
        key=key,
        group_name="raw",
        description=spec.description,
        kinds={"duckdb", "csv"},
        metadata={
            "source_file": f"raw/{spec.relative_path}",
            "units": spec.units or "n/a",
            "dagster/table_name": f"{settings.RAW_SCHEMA}.{spec.table}",
        },
        check_specs=[
            dg.AssetCheckSpec(
                QUARANTINE_CHECK,
                asset=key,
                description="Rows that broke a rule of the source are quarantined in raw.quarantine (warns).",
            )
        ],
    )
    def _load(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        if spec.engine == "duckdb":
            return _load_native(context, warehouse, spec)
        try:
            parsed = read_csv_files(_source_paths(spec), spec)
        except SourceFileError as error:
            raise _failure(error) from None
        with warehouse.get_connection() as con:
            result = replace_source_rows(
                con,
                settings.RAW_SCHEMA,
                spec.table,
                parsed.rows,
                quarantined=parsed.quarantined,
                load_id=context.run.run_id,
            )
        files = parsed.rows.groupby("_source_file")["_file_sha256"].first().to_dict()
        context.log.info(
            f"Loaded {result.row_count} rows from {', '.join(files)} into {result.table}; "
            f"{result.quarantined_count} quarantined, {parsed.repaired} repaired"
        )
        reasons = parsed.quarantined.groupby("reason").size().to_dict() if result.quarantined_count else {}
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": result.row_count,
                "dagster/column_schema": _column_schema(parsed.rows),
                "files_sha256": files,
                "quarantined_rows": result.quarantined_count,
                "repaired_rows": parsed.repaired,
                "loaded_at": result.loaded_at.isoformat(),
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name=QUARANTINE_CHECK,
                    passed=result.quarantined_count == 0,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={"quarantined_rows": result.quarantined_count, "reasons": reasons},
                )
            ],
        )

    return _load
