"""Korea Customs Service open API: Korea's monthly trade by partner country (nationtrade), one partition a month."""

import dagster as dg

from dagster_project import settings
from dagster_project.defs.assets.live import PartitionRows, live_asset
from dagster_project.defs.partitions import monthly_partitions
from dagster_project.sources import inbox, kcs_api
from dagster_project.sources.errors import ApiError
from dagster_project.sources.landing import SIDECAR_SUFFIX
from dagster_project.warehouse.live_tables import rows_frame

# Every KCS by-country figure, whether fetched, replayed or dropped into the inbox, is the KCS API series.
SOURCE_LABEL = "kcs_api"


def read_month(context: dg.AssetExecutionContext, month: str) -> PartitionRows:
    """Korea's trade with every partner country for one month from the KCS API (getNationtradeList), USD,
    landed byte-for-byte under raw/landing/kcs_nationtrade/<month>/ and kept as vintages (KCS revises the
    previous month around the 15th). Without KCS_SERVICE_KEY no request is made: the partition is replayed from
    files landed earlier or dropped into raw/inbox/kcs_nationtrade/<month>/.

    Per month: an inbox drop if there is one (it is what the user asked to load), else the API with a key, else a
    replay of the month's latest landed response, else nothing."""
    yymm = month.replace("-", "")
    window = (yymm, yymm)
    drop = inbox.pending(kcs_api.NATION_TRADE, month)
    if drop:
        try:
            rows = kcs_api.rows_from_files(
                [(str(path), path.read_bytes(), None) for path in drop],
                source=kcs_api.NATION_TRADE,
                partition=month,
                window=window,
                keep_total=True,
            )
        except ApiError as error:
            rejected = inbox.reject(kcs_api.NATION_TRADE, month, drop, str(error))
            raise ApiError(
                error.source,
                error.partition,
                f"{error.problem}; the drop moved to {rejected[0].parent} with a reason file",
                file=error.file,
            ) from None
        landed = inbox.land_drop(kcs_api.NATION_TRADE, month, drop, {"strtYymm": yymm, "endYymm": yymm})
        context.log.info(f"Loading {len(drop)} inbox file(s) for {month} (landed under {landed[0].path.parent})")
        return PartitionRows(
            rows_frame(rows, kcs_api.KcsTradeRow),
            [f.path for f in landed],
            f"an inbox drop ({', '.join(p.name for p in drop)})",
            SOURCE_LABEL,
            on_commit=lambda: inbox.remove(drop),
        )
    if settings.source_configured("kcs"):
        result = kcs_api.fetch_nation_trade(yymm, yymm, partition=month, keep_total=True)
        return PartitionRows(
            rows_frame(result.rows, kcs_api.KcsTradeRow),
            [landed.path for landed in result.landed],
            "the KCS API",
            SOURCE_LABEL,
        )
    folder = settings.landing_dir() / kcs_api.NATION_TRADE / month
    if not any(folder.glob(f"*{SIDECAR_SUFFIX}")):
        context.log.info(
            f"No {settings.KCS_SERVICE_KEY_ENV} set and nothing landed for {month}: no network "
            "attempted, nothing loaded (set the key, or drop a response into the inbox)"
        )
        return PartitionRows(rows_frame([], kcs_api.KcsTradeRow), [], "nothing (no key, nothing landed)", SOURCE_LABEL)
    files = [landed.path for landed in kcs_api.latest_response(kcs_api.NATION_TRADE, month)]
    context.log.info(
        f"No {settings.KCS_SERVICE_KEY_ENV} set: replaying the latest landed response "
        f"({len(files)} file(s)), no network"
    )
    rows = kcs_api.replay(kcs_api.NATION_TRADE, month, window=window, keep_total=True)
    return PartitionRows(rows_frame(rows, kcs_api.KcsTradeRow), files, "landed files (replay)", SOURCE_LABEL)


kcs_trade_by_country = live_asset(
    "kcs_trade_by_country", monthly_partitions, "USD (exports FOB, imports CIF)", read_month
)
