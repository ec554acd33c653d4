"""dbt models, seeds and tests as Dagster assets and asset checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from dagster_project import dbt_manifest, settings
from dagster_project.defs.check_descriptions import describe_test
from dagster_project.defs.project import trade_dbt_project
from dagster_project.defs.resources import TradeDbtCliResource, WarehouseResource
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

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project) -> dg.AssetCheckSpec | None:
        """Each dbt test's check says in words what it asserts (check_descriptions.py)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return spec._replace(description=describe_test(manifest["nodes"][unique_id], settings.DBT_PROJECT_DIR))


TRANSLATOR = TradeDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


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


def is_whole_project(context: dg.AssetExecutionContext) -> bool:
    """True when this step builds and tests every model, seed and test (not a selection of them). Compared with
    the dbt assets as defined: in a subset run `context.assets_def` is the subset itself, so every selection
    looked whole against it and a run of a few models let serving/warehouse publish without the whole build."""
    return set(context.selected_asset_keys) == set(trade_dbt_models.keys) and set(
        context.selected_asset_check_keys
    ) == set(trade_dbt_models.check_keys)


@dbt_assets(manifest=trade_dbt_project.manifest_path, project=trade_dbt_project, dagster_dbt_translator=TRANSLATOR)
def trade_dbt_models(context: dg.AssetExecutionContext, dbt: TradeDbtCliResource, warehouse: WarehouseResource):
    """Staging, intermediate and mart models built by `dbt build` on this run's candidate warehouse, whose data
    tests run as asset checks. The monthly facts are incremental: they rebuild only the months that received a
    new vintage since they were last built."""
    with warehouse.dbt_environment():
        invocation = dbt.cli(["build", *dbt_target_args(context)], context=context)
        try:
            yield from invocation.stream()
        finally:
            # a failed model or test raises here, but dbt's parse is as good as after a success: the run after a
            # failure would otherwise parse the whole project again
            dbt.keep_parse_state(invocation)
    # dagster-dbt writes a folder per invocation under target/ (~8 MB); keep the newest few.
    dbt_manifest.prune_run_folders(settings.DBT_TARGET_DIR)
    if is_whole_project(context) and settings.dbt_target() == settings.DEFAULT_DBT_TARGET:
        # (On another target the DuckDB candidate's marts were not rebuilt: nothing to promote or publish.)
        # Only now may serving/warehouse promote this candidate without building it again.
        warehouse.mark_passed("dbt build of the whole project")
