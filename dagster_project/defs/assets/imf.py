"""IMF International Trade in Goods Statistics (IMTS, successor of DOTS), partitioned by year."""

import dagster as dg

from dagster_project import settings
from dagster_project.defs.assets.live import PartitionRows, live_asset
from dagster_project.defs.partitions import yearly_partitions
from dagster_project.sources import imf_api
from dagster_project.warehouse.live_tables import rows_frame

SOURCE_LABEL = "imf_imts_api"


def read_year(context: dg.AssetExecutionContext, year: str) -> PartitionRows:
    """Annual exports (FOB) and imports (CIF) with Korea from IMF IMTS (SDMX 3.0), USD, both sides of the mirror:
    Korea-reported (KOR with every counterpart) and partner-reported (every country with counterpart KOR), two
    calls landed under raw/landing/imf_imts/<year>/ and kept as one vintage. IMF needs no key, so going live is
    opt-in: without IMF_LIVE=1 no request is made."""
    if settings.source_configured("imf"):
        window = {"partition": year, "start": f"{year}-01-01", "end": f"{year}-12-31"}
        results = [
            imf_api.fetch_imts(**window),  # Korea-reported
            imf_api.fetch_imts(countries=(), counterparts=("KOR",), **window),  # partner-reported
        ]
        rows = [row for result in results for row in result.rows]
        return PartitionRows(
            rows_frame(rows, imf_api.ImfObservation),
            [landed.path for result in results for landed in result.landed],
            "the IMF IMTS API",
            SOURCE_LABEL,
        )
    context.log.info(f"{settings.IMF_LIVE_ENV} is not 1: no network attempted, nothing loaded")
    return PartitionRows(rows_frame([], imf_api.ImfObservation), [], "nothing (IMF_LIVE not set)", SOURCE_LABEL)


imf_imts_trade = live_asset(
    "imf_imts_trade", yearly_partitions, "USD (OBS_VALUE as published; SCALE is not applied)", read_year
)
