"""UN Comtrade: the shipped legacy-format extracts (all files of raw/comtrade_legacy/ as one table) and the live
final-data API, partitioned by year."""

import dagster as dg

from dagster_project import settings
from dagster_project.defs.assets.live import PartitionRows, live_asset
from dagster_project.defs.assets.raw_files import raw_file_asset
from dagster_project.defs.partitions import yearly_partitions
from dagster_project.sources import comtrade, comtrade_api
from dagster_project.warehouse.live_tables import rows_frame

comtrade_legacy_trade = raw_file_asset(comtrade.LEGACY_TRADE)

SOURCE_LABEL = "comtrade_api"


def read_year(context: dg.AssetExecutionContext, year: str) -> PartitionRows:
    """Total trade with Korea for one year from UN Comtrade final data, USD, both sides of the mirror: Korea-reported
    (reporter 410, every partner) and partner-reported (every reporter, partner 410), two calls landed under
    raw/landing/comtrade_final/<year>/ and kept as one vintage. Needs COMTRADE_SUBSCRIPTION_KEY; without it no
    request is made (the shipped legacy extracts are loaded by raw/comtrade_legacy_trade)."""
    if settings.source_configured("comtrade"):
        results = [
            comtrade_api.fetch_final_data([year], partition=year),  # Korea-reported
            comtrade_api.fetch_final_data(
                [year], partition=year, reporter_code=None, partner_codes=[comtrade_api.KOREA]
            ),  # partner-reported
        ]
        rows = [row for result in results for row in result.rows]
        return PartitionRows(
            rows_frame(rows, comtrade_api.ComtradeRow),
            [landed.path for result in results for landed in result.landed],
            "the UN Comtrade API",
            SOURCE_LABEL,
        )
    context.log.info(f"No {settings.COMTRADE_SUBSCRIPTION_KEY_ENV} set: no network attempted, nothing loaded")
    return PartitionRows(rows_frame([], comtrade_api.ComtradeRow), [], "nothing (no key)", SOURCE_LABEL)


comtrade_trade_by_partner = live_asset("comtrade_trade_by_partner", yearly_partitions, "USD", read_year)
