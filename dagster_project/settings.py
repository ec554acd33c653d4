"""The one home of the project's configuration: paths and the environment variables that override them.

Everything reads these functions at call time (not import time), so a test or a run can point the warehouse at
another file by setting the environment variable first.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIR = REPO_ROOT / "dagster_project"
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
# dbt's target-path (dbt_project.yml): the manifest Dagster reads, and one folder per dbt invocation of a run.
DBT_TARGET_DIR = DBT_PROJECT_DIR / "target"
# dbt seeds are the one home of the project-authored crosswalks; loaders read them to validate codes.
DBT_SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
# The dbt installed beside this interpreter (the project's .venv), even when the venv is not activated.
_VENV_DBT = Path(sys.executable).with_name("dbt")
DBT_EXECUTABLE_IS_VENVS = _VENV_DBT.exists()
DBT_EXECUTABLE = str(_VENV_DBT) if DBT_EXECUTABLE_IS_VENVS else (shutil.which("dbt") or "dbt")
# The format of each Dagster dbt invocation's dbt.log (its folder under target/): dbt's own text debug log
# ("debug"), not the JSON that dagster-dbt reads on stdout.
DBT_LOG_FORMAT_FILE = "debug"

# Env var names, shared with dbt_project/profiles.yml (which reads WAREHOUSE_PATH).
WAREHOUSE_PATH_ENV = "WAREHOUSE_PATH"
RAW_DIR_ENV = "RAW_DIR"
# The file BI tools read: runs build WAREHOUSE_PATH (the work file) and publish it here only when it passed.
SERVING_PATH_ENV = "SERVING_PATH"
# How many published generations stay in `generations/` beside the served path (the served and the previous one are
# always kept, so at least 2); older ones are removed after each publish.
SERVING_GENERATIONS_KEEP_ENV = "SERVING_GENERATIONS_KEEP"
DEFAULT_SERVING_GENERATIONS_KEEP = 5

# The dbt target (profiles.yml) the Dagster dbt assets build: `local` (DuckDB, the default) or `spark`.
DBT_TARGET_ENV = "DBT_TARGET"
DEFAULT_DBT_TARGET = "local"
SPARK_TARGET = "spark"
# Spark target: where the raw tables are exported as Parquet (its sources), and where Spark writes its tables
# (Parquet, one folder per table under <schema>.db/) and its catalog. Both read by profiles.yml/macros/spark.sql.
RAW_PARQUET_DIR_ENV = "RAW_PARQUET_DIR"
SPARK_WAREHOUSE_DIR_ENV = "SPARK_WAREHOUSE_DIR"

DEFAULT_WAREHOUSE_PATH = REPO_ROOT / "data" / "warehouse.duckdb"
DEFAULT_RAW_PARQUET_DIR = REPO_ROOT / "data" / "raw-parquet"
DEFAULT_SPARK_WAREHOUSE_DIR = REPO_ROOT / "data" / "spark-warehouse"
DEFAULT_SERVING_PATH = REPO_ROOT / "data" / "serving" / "warehouse.duckdb"
DEFAULT_RAW_DIR = REPO_ROOT / "raw"

# Dagster's instance (run history, the schedules' and sensors' state): its dagster.yaml turns telemetry off and
# allows one run at a time. The Makefile exports it for `dagster dev`; the CLI sets it when it is unset.
DAGSTER_HOME_ENV = "DAGSTER_HOME"
DEFAULT_DAGSTER_HOME = REPO_ROOT / ".dagster_home"

# The run gate (warehouse/gate.py): how long a run waits for another run's warehouse lock before it fails, and
# how many failed candidates are kept beside the work file for inspection.
WAREHOUSE_LOCK_TIMEOUT_ENV = "WAREHOUSE_LOCK_TIMEOUT_SECONDS"
DEFAULT_WAREHOUSE_LOCK_TIMEOUT_SECONDS = 900.0
FAILED_CANDIDATES_KEEP = 3


def dbt_var(name: str):
    """A var of dbt_project.yml, the one home of the values the models and the Python code share (the reporter,
    the 3050 line): Python reads them from there instead of repeating them."""
    return _dbt_vars()[name]


@functools.cache
def _dbt_vars() -> dict:
    import yaml  # PyYAML comes with dbt and Dagster

    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]


# dbt schemas (see macros/generate_schema_name.sql); the Python loaders write `raw`.
RAW_SCHEMA = "raw"
MARTS_SCHEMA = "marts"
# the dbt seeds (dbt_project.yml, seeds: +schema): reference tables BI tools join to the marts
REFERENCE_SCHEMA = "reference"

# Live sources. Each base URL can be pointed elsewhere (a mirror, or a local test server) by its env var.
LANDING_DIR_ENV = "LANDING_DIR"
KCS_BASE_URL_ENV = "KCS_BASE_URL"
KOSIS_BASE_URL_ENV = "KOSIS_BASE_URL"
COMTRADE_BASE_URL_ENV = "COMTRADE_BASE_URL"
IMF_BASE_URL_ENV = "IMF_BASE_URL"
DEFAULT_KCS_BASE_URL = "https://apis.data.go.kr/1220000"
DEFAULT_KOSIS_BASE_URL = "https://kosis.kr/openapi"
DEFAULT_COMTRADE_BASE_URL = "https://comtradeapi.un.org"
DEFAULT_IMF_BASE_URL = "https://api.imf.org/external/sdmx/3.0"

# API keys are read from these env vars only; they are never written anywhere.
KCS_SERVICE_KEY_ENV = "KCS_SERVICE_KEY"
KOSIS_API_KEY_ENV = "KOSIS_API_KEY"
COMTRADE_SUBSCRIPTION_KEY_ENV = "COMTRADE_SUBSCRIPTION_KEY"
# Source -> env var of its key; None = the API needs no key (IMF).
SOURCE_KEY_ENVS: dict[str, str | None] = {
    "kcs": KCS_SERVICE_KEY_ENV,
    "kosis": KOSIS_API_KEY_ENV,
    "comtrade": COMTRADE_SUBSCRIPTION_KEY_ENV,
    "imf": None,
}

# IMF IMTS needs no key, so going live is an explicit choice: without IMF_LIVE=1 no request is made.
IMF_LIVE_ENV = "IMF_LIVE"

# The first month the monthly live sources are partitioned from (KCS/KOSIS monthly series start earlier;
# backfill further back by changing this).
MONTHLY_PARTITIONS_START = "2000-01"
YEARLY_PARTITIONS_START = "2000"

# DuckDB limits for the loaders and dbt: the native load path and the product marts spill to disk beyond
# the memory limit instead of growing (the full item-by-country feed does not fit in memory as Python objects).
DUCKDB_MEMORY_LIMIT_ENV = "DUCKDB_MEMORY_LIMIT"
DUCKDB_THREADS_ENV = "DUCKDB_THREADS"
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"
DEFAULT_DUCKDB_THREADS = 2

# The item-by-country feed costs ~280 calls a month against that quota (a 2007-2026 backfill: a week of it), so
# going live with it is an explicit choice on top of KCS_SERVICE_KEY: without KCS_ITEMS_LIVE=1 no item call is made.
KCS_ITEMS_LIVE_ENV = "KCS_ITEMS_LIVE"
# data.go.kr development quota of the KCS item-by-country endpoint (calls a day); a month is ~280 calls.
KCS_ITEM_DAILY_CALL_LIMIT = 10_000

HTTP_TIMEOUT_SECONDS = 60.0
HTTP_MAX_ATTEMPTS = 5
# Exponential backoff between attempts: initial, 2x initial, 4x initial, ... capped at the maximum.
HTTP_BACKOFF_INITIAL_SECONDS = 2.0
HTTP_BACKOFF_MAX_SECONDS = 60.0


def warehouse_path() -> Path:
    """The DuckDB file Dagster and dbt build (absolute, so a dbt subprocess in another cwd finds the same file)."""
    return Path(os.environ.get(WAREHOUSE_PATH_ENV) or DEFAULT_WAREHOUSE_PATH).resolve()


def warehouse_lock_timeout() -> float:
    """Seconds a run waits for the warehouse lock held by another run (0: fail at once)."""
    return float(os.environ.get(WAREHOUSE_LOCK_TIMEOUT_ENV) or DEFAULT_WAREHOUSE_LOCK_TIMEOUT_SECONDS)


def serving_path() -> Path:
    """The path readers open read-only: a symlink to the served generation, swapped atomically by each publish.

    Absolute but not resolved: resolving would follow the symlink to one generation's file."""
    return Path(os.path.abspath(os.environ.get(SERVING_PATH_ENV) or DEFAULT_SERVING_PATH))


def serving_generations_keep() -> int:
    """How many published generations to keep (SERVING_GENERATIONS_KEEP, default 5, at least 2)."""
    raw = os.environ.get(SERVING_GENERATIONS_KEEP_ENV, "").strip()
    try:
        keep = int(raw) if raw else DEFAULT_SERVING_GENERATIONS_KEEP
    except ValueError:
        raise ValueError(f"{SERVING_GENERATIONS_KEEP_ENV}={raw!r} is not a whole number") from None
    if keep < 2:
        raise ValueError(f"{SERVING_GENERATIONS_KEEP_ENV}={keep}: at least 2 (the served and the previous generation)")
    return keep


def report_dir() -> Path:
    """Where the report asset writes its PNG charts and report.html: `report/` beside the served file."""
    return serving_path().parent / "report"


def raw_dir() -> Path:
    """The folder the file loaders read; `raw/` of the checkout unless RAW_DIR says otherwise."""
    return Path(os.environ.get(RAW_DIR_ENV) or DEFAULT_RAW_DIR).resolve()


def dagster_home() -> Path:
    return Path(os.environ.get(DAGSTER_HOME_ENV) or DEFAULT_DAGSTER_HOME)


def export_warehouse_path() -> Path:
    """Put the resolved warehouse path (and the Spark target's paths) into the environment, where dbt's
    profiles.yml reads them.

    dbt runs as a subprocess that inherits os.environ; this keeps its default identical to Dagster's.
    """
    path = warehouse_path()
    os.environ[WAREHOUSE_PATH_ENV] = str(path)
    os.environ[RAW_PARQUET_DIR_ENV] = str(raw_parquet_dir())
    os.environ[SPARK_WAREHOUSE_DIR_ENV] = str(spark_warehouse_dir())
    # profiles.yml reads the DuckDB limits too.
    os.environ[DUCKDB_MEMORY_LIMIT_ENV] = duckdb_memory_limit()
    os.environ[DUCKDB_THREADS_ENV] = str(duckdb_threads())
    return path


def dbt_target() -> str:
    """The profiles.yml target the dbt assets build: DBT_TARGET, default `local` (DuckDB)."""
    return (os.environ.get(DBT_TARGET_ENV) or DEFAULT_DBT_TARGET).strip()


def raw_parquet_dir() -> Path:
    """Spark target: the Parquet export of the raw tables, read as the dbt sources."""
    return Path(os.environ.get(RAW_PARQUET_DIR_ENV) or DEFAULT_RAW_PARQUET_DIR).resolve()


def spark_warehouse_dir() -> Path:
    """Spark target: its tables (Parquet, `<schema>.db/<table>/`) and its catalog (`metastore_db/`)."""
    return Path(os.environ.get(SPARK_WAREHOUSE_DIR_ENV) or DEFAULT_SPARK_WAREHOUSE_DIR).resolve()


def landing_dir() -> Path:
    """Where API responses are landed byte-for-byte: `<raw_dir>/landing` unless LANDING_DIR says otherwise."""
    configured = os.environ.get(LANDING_DIR_ENV)
    return Path(configured).resolve() if configured else raw_dir() / "landing"


def _base_url(env: str, default: str) -> str:
    return (os.environ.get(env) or default).rstrip("/")


def kcs_base_url() -> str:
    return _base_url(KCS_BASE_URL_ENV, DEFAULT_KCS_BASE_URL)


def kosis_base_url() -> str:
    return _base_url(KOSIS_BASE_URL_ENV, DEFAULT_KOSIS_BASE_URL)


def comtrade_base_url() -> str:
    return _base_url(COMTRADE_BASE_URL_ENV, DEFAULT_COMTRADE_BASE_URL)


def imf_base_url() -> str:
    return _base_url(IMF_BASE_URL_ENV, DEFAULT_IMF_BASE_URL)


def api_key(source: str) -> str | None:
    """The key of a live source from its env var, or None if unset/blank (or the source needs no key)."""
    env = SOURCE_KEY_ENVS[source]
    value = os.environ.get(env, "").strip() if env else ""
    return value or None


def source_configured(source: str) -> bool:
    """True if the source may be called: its key is set (IMF, which needs none: IMF_LIVE=1).
    False means: no network; the assets use shipped or landed files and say so."""
    if SOURCE_KEY_ENVS[source] is None:
        return os.environ.get(IMF_LIVE_ENV, "").strip() == "1"
    return api_key(source) is not None


def inbox_dir() -> Path:
    """Where files dropped by hand are picked up by the inbox sensor: `<raw_dir>/inbox/<source>/<partition>/`."""
    return raw_dir() / "inbox"


def duckdb_memory_limit() -> str:
    """DuckDB `memory_limit` of every warehouse connection (loaders, dbt): e.g. `2GB`."""
    return os.environ.get(DUCKDB_MEMORY_LIMIT_ENV) or DEFAULT_DUCKDB_MEMORY_LIMIT


def duckdb_threads() -> int:
    return int(os.environ.get(DUCKDB_THREADS_ENV) or DEFAULT_DUCKDB_THREADS)


def kcs_items_live() -> bool:
    """The KCS item-by-country asset may call the API: KCS_SERVICE_KEY is set and KCS_ITEMS_LIVE=1."""
    return source_configured("kcs") and os.environ.get(KCS_ITEMS_LIVE_ENV, "").strip() == "1"
