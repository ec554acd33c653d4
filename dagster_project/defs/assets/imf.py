"""IMF International Trade in Goods Statistics (IMTS, successor of DOTS), partitioned by year."""

import dagster as dg

from dagster_project import settings
from dagster_project.defs.assets.live import PartitionRows, load_partitions
from dagster_project.defs.partitions import yearly_partitions
from dagster_project.defs.resources import WarehouseResource
from dagster_project.sources import imf_api
from dagster_project.warehouse.live_tables import rows_frame

SOURCE_LABEL = "imf_imts_api"


@dg.asset(
    key=["raw", "imf_imts_trade"],
    group_name="raw_live",
    partitions_def=yearly_partitions,
    kinds={"duckdb", "api"},
    metadata={
        "units": "USD (OBS_VALUE as published; SCALE is not applied)",
        "dagster/table_name": "raw.imf_imts_trade",
    },
)
def imf_imts_trade(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Annual exports (FOB) and imports (CIF) with Korea from IMF IMTS (SDMX 3.0), USD, both sides of the mirror:
    Korea-reported (KOR with every counterpart) and partner-reported (every country with counterpart KOR), two
    calls landed under raw/landing/imf_imts/<year>/ and kept as one vintage. IMF needs no key, so going live is
    opt-in: without IMF_LIVE=1 no request is made."""
    def read(year: str) -> PartitionRows:
        if settings.source_configured("imf"):
            window = {"partition": year, "start": f"{year}-01-01", "end": f"{year}-12-31"}
            results = [
                imf_api.fetch_imts(**window),  # Korea-reported
                imf_api.fetch_imts(countries=(), counterparts=("KOR",), **window),  # partner-reported
            ]
            rows = [row for result in results for row in result.rows]
            return PartitionRows(rows_frame(rows, imf_api.ImfObservation),
                                 [landed.path for result in results for landed in result.landed],
                                 "the IMF IMTS API", SOURCE_LABEL)
        context.log.info(f"{settings.IMF_LIVE_ENV} is not 1: no network attempted, nothing loaded")
        return PartitionRows(rows_frame([], imf_api.ImfObservation), [], "nothing (IMF_LIVE not set)", SOURCE_LABEL)

    return load_partitions(context, warehouse, "imf_imts_trade", read)
