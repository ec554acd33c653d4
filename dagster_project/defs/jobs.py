"""Jobs: `build_warehouse` is what `make warehouse`, the UI's "Materialize all" and schedules run."""

import dagster as dg

build_warehouse = dg.define_asset_job(
    "build_warehouse",
    selection=dg.AssetSelection.all(),
    description="Load every raw source into DuckDB and build, then test, all dbt models.",
)
