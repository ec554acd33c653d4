"""Korea Customs Service open API: Korea's monthly trade by partner country (nationtrade), one partition a month."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from dagster_project import settings
from dagster_project.defs.assets.live import PartitionRows, load_partitions, rows_frame
from dagster_project.defs.partitions import monthly_partitions
from dagster_project.sources import inbox, kcs_api
from dagster_project.sources.fetch import SIDECAR_SUFFIX, landed_files


@dg.asset(
    key=["raw", "kcs_trade_by_country"],
    group_name="raw_live",
    partitions_def=monthly_partitions,
    kinds={"duckdb", "api"},
    backfill_policy=dg.BackfillPolicy.single_run(),
    metadata={"units": "USD (exports FOB, imports CIF)", "dagster/table_name": "raw.kcs_trade_by_country"},
)
def kcs_trade_by_country(context: dg.AssetExecutionContext, duckdb: DuckDBResource) -> dg.MaterializeResult:
    """Korea's trade with every partner country for one month from the KCS API (getNationtradeList), USD,
    landed byte-for-byte under raw/landing/kcs_nationtrade/<month>/ and kept as vintages (KCS revises the
    previous month around the 15th). Without KCS_SERVICE_KEY no request is made: the partition is replayed from
    files landed earlier or dropped into raw/inbox/kcs_nationtrade/<month>/."""
    return load_partitions(context, duckdb, "kcs_trade_by_country", lambda month: _read_month(context, month))


def _read_month(context: dg.AssetExecutionContext, month: str) -> PartitionRows:
    yymm = month.replace("-", "")
    dropped = inbox.land_pending(kcs_api.NATION_TRADE, month, {"strtYymm": yymm, "endYymm": yymm})
    if dropped:
        context.log.info(f"Landed {len(dropped)} inbox file(s) for {month}")
    if settings.source_configured("kcs"):
        result = kcs_api.fetch_nation_trade(yymm, yymm, partition=month)
        return PartitionRows(rows_frame(result.rows, kcs_api.KcsTradeRow), [landed.path for landed in result.landed],
                             "the KCS API")
    folder = settings.landing_dir() / kcs_api.NATION_TRADE / month
    if not any(folder.glob(f"*{SIDECAR_SUFFIX}")):
        context.log.info(f"No {settings.KCS_SERVICE_KEY_ENV} set and nothing landed for {month}: no network "
                         "attempted, nothing loaded (set the key, or drop a response into the inbox)")
        return PartitionRows(rows_frame([], kcs_api.KcsTradeRow), [], "nothing (no key, nothing landed)")
    files = [landed.path for landed in landed_files(kcs_api.NATION_TRADE, month)]
    context.log.info(f"No {settings.KCS_SERVICE_KEY_ENV} set: replaying {len(files)} landed file(s), no network")
    return PartitionRows(rows_frame(kcs_api.replay(kcs_api.NATION_TRADE, month), kcs_api.KcsTradeRow), files,
                         "landed files (replay)")
