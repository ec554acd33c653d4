"""KOSIS trade: the shipped files (annual by partner, monthly with China, the partner-code list) and the live
monthly API, partitioned by month."""

from pathlib import Path

import dagster as dg
import duckdb

from dagster_project import settings
from dagster_project.defs.assets.live import PartitionRows, live_asset
from dagster_project.defs.assets.raw_files import raw_file_asset
from dagster_project.defs.partitions import monthly_partitions
from dagster_project.sources import kosis, kosis_api
from dagster_project.warehouse.live_tables import rows_frame
from dagster_project.warehouse.load import table_names

kosis_trade_by_partner_annual = raw_file_asset(kosis.TRADE_BY_PARTNER_ANNUAL)
kosis_trade_china_monthly = raw_file_asset(kosis.TRADE_CHINA_MONTHLY)
kosis_country_codes = raw_file_asset(kosis.COUNTRY_CODES)

# The API's series and the shipped file standing in for it without a key are different series: the fallback never
# poses as the API (nor does switching between them look like a revision).
API_LABEL = "kosis_monthly_api"
SHIPPED_LABEL = "kosis_shipped_china_monthly"


def _shipped_china_month(
    con: duckdb.DuckDBPyConnection, month: str
) -> tuple[list[kosis_api.KosisRow], list[Path]] | None:
    """The shipped KOSIS monthly China file's rows for one month, in the API's shape (thousand USD), as the file's
    own asset loaded them into raw (validated, and tested in the build that loaded them: the months add up to the
    year). Not the file read again: a file edited since its load would reach this series untested. None if that
    asset never loaded the file into this warehouse."""
    table = kosis.TRADE_CHINA_MONTHLY.table
    if table not in table_names(con, settings.RAW_SCHEMA):
        return None
    records = con.execute(
        f"""select "Country", "Exports", "Imports", _source_file from {settings.RAW_SCHEMA}.{table}
        where "Date" = ? order by _row_number""",
        [month.replace("-", ".")],
    ).fetchall()
    shipped = [
        kosis_api.KosisRow(
            item_id=item,
            item_name=name,
            country_code="CN",
            country_name=country,
            period_type="M",
            period=month.replace("-", ""),
            value=value,
            last_changed=None,
        )
        for country, exports, imports, _ in records
        for item, name, value in (
            (kosis_api.EXPORT_ITEM, "수출액", exports),
            (kosis_api.IMPORT_ITEM, "수입액", imports),
        )
    ]
    return shipped, sorted({Path(source_file) for *_, source_file in records})


def read_month(context: dg.AssetExecutionContext, month: str) -> PartitionRows:
    """Korea's exports and imports by partner for one month from the KOSIS API (DT_1R11006_FRM101, thousand USD),
    landed under raw/landing/kosis_dt_1r11006_frm101/<month>/ and kept as vintages. Without KOSIS_API_KEY no
    request is made: the shipped monthly China file (2001-01 to 2019-12) stands in, China only, as its asset
    loaded it."""
    if settings.source_configured("kosis"):
        yymm = month.replace("-", "")
        result = kosis_api.fetch_trade_by_country("M", yymm, yymm, partition=month)
        return PartitionRows(
            rows_frame(result.rows, kosis_api.KosisRow),
            [landed.path for landed in result.landed],
            "the KOSIS API",
            API_LABEL,
        )
    with context.resources.warehouse.get_connection() as con:
        shipped = _shipped_china_month(con, month)
    rows, files = shipped or ([], [])
    table = f"{settings.RAW_SCHEMA}.{kosis.TRADE_CHINA_MONTHLY.table}"
    origin = f"the shipped file raw/{kosis.TRADE_CHINA_MONTHLY.relative_path} as loaded into {table} (China only)"
    if shipped is None:
        missing = f", which is not loaded in this warehouse yet (`make warehouse` loads it): nothing for {month}"
    else:
        missing = "" if rows else f", which has no data for {month}"
    context.log.info(f"No {settings.KOSIS_API_KEY_ENV} set: no network attempted; using {origin}{missing}")
    return PartitionRows(rows_frame(rows, kosis_api.KosisRow), files, origin, SHIPPED_LABEL)


kosis_trade_by_country_monthly = live_asset(
    "kosis_trade_by_country_monthly", monthly_partitions, "thousand USD", read_month
)
