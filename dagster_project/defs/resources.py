"""Resources shared by every run: the warehouse file and the dbt CLI."""

import dagster as dg
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource

from dagster_project import settings
from dagster_project.defs.project import trade_dbt_project



@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "duckdb": DuckDBResource(database=dg.EnvVar(settings.WAREHOUSE_PATH_ENV)),
            "dbt": DbtCliResource(project_dir=trade_dbt_project, dbt_executable=settings.DBT_EXECUTABLE),
        },
        # One DuckDB file has one writer: steps of a run execute one after another.
        executor=dg.in_process_executor,
    )
