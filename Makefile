# Quick start: `make warehouse` then `make test`. Everything runs from the project's own .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# the Spark extra (dbt-spark, pyspark: large) only for `make spark`
SPARK_STAMP := $(VENV)/.installed-spark

# dagster dev re-parses dbt with the `dbt` on PATH: the venv's.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DO_NOT_TRACK := 1

# VERBOSE=1 (make warehouse / refresh / backfill): the console prints every Dagster event of the run, not only INFO and up
CLI_VERBOSE := $(if $(VERBOSE),--verbose)

.PHONY: install install-spark spark prepare warehouse refresh backfill test lint lock bench bench-load bench-dev docs rollback dev materialize clean sql

# Installs exactly the versions that were tested: every package pinned with its hashes in requirements/*.lock
# (`make lock` regenerates them from pyproject.toml), then the project itself, editable, without resolving anything.
LOCK := requirements/dev.lock
SPARK_LOCK := requirements/spark.lock
PIP_COMPILE := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

$(SPARK_STAMP): $(STAMP) $(SPARK_LOCK)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(SPARK_LOCK)
	touch $(SPARK_STAMP)

## regenerate the lock files after a dependency changed in pyproject.toml (resolves against the package index)
lock: install
	$(PIP_COMPILE) --extra dev -o $(LOCK) pyproject.toml
	$(PIP_COMPILE) --extra dev --extra spark -c $(LOCK) -o $(SPARK_LOCK) pyproject.toml

install-spark: $(SPARK_STAMP)

## dbt parse: writes dbt_project/target/manifest.json, which Dagster reads to define the dbt assets
prepare: install
	$(PY) -m dagster_project.cli prepare

## build the warehouse from raw/ by materialising the whole Dagster asset graph (no key, no network)
warehouse: install
	$(PY) -m dagster_project.cli build $(CLI_VERBOSE)

## the job the monthly schedule runs, for one month (MONTH=YYYY-MM), through to the marts; needs `make warehouse` first
refresh: install
	@test -n "$(MONTH)" || { echo "usage: make refresh MONTH=YYYY-MM" >&2; exit 2; }
	$(PY) -m dagster_project.cli refresh --month $(MONTH) $(CLI_VERBOSE)

## backfill the monthly refresh for a year range (FROM=YYYY TO=YYYY) in one run, like a UI backfill
backfill: install
	@test -n "$(FROM)" -a -n "$(TO)" || { echo "usage: make backfill FROM=YYYY TO=YYYY" >&2; exit 2; }
	$(PY) -m dagster_project.cli backfill --from-month $(FROM)-01 --to-month $(TO)-12 $(CLI_VERBOSE)

## the same dbt models on Spark (local pyspark, Java 17) from the raw data of the last `make warehouse`;
## compares every mart with the DuckDB build and exits non-zero on any difference
spark: install-spark
	$(PY) -m dagster_project.cli_spark

## the whole test suite: unit tests, then real Dagster + dbt runs into temporary DuckDB files; on every core
## (pytest-xdist, handing out one test at a time as a worker frees up; TEST_WORKERS=1: one process)
test: install
	$(PY) -m dagster_project.cli prepare
	$(PY) -m pytest $(if $(filter 1,$(TEST_WORKERS)),,-n $(or $(TEST_WORKERS),auto) --dist loadgroup)

## lint, no warehouse needed: ruff (rules and format) over the Python, sqlfluff over the dbt project (dbt_project/.sqlfluff)
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	cd dbt_project && ../$(VENV)/bin/sqlfluff lint . --processes 2

## benchmark at customs scale: SYNTHETIC item x partner x month rows (ROWS=5000000,10000000,20000000; pandas up to
## PANDAS_MAX_ROWS=10000000, it holds everything in memory) through the
## real pipeline, beside bare DuckDB and pandas doing the same work; prints a table (~40 min on 2 cores)
BENCH_ROWS := 5000000,10000000,20000000
bench: prepare
	$(PY) -m tests.benchmarks.bench_items --rows $(or $(ROWS),$(BENCH_ROWS)) --pandas-max-rows $(or $(PANDAS_MAX_ROWS),10000000)

## the pandas file parser alone on a large synthetic KITA-layout file (ROWS=1000000)
bench-load: install
	$(PY) -m tests.benchmarks.bench_load --rows $(or $(ROWS),1000000)

## benchmark: warm `make warehouse` (and with TESTS=1 the test suite) against a bare `dbt build` of the same project,
## measured in one run; prints wall and CPU seconds and the ratios (needs `make warehouse` once first)
bench-dev: install
	$(PY) -m tests.benchmarks.bench_dev --repeat $(or $(REPEAT),3) $(if $(TESTS),--tests)

## dbt docs, offline: dbt_project/target/static_index.html (one self-contained page), catalog from the work file
docs: install
	$(PY) -m dagster_project.cli docs

## serve the previous published generation again (run twice to undo)
rollback: install
	$(PY) -m dagster_project.cli rollback

## a SQL prompt on the served file, read-only, with the project's own DuckDB (no CLI to install)
sql: install
	$(PY) -m dagster_project.query

# Dagster's notice that `dagster dev` is superseded by `dg dev` is silenced: `dg` needs dagster-dg-cli, which the
# lock does not carry, and the two commands do the same.
DAGSTER_DEV_NOTICE := PYTHONWARNINGS='ignore:Function `dev_command` is superseded'

## the Dagster UI on http://127.0.0.1:3000
dev: prepare
	$(DAGSTER_DEV_NOTICE) \
	$(VENV)/bin/dagster dev -h 127.0.0.1 -p 3000  # definitions module and location name from [tool.dg.project] in pyproject.toml

## the assets named (Dagster's selection syntax), always with the gate and the report, as `make warehouse` runs:
## make materialize SELECT='raw/kosis_trade_by_partner_annual' [PARTITION=2024-03]
materialize:
	@test -n "$(SELECT)" || { echo "usage: make materialize SELECT='<asset key>[,<asset key>...]' [PARTITION=YYYY-MM or YYYY]" >&2; exit 2; }
	@$(MAKE) --no-print-directory install
	$(PY) -m dagster_project.cli materialize --select '$(SELECT)' $(if $(PARTITION),--partition '$(PARTITION)') $(CLI_VERBOSE)

## remove what the next command rebuilds: dbt's target/ and logs/, the Spark target's scratch (data/raw-parquet,
## data/spark-warehouse). The work file, the served generations, the run history (.dagster_home) and the landed API
## responses (raw/landing) stay: `rm -rf data` to build the warehouse from nothing.
clean:
	rm -rf dbt_project/target dbt_project/logs data/raw-parquet data/spark-warehouse
