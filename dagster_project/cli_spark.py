"""`make spark`: build the same dbt models on Spark from the raw data of the last DuckDB build, and compare every mart.

1. export the raw tables of the work file (WAREHOUSE_PATH) as Parquet (RAW_PARQUET_DIR), the Spark target's sources;
2. `dbt build --target spark --full-refresh` (seeds, models, data tests) in a local pyspark session; sources the
   work file does not hold (a live source never loaded) are excluded with everything downstream of them;
3. profile every mart of the work file and the Parquet table Spark wrote (SPARK_WAREHOUSE_DIR/<schema>.db/<table>):
   row counts, non-null counts and sums (exact for integers and decimals, 1e-9 relative for doubles, checksums
   for text and dates); print the table of comparisons and exit 1 on any difference;
4. time the same `dbt build` on DuckDB (a scratch copy of the work file) for the closing note beside Spark's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dagster_project import settings

# Columns that differ between any two builds by design: the id of the dbt invocation that wrote the row.
PER_BUILD_COLUMNS = frozenset({"dbt_invocation_id"})
# Spark's compiled SQL, manifest and run results stay apart from the DuckDB ones Dagster reads (target/).
SPARK_TARGET_PATH = "target/spark"


def _dbt(*args: str) -> int:
    command = [
        settings.DBT_EXECUTABLE,
        *args,
        "--target",
        settings.SPARK_TARGET,
        "--target-path",
        SPARK_TARGET_PATH,
        "--profiles-dir",
        str(settings.DBT_PROJECT_DIR),
    ]
    print("$ " + " ".join(command[1:]), flush=True)
    return subprocess.run(command, cwd=settings.DBT_PROJECT_DIR).returncode


def _manifest() -> dict:
    return json.loads((settings.DBT_PROJECT_DIR / SPARK_TARGET_PATH / "manifest.json").read_text())


def missing_source_selectors(manifest: dict, exported: set[str]) -> list[str]:
    """`source:<source>.<table>+` for every dbt source whose raw table was not exported (DuckDB does not hold it)."""
    return sorted(
        f"source:{node['source_name']}.{node['name']}+"
        for node in manifest["sources"].values()
        if node["schema"] == settings.RAW_SCHEMA and node["identifier"] not in exported
    )


def mart_models(manifest: dict) -> set[str]:
    """The names of the models the project builds as tables in schema marts."""
    return {
        node["alias"] or node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == settings.MARTS_SCHEMA
    }


def time_duckdb_build(excluded: list[str]) -> float | None:
    """Wall time of the same `dbt build` on DuckDB, now, on this machine: into a scratch copy of the work file, so the
    work file (the reference of the comparison) is left as it is."""
    with tempfile.TemporaryDirectory(prefix="duckdb-timing-") as scratch:
        copy = Path(scratch) / "warehouse.duckdb"
        shutil.copy(settings.warehouse_path(), copy)
        command = [
            settings.DBT_EXECUTABLE,
            "build",
            "--full-refresh",
            "--quiet",
            "--target",
            settings.DEFAULT_DBT_TARGET,
            "--target-path",
            str(Path(scratch) / "target"),
            "--profiles-dir",
            str(settings.DBT_PROJECT_DIR),
            *(["--exclude", *excluded] if excluded else []),
        ]
        started = time.monotonic()
        code = subprocess.run(
            command, cwd=settings.DBT_PROJECT_DIR, env={**os.environ, settings.WAREHOUSE_PATH_ENV: str(copy)}
        ).returncode
        return time.monotonic() - started if code == 0 else None


def _spark_run_results() -> dict | None:
    path = settings.DBT_PROJECT_DIR / SPARK_TARGET_PATH / "run_results.json"
    return json.loads(path.read_text()) if path.exists() else None


def built_models(run_results: dict | None) -> set[str]:
    """The models the last Spark build built successfully: only these are read (never a table left by an earlier
    build)."""
    return {
        result["unique_id"].split(".")[-1]
        for result in (run_results or {}).get("results", [])
        if result["unique_id"].startswith("model.") and result["status"] == "success"
    }


def compare_marts(marts: set[str], built: set[str]) -> list:
    """Profile each mart in the work file and in Spark's Parquet output (both read by DuckDB) and compare."""
    import duckdb

    from dagster_project.warehouse.compare import compare_builds, profile_relation

    spark_marts = settings.spark_warehouse_dir() / f"{settings.MARTS_SCHEMA}.db"
    with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
        in_duckdb = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = ?", [settings.MARTS_SCHEMA]
            ).fetchall()
        }
        stale = sorted(in_duckdb - marts)
        if stale:
            print(f"not compared (in the work file's marts, but no longer a model): {', '.join(stale)}")
        expected = {
            table: profile_relation(con, f'{settings.MARTS_SCHEMA}."{table}"', table)
            for table in sorted(in_duckdb & marts)
        }
        actual = {}
        for table in sorted(marts & built):
            folder = spark_marts / table
            if any(folder.rglob("*.parquet")):
                source = folder.as_posix().replace("'", "''")
                actual[table] = profile_relation(
                    con, f"read_parquet('{source}/**/*.parquet', hive_partitioning = true)", table
                )
            elif folder.is_dir() and table in in_duckdb:
                # A partitioned table with no rows has no data file at all (an unpartitioned one writes an empty
                # file): Spark built it empty. Its row count (0) is compared; its columns cannot be read from files.
                actual[table] = profile_relation(
                    con, f'(select * from {settings.MARTS_SCHEMA}."{table}" limit 0)', table
                )
    return compare_builds(expected, actual, ignore=PER_BUILD_COLUMNS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m dagster_project.cli_spark",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--compare-only", action="store_true", help="skip export and build: compare the last ones")
    parser.add_argument(
        "--no-duckdb-timing",
        action="store_true",
        help="do not time the same dbt build on DuckDB (on a scratch copy) for the closing note",
    )
    args = parser.parse_args(argv)

    import duckdb

    from dagster_project.warehouse.compare import format_comparisons
    from dagster_project.warehouse.export import export_tables

    settings.export_warehouse_path()
    work_file = settings.warehouse_path()
    if not work_file.exists():
        print(f"no work file at {work_file}: run `make warehouse` first", file=sys.stderr)
        return 2
    started = time.monotonic()
    timings: dict[str, float] = {}
    excluded: list[str] = []
    if not args.compare_only:
        with duckdb.connect(str(work_file), read_only=True) as con:
            exported = export_tables(con, settings.raw_parquet_dir(), settings.RAW_SCHEMA)
        timings["export"] = time.monotonic() - started
        print(
            f"exported {len(exported)} raw tables ({sum(t.row_count for t in exported)} rows) from {work_file} "
            f"to {settings.raw_parquet_dir()} in {timings['export']:.1f} s"
        )
        if _dbt("parse", "--quiet") != 0:
            print("dbt parse on the spark target failed", file=sys.stderr)
            return 1
        excluded = missing_source_selectors(_manifest(), {t.table for t in exported})
        if excluded:
            print(f"not built (no raw table in the work file): {' '.join(excluded)}")
        # Derby writes its log there from the JVM's start
        settings.spark_warehouse_dir().mkdir(parents=True, exist_ok=True)
        build_started = time.monotonic()
        build_code = _dbt("build", "--full-refresh", *(["--exclude", *excluded] if excluded else []))
        timings["build"] = time.monotonic() - build_started
        if build_code != 0:
            print(f"dbt build on Spark failed (exit {build_code}) after {timings['build']:.1f} s", file=sys.stderr)
            return 1
    compare_started = time.monotonic()
    run_results = _spark_run_results()
    comparisons = compare_marts(mart_models(_manifest()), built_models(run_results))
    timings["compare"] = time.monotonic() - compare_started
    print()
    print(format_comparisons(comparisons))
    different = [c for c in comparisons if not c.equal]
    print()
    if "build" in timings:
        print(
            f"Spark:  export {timings['export']:.1f} s, dbt build {timings['build']:.1f} s wall "
            f"(dbt's own timer {run_results['elapsed_time']:.1f} s, starting the JVM included), "
            f"compare {timings['compare']:.1f} s; total {time.monotonic() - started:.1f} s"
        )
        if not args.no_duckdb_timing:
            duckdb_seconds = time_duckdb_build(excluded)
            print(
                "DuckDB: the same dbt build, just now on a scratch copy of the work file: "
                + (f"{duckdb_seconds:.1f} s wall" if duckdb_seconds is not None else "failed")
            )
    if different:
        print(f"{len(different)} of {len(comparisons)} marts DIFFER between DuckDB and Spark", file=sys.stderr)
        return 1
    print(f"all {len(comparisons)} marts equal on DuckDB and Spark")
    return 0


if __name__ == "__main__":
    sys.exit(main())
