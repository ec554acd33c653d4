"""dbt models, seeds and tests as Dagster assets and asset checks."""

import json
from collections.abc import Mapping
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from dagster_project import settings
from dagster_project.defs.partitions import monthly_partitions
from dagster_project.defs.project import trade_dbt_project
from dagster_project.warehouse.export import export_tables


class TradeDbtTranslator(DagsterDbtTranslator):
    """Models and seeds are keyed `<schema>/<name>` and grouped by layer; sources keep their meta asset_key."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dbt_resource_props["schema"]
        return super().get_group_name(dbt_resource_props)


TRANSLATOR = TradeDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))
# Models fed by the month-partitioned live sources carry the dbt tag `monthly`.
MONTHLY = "tag:monthly"


def dbt_target_args(context: dg.AssetExecutionContext) -> list[str]:
    """`--target` from settings.dbt_target() (env DBT_TARGET). On Spark, the dbt sources are the raw tables the
    loaders just wrote, exported from the DuckDB work file as Parquet first (macros/spark.sql registers them)."""
    target = settings.dbt_target()
    if target == settings.SPARK_TARGET:
        with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
            exported = export_tables(con, settings.raw_parquet_dir(), settings.RAW_SCHEMA)
        settings.spark_warehouse_dir().mkdir(parents=True, exist_ok=True)
        context.log.info(f"exported {len(exported)} raw tables to {settings.raw_parquet_dir()} for the Spark target")
    return ["--target", target]


@dbt_assets(
    manifest=trade_dbt_project.manifest_path,
    project=trade_dbt_project,
    dagster_dbt_translator=TRANSLATOR,
    exclude=MONTHLY,
)
def trade_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Staging, intermediate and mart models built by `dbt build`, whose data tests run as asset checks."""
    settings.export_warehouse_path()
    yield from dbt.cli(["build", *dbt_target_args(context)], context=context).stream()


@dbt_assets(
    manifest=trade_dbt_project.manifest_path,
    project=trade_dbt_project,
    dagster_dbt_translator=TRANSLATOR,
    select=MONTHLY,
    partitions_def=monthly_partitions,
    # a backfill of a year is one run: the raw assets loop over its months, dbt rebuilds the year's window
    backfill_policy=dg.BackfillPolicy.single_run(),
    name="trade_dbt_monthly_models",
)
def trade_dbt_monthly_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """The monthly models: each month partition rebuilds only its own rows of the incremental facts
    (delete+insert bounded by the vars min_date/max_date), then the revisions mart and their tests."""
    settings.export_warehouse_path()
    window = context.partition_time_window
    bounds = {"min_date": window.start.strftime("%Y-%m-%d"), "max_date": window.end.strftime("%Y-%m-%d")}
    yield from dbt.cli(["build", "--vars", json.dumps(bounds), *dbt_target_args(context)], context=context).stream()
