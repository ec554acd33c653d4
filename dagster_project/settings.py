"""The one home of the project's configuration: paths and the environment variables that override them.

Everything reads these functions at call time (not import time), so a test or a run can point the warehouse at
another file by setting the environment variable first.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# dbt seeds are the one home of the project-authored crosswalks; loaders read them to validate codes.
DBT_SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
# The dbt installed beside this interpreter (the project's .venv), even when the venv is not activated.
_VENV_DBT = Path(sys.executable).with_name("dbt")
DBT_EXECUTABLE = str(_VENV_DBT) if _VENV_DBT.exists() else (shutil.which("dbt") or "dbt")

# Env var names, shared with dbt_project/profiles.yml (which reads WAREHOUSE_PATH).
WAREHOUSE_PATH_ENV = "WAREHOUSE_PATH"
RAW_DIR_ENV = "RAW_DIR"

DEFAULT_WAREHOUSE_PATH = REPO_ROOT / "data" / "warehouse.duckdb"
DEFAULT_RAW_DIR = REPO_ROOT / "raw"

# dbt schemas (see macros/generate_schema_name.sql); the Python loaders write `raw`.
RAW_SCHEMA = "raw"
MARTS_SCHEMA = "marts"



def warehouse_path() -> Path:
    """The DuckDB file Dagster and dbt build (absolute, so a dbt subprocess in another cwd finds the same file)."""
    return Path(os.environ.get(WAREHOUSE_PATH_ENV) or DEFAULT_WAREHOUSE_PATH).resolve()


def raw_dir() -> Path:
    """The folder the file loaders read; `raw/` of the checkout unless RAW_DIR says otherwise."""
    return Path(os.environ.get(RAW_DIR_ENV) or DEFAULT_RAW_DIR).resolve()


def export_warehouse_path() -> Path:
    """Put the resolved warehouse path into the environment, where dbt's profiles.yml reads it.

    dbt runs as a subprocess that inherits os.environ; this keeps its default identical to Dagster's.
    """
    path = warehouse_path()
    os.environ[WAREHOUSE_PATH_ENV] = str(path)
    return path
