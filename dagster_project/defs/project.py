"""The dbt project as Dagster sees it. The manifest is built by `dbt parse` (`make prepare`), not at import."""

from dagster_dbt import DbtProject

from dagster_project import settings

# dbt's profiles.yml reads WAREHOUSE_PATH: resolve its default before anything (even `dagster dev`'s parse) runs dbt.
settings.export_warehouse_path()

trade_dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR)
# Only acts under `dagster dev`, where it re-parses on code reload.
trade_dbt_project.prepare_if_dev()
