"""Shared loader behind every file-backed raw asset: read, validate, replace the source's rows in DuckDB."""


from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project import settings
from dagster_project.sources.files import CsvSpec, SourceFileError, read_csv_file
from dagster_project.warehouse.load import LOAD_COLUMNS, replace_source_rows

_DAGSTER_TYPES = {"Int64": "BIGINT", "Float64": "DOUBLE", "string": "VARCHAR", "object": "DATE"}


def _column_schema(spec: CsvSpec, frame) -> dg.TableSchema:
    columns = [
        dg.TableColumn(name, _DAGSTER_TYPES.get(str(frame[name].dtype), str(frame[name].dtype)))
        for name in frame.columns
    ]
    columns += [dg.TableColumn(name, "VARCHAR" if name != "_loaded_at" else "TIMESTAMP") for name in LOAD_COLUMNS]
    return dg.TableSchema(columns=columns)


def raw_file_asset(spec: CsvSpec) -> dg.AssetsDefinition:
    """A Dagster asset `raw/<table>` that loads one shipped file described by `spec`."""

    @dg.asset(
        key=["raw", spec.table],
        group_name="raw",
        description=spec.description,
        kinds={"duckdb", "csv"},
        metadata={
            "source_file": f"raw/{spec.relative_path}",
            "units": spec.units or "n/a",
            "dagster/table_name": f"{settings.RAW_SCHEMA}.{spec.table}",
        },
    )
    def _load(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
        path = settings.raw_dir() / spec.relative_path
        display = f"raw/{spec.relative_path}" if path.is_relative_to(settings.DEFAULT_RAW_DIR) else str(path)
        try:
            rows, sha256 = read_csv_file(path, spec, display)
        except SourceFileError as error:
            # Fail the asset with the location as structured metadata; nothing was written.
            raise dg.Failure(
                description=str(error),
                metadata={"file": error.file, "row": error.row or 0, "column": error.column or ""},
                allow_retries=False,
            ) from None
        Path(duckdb.database).parent.mkdir(parents=True, exist_ok=True)
        with duckdb.get_connection() as con:
            result = replace_source_rows(
                con,
                settings.RAW_SCHEMA,
                spec.table,
                rows,
                source_file=display,
                file_sha256=sha256,
                load_id=context.run.run_id,
            )
        context.log.info(f"Loaded {result.row_count} rows from {display} into {result.table}")
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": result.row_count,
                "dagster/column_schema": _column_schema(spec, rows),
                "file_sha256": sha256,
                "source_file": display,
                "loaded_at": result.loaded_at.isoformat(),
            }
        )

    return _load
