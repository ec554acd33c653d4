"""Jobs. Every job ends in the same gate: this run's loads, then `dbt build` of the whole project on the run's
candidate warehouse, then `serving/warehouse` (promote and publish) and `serving/report`.

- `build_warehouse` (make warehouse, the UI's "Materialize all" of the shipped data): every shipped file.
- `refresh_monthly` / `refresh_yearly`: the partitions of the live sources that the schedules, the inbox sensor,
  backfills and `make refresh` run.
- `publish_warehouse`: the gate alone (it builds and tests the whole project on a fresh candidate, then publishes).
"""

import dagster as dg

from dagster_project.defs.assets.comtrade import comtrade_trade_by_partner
from dagster_project.defs.assets.dbt import trade_dbt_models
from dagster_project.defs.assets.imf import imf_imts_trade
from dagster_project.defs.assets.kcs import kcs_trade_by_country
from dagster_project.defs.assets.kcs_items import kcs_trade_by_item_country
from dagster_project.defs.assets.kosis import kosis_trade_by_country_monthly
from dagster_project.defs.assets.publish import served_warehouse
from dagster_project.defs.assets.report import trade_report

MONTHLY_SOURCES = dg.AssetSelection.assets(
    kcs_trade_by_country, kcs_trade_by_item_country, kosis_trade_by_country_monthly
)
YEARLY_SOURCES = dg.AssetSelection.assets(comtrade_trade_by_partner, imf_imts_trade)
# What publishes: `serving/warehouse` (the whole `dbt build` on the run's candidate, then promote and publish), then
# the report. Every job ends in it; `cli materialize` adds it to any selection.
SERVING = dg.AssetSelection.assets(served_warehouse, trade_report)
# The gate every run ends in: the whole dbt project, then promote and publish, then the report.
GATE = dg.AssetSelection.assets(trade_dbt_models) | SERVING

build_warehouse = dg.define_asset_job(
    "build_warehouse",
    selection=dg.AssetSelection.all() - MONTHLY_SOURCES - YEARLY_SOURCES,
    description="Load every shipped raw file, build and test every dbt model, and publish if all passed.",
)

refresh_monthly = dg.define_asset_job(
    "refresh_monthly",
    selection=MONTHLY_SOURCES | GATE,
    description="Months of the live monthly sources (KCS, KOSIS) into raw, then the whole dbt build and the "
    "publish gate.",
)

refresh_yearly = dg.define_asset_job(
    "refresh_yearly",
    selection=YEARLY_SOURCES | GATE,
    description="Years of the live yearly sources (UN Comtrade, IMF IMTS) into raw, then the whole dbt build and "
    "the publish gate.",
)

publish_warehouse = dg.define_asset_job(
    "publish_warehouse",
    selection=SERVING,
    description="The gate alone: `dbt build` of the whole project on a fresh candidate of the work file, then "
    "promote, publish and redraw the report.",
)
