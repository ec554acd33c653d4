"""dbt models, seeds and tests as Dagster assets and asset checks."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from dagster_project import settings
from dagster_project.defs.project import trade_dbt_project


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


@dbt_assets(
    manifest=trade_dbt_project.manifest_path,
    project=trade_dbt_project,
    dagster_dbt_translator=TradeDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True)),
)
def trade_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """Staging, intermediate and mart models built by `dbt build`, whose data tests run as asset checks."""
    settings.export_warehouse_path()
    yield from dbt.cli(["build"], context=context).stream()
