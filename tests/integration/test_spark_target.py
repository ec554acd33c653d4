"""The Dagster dbt assets on the Spark target (DBT_TARGET=spark): a real materialisation of the raw loaders and
the dbt models under one mart, in a local pyspark session, compared with the DuckDB build of the same mart.

Needs the `spark` extra (`make spark` installs it) and Java 17; skipped without it. `make spark` builds and compares
every mart; this test proves the Dagster setting.
"""

import dagster as dg
import pytest

from dagster_project.warehouse.compare import compare_tables, profile_relation

from .conftest import environment

pytest.importorskip("pyspark")
pytest.importorskip("dbt.adapters.spark")

MART = dg.AssetKey(["marts", "dim_country"])


def test_the_dbt_assets_build_on_spark_when_dbt_target_is_spark(definitions, run_build, warehouse_copy, tmp_path):
    import duckdb

    spark_dir, raw_parquet = tmp_path / "spark-warehouse", tmp_path / "raw-parquet"
    # the mart and everything upstream of it: raw loaders (DuckDB, unchanged), seeds, staging views, the mart
    selection = list(dg.AssetSelection.assets(MART).upstream().resolve(definitions.resolve_asset_graph()))
    assert dg.AssetKey(["raw", "ref_country_codes"]) in selection
    # cautious: no relationships test towards a mart outside the selection (on a new Spark warehouse it has no table)
    with environment(
        DBT_TARGET="spark",
        SPARK_WAREHOUSE_DIR=str(spark_dir),
        RAW_PARQUET_DIR=str(raw_parquet),
        DBT_INDIRECT_SELECTION="cautious",
    ):
        result = run_build(warehouse_copy, selection=selection)
    assert result.success
    materialised = {event.asset_key for event in result.get_asset_materialization_events()}
    assert {
        MART,
        dg.AssetKey(["raw", "ref_country_codes"]),
        dg.AssetKey(["reference", "kosis_special_codes"]),
    } <= materialised
    # the loaders' raw tables went to Parquet, and Spark wrote the mart as Parquet under SPARK_WAREHOUSE_DIR
    assert (raw_parquet / "ref_country_codes" / "data.parquet").exists()
    spark_files = list((spark_dir / "marts.db" / "dim_country").glob("*.parquet"))
    assert spark_files
    with duckdb.connect(str(warehouse_copy), read_only=True) as con:
        on_duckdb = profile_relation(con, "marts.dim_country", "dim_country")
        on_spark = profile_relation(con, f"read_parquet('{spark_dir}/marts.db/dim_country/*.parquet')", "dim_country")
    comparison = compare_tables(on_duckdb, on_spark)
    assert on_duckdb.row_count > 200
    assert comparison.equal, comparison.differences
