"""Jobs: `build_warehouse` (make warehouse, the UI's "Materialize all" of the shipped data) and the partitioned
refreshes of the live sources that the schedules, the inbox sensor, backfills and `make refresh` run."""

import dagster as dg

from dagster_project.defs.assets.comtrade import comtrade_trade_by_partner
from dagster_project.defs.assets.dbt import trade_dbt_monthly_models
from dagster_project.defs.assets.imf import imf_imts_trade
from dagster_project.defs.assets.kcs import kcs_trade_by_country
from dagster_project.defs.assets.kcs_items import kcs_trade_by_item_country
from dagster_project.defs.assets.kosis import kosis_trade_by_country_monthly
from dagster_project.defs.assets.publish import served_warehouse
from dagster_project.defs.assets.report import trade_report

MONTHLY_ASSETS = dg.AssetSelection.assets(kcs_trade_by_country, kcs_trade_by_item_country,
                                          kosis_trade_by_country_monthly, trade_dbt_monthly_models)
YEARLY_ASSETS = dg.AssetSelection.assets(comtrade_trade_by_partner, imf_imts_trade)

build_warehouse = dg.define_asset_job(
    "build_warehouse",
    selection=dg.AssetSelection.all() - MONTHLY_ASSETS - YEARLY_ASSETS,
    description="Load every shipped raw file into DuckDB and build, then test, all unpartitioned dbt models.",
)

refresh_monthly = dg.define_asset_job(
    "refresh_monthly",
    selection=MONTHLY_ASSETS,
    description="One month of the live monthly sources (KCS, KOSIS) through to fct_monthly_trade and fct_trade_revisions.",
)

refresh_yearly = dg.define_asset_job(
    "refresh_yearly",
    selection=YEARLY_ASSETS,
    description="One year of the live yearly sources (UN Comtrade, IMF IMTS) into raw.",
)

publish_warehouse = dg.define_asset_job(
    "publish_warehouse",
    selection=dg.AssetSelection.assets(served_warehouse, trade_report),
    description=(
        "Publish the work file to the served file (after its checks) and redraw the report; run by the publish "
        "sensor after a successful refresh, and by `make refresh` / `make backfill`."
    ),
)
