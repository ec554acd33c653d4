"""Korea Customs Service open API: Korea's monthly trade by HSK-10 item x partner (nitemtrade), one partition a
month, loaded DuckDB-natively as vintages."""

import dagster as dg

from dagster_project import settings
from dagster_project.defs.assets.live import fail_on_bad_partitions, vintage_message
from dagster_project.defs.assets.raw_files import QUARANTINE_CHECK
from dagster_project.defs.partitions import monthly_partitions
from dagster_project.defs.resources import WarehouseResource
from dagster_project.sources import kcs_api
from dagster_project.sources.errors import ApiError
from dagster_project.sources.landing import SIDECAR_SUFFIX
from dagster_project.warehouse import item_load
from dagster_project.warehouse.load import EMPTY

KEY = dg.AssetKey(["raw", item_load.TABLE])


@dg.asset(
    key=KEY,
    group_name="raw_live",
    partitions_def=monthly_partitions,
    kinds={"duckdb", "api"},
    backfill_policy=dg.BackfillPolicy.single_run(),
    metadata={"units": "USD (exports FOB, imports CIF), kg", "dagster/table_name": f"raw.{item_load.TABLE}"},
    check_specs=[
        dg.AssetCheckSpec(
            QUARANTINE_CHECK,
            asset=KEY,
            description="Records that broke a rule are quarantined in raw.quarantine (warns).",
        )
    ],
)
def kcs_trade_by_item_country(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Korea's trade by HSK-10 item and partner for one month from the KCS API (getNitemtradeList), USD and kg:
    one call per partner (cntyCd), landed byte-for-byte under raw/landing/kcs_nitemtrade/<month>/ (an interrupted
    month resumes where it stopped; calls count against the daily quota), checked against each response's 총계
    row, and kept as vintages (a month's rows supersede its previous vintage as a whole). Calls are made only with
    KCS_SERVICE_KEY and KCS_ITEMS_LIVE=1 (~280 calls a month of the daily quota); otherwise a complete month landed
    earlier is replayed, else nothing is loaded."""
    report, total_rows, total_quarantined, failures = {}, 0, 0, {}
    for month in context.partition_keys:
        try:
            if settings.kcs_items_live():
                fetched = kcs_api.fetch_item_month(month)
                landed, origin = (
                    fetched.landed,
                    (f"the KCS API ({fetched.calls_made} calls, {fetched.resumed} partner responses reused)"),
                )
            else:
                folder = settings.landing_dir() / kcs_api.ITEM_TRADE / month
                if not any(folder.glob(f"*{SIDECAR_SUFFIX}")):
                    context.log.info(
                        f"{settings.KCS_SERVICE_KEY_ENV} and {settings.KCS_ITEMS_LIVE_ENV}=1 not both "
                        f"set, and nothing landed for {month}: no network attempted, nothing loaded"
                    )
                    landed, origin = [], "nothing (not live, nothing landed)"
                else:
                    landed, origin = kcs_api.landed_item_month(month), "landed files (replay, no network)"
            with warehouse.get_connection() as con:
                result, quarantined = item_load.append_item_month(
                    con, settings.RAW_SCHEMA, landed, month=month, load_id=context.run.run_id
                )
        except (ApiError, item_load.ItemLoadError) as error:
            # this month fails (nothing of it loads); the run's other months are still read, then the step fails
            context.log.error(f"{item_load.TABLE} {month}: {error}")
            failures[month] = str(error)
            continue
        log = context.log.warning if result.status == EMPTY else context.log.info
        log(
            f"{result.table} {month}: {result.row_count} rows from {origin}, {quarantined} quarantined: "
            f"{vintage_message(result)}"
        )
        report[month] = {
            "rows": result.row_count,
            "origin": origin,
            "source_label": result.source_label,
            "vintage": result.status,
            "quarantined": quarantined,
            "content_sha256": result.content_sha256,
            "responses": len(landed),
        }
        total_rows += result.row_count
        total_quarantined += quarantined
    fail_on_bad_partitions(context, item_load.TABLE, failures, report)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": total_rows,
            "partitions": report,
            "dagster/table_name": f"{settings.RAW_SCHEMA}.{item_load.TABLE}",
        },
        check_results=[
            dg.AssetCheckResult(
                check_name=QUARANTINE_CHECK,
                passed=total_quarantined == 0,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"quarantined_rows": total_quarantined},
            )
        ],
    )
