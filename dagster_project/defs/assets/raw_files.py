"""Shared loader behind every file-backed raw asset: read, validate, replace the source's rows in DuckDB."""

from pathlib import Path

import dagster as dg

from dagster_project import settings
from dagster_project.defs.resources import WarehouseResource
from dagster_project.sources.files import CsvSpec, SourceFileError, read_csv_files
from dagster_project.warehouse import native_load
from dagster_project.warehouse.load import (
    FileLoad,
    file_sha256,
    loader_sha256,
    record_file_load,
    recorded_file_load,
    replace_source_rows,
)

QUARANTINE_CHECK = "no_quarantined_rows"


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


def _load_native(context: dg.AssetExecutionContext, con, spec: CsvSpec, paths, loader: str):
    """The DuckDB-native path (spec.engine == "duckdb"): parse, validate and load in SQL."""
    result, parsed = native_load.load_csv_files(con, settings.RAW_SCHEMA, spec, paths, load_id=context.run.run_id)
    record = FileLoad(
        spec.table,
        parsed.files,
        loader,
        result.row_count,
        result.quarantined_count,
        parsed.repaired,
        dict(parsed.reasons),
        result.loaded_at,
        context.run.run_id,
    )
    return record, "DuckDB-native"


def _load_pandas(context: dg.AssetExecutionContext, con, spec: CsvSpec, paths, loader: str):
    """The pandas path (small reference files): read and validate in Python, then replace the rows."""
    parsed = read_csv_files(paths, spec)
    result = replace_source_rows(
        con, settings.RAW_SCHEMA, spec.table, parsed.rows, quarantined=parsed.quarantined, load_id=context.run.run_id
    )
    files = parsed.rows.groupby("_source_file")["_file_sha256"].first().to_dict()
    reasons = parsed.quarantined.groupby("reason").size().to_dict() if result.quarantined_count else {}
    record = FileLoad(
        spec.table,
        files,
        loader,
        result.row_count,
        result.quarantined_count,
        parsed.repaired,
        {str(k): int(v) for k, v in reasons.items()},
        result.loaded_at,
        context.run.run_id,
    )
    return record, "pandas"


def _unchanged(con, spec: CsvSpec, paths, loader: str) -> FileLoad | None:
    """The recorded load, if the same files (by sha256) were loaded by the same loader code: reloading them
    would write the same rows, so the run keeps them (and their `_loaded_at`: the incremental marts see nothing
    new). None if anything differs, a file is missing (the loader says so) or nothing was recorded."""
    if not all(path.is_file() for path, _ in paths):
        return None
    previous = recorded_file_load(con, settings.RAW_SCHEMA, spec.table)
    if previous is None or previous.loader_sha256 != loader:
        return None
    files = {display: file_sha256(path) for path, display in paths}
    return previous if files == previous.files else None


def _materialize(spec: CsvSpec, con, load: FileLoad, reloaded: bool) -> dg.MaterializeResult:
    schema = dg.TableSchema(
        columns=[
            dg.TableColumn(name, kind)
            for name, kind, *_ in con.execute(f"DESCRIBE {settings.RAW_SCHEMA}.{spec.table}").fetchall()
        ]
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": load.row_count,
            "dagster/column_schema": schema,
            "files_sha256": load.files,
            "quarantined_rows": load.quarantined_count,
            "repaired_rows": load.repaired,
            "loaded_at": load.loaded_at.isoformat(),
            "reloaded": reloaded,
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=QUARANTINE_CHECK,
                passed=load.quarantined_count == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"quarantined_rows": load.quarantined_count, "reasons": load.reasons},
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
        paths = _source_paths(spec)
        loader = loader_sha256(settings.PACKAGE_DIR)
        with warehouse.get_connection() as con:
            kept = _unchanged(con, spec, paths, loader)
            if kept is not None:
                context.log.info(
                    f"{', '.join(kept.files)} unchanged since the load of {kept.loaded_at:%Y-%m-%d %H:%M:%S} "
                    f"(run {kept.load_id}), by the same loader: kept its {kept.row_count} rows in "
                    f"{settings.RAW_SCHEMA}.{spec.table}"
                )
                return _materialize(spec, con, kept, reloaded=False)
            load = _load_native if spec.engine == "duckdb" else _load_pandas
            try:
                record, path = load(context, con, spec, paths, loader)
            except SourceFileError as error:
                raise _failure(error) from None
            record_file_load(con, settings.RAW_SCHEMA, record)
            context.log.info(
                f"Loaded {record.row_count} rows from {', '.join(record.files)} into "
                f"{settings.RAW_SCHEMA}.{spec.table} ({path}); {record.quarantined_count} quarantined, "
                f"{record.repaired} repaired"
            )
            return _materialize(spec, con, record, reloaded=True)

    return _load
