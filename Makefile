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

.PHONY: install install-spark spark prepare warehouse refresh backfill test lint bench bench-load docs rollback dev clean sql

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(SPARK_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,spark]'
	touch $(SPARK_STAMP)

install-spark: $(SPARK_STAMP)

## dbt parse: writes dbt_project/target/manifest.json, which Dagster reads to define the dbt assets
prepare: install
	$(PY) -m dagster_project.cli prepare

## build the warehouse from raw/ by materialising the whole Dagster asset graph (no key, no network)
warehouse: install
	$(PY) -m dagster_project.cli build

## the job the monthly schedule runs, for one month (MONTH=YYYY-MM), through to the marts; needs `make warehouse` first
refresh: install
	@test -n "$(MONTH)" || (echo "usage: make refresh MONTH=YYYY-MM" && exit 2)
	$(PY) -m dagster_project.cli refresh --month $(MONTH)

## backfill the monthly refresh for a year range (FROM=YYYY TO=YYYY) in one run, like a UI backfill
backfill: install
	@test -n "$(FROM)" -a -n "$(TO)" || (echo "usage: make backfill FROM=YYYY TO=YYYY" && exit 2)
	$(PY) -m dagster_project.cli backfill --from-month $(FROM)-01 --to-month $(TO)-12

## the same dbt models on Spark (local pyspark, Java 17) from the raw data of the last `make warehouse`;
## compares every mart with the DuckDB build and exits non-zero on any difference
spark: install-spark
	$(PY) -m dagster_project.cli_spark

## the whole test suite: unit tests, then real Dagster + dbt runs into temporary DuckDB files
test: install
	$(PY) -m dagster_project.cli prepare
	$(PY) -m pytest

## lint, no warehouse needed: ruff (rules and format) over the Python, sqlfluff over the dbt project (dbt_project/.sqlfluff)
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	cd dbt_project && ../$(VENV)/bin/sqlfluff lint . --processes 2

## benchmark at customs scale: SYNTHETIC item x partner x month rows (ROWS=5000000,10000000,20000000; pandas up to
## PANDAS_MAX_ROWS=10000000, it holds everything in memory) through the
## real pipeline, beside bare DuckDB and pandas doing the same work; prints a table (~20-30 min on 2 cores)
BENCH_ROWS := 5000000,10000000,20000000
bench: prepare
	$(PY) -m tests.benchmarks.bench_items --rows $(or $(ROWS),$(BENCH_ROWS)) --pandas-max-rows $(or $(PANDAS_MAX_ROWS),10000000)

## the pandas file parser alone on a large synthetic KITA-layout file (ROWS=1000000)
bench-load: install
	$(PY) -m tests.benchmarks.bench_load --rows $(or $(ROWS),1000000)

## dbt docs, offline: dbt_project/target/static_index.html (one self-contained page), catalog from the work file
docs: install
	$(PY) -m dagster_project.cli docs

## serve the previous published generation again (run twice to undo)
rollback: install
	$(PY) -m dagster_project.cli rollback

## a SQL prompt on the served file, read-only, with the project's own DuckDB (no CLI to install)
sql: install
	$(PY) -m dagster_project.query

## the Dagster UI on http://127.0.0.1:3000
dev: prepare
	$(VENV)/bin/dagster dev -h 127.0.0.1 -p 3000  # module and location name from [tool.dagster] in pyproject.toml

clean:
	rm -rf data dbt_project/target dbt_project/logs
