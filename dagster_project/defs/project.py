"""The dbt project as Dagster sees it. The manifest is built by `dbt parse` (`make prepare`), not at import."""

from dagster_dbt import DbtProject

from dagster_project import settings
from dagster_project.cli import prepare

# dbt's profiles.yml reads WAREHOUSE_PATH: resolve its default before anything (even `dagster dev`'s parse) runs dbt.
settings.export_warehouse_path()

trade_dbt_project = DbtProject(project_dir=settings.DBT_PROJECT_DIR)
# Under `dagster dev` only, as DbtProject.prepare_if_dev() would, but with the project's own parse: the venv's
# `dbt parse`, skipped when the manifest is fresh (dbt_manifest.py), and no dbt adapter opened in this process.
if trade_dbt_project.preparer.using_dagster_dev():
    prepare()
