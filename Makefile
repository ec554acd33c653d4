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
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DO_NOT_TRACK := 1

.PHONY: install install-spark spark prepare warehouse refresh backfill test bench bench-dev docs rollback dev clean

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

## the whole test suite: unit tests, then real Dagster + dbt runs into temporary DuckDB files; on every core
## (pytest-xdist; TEST_WORKERS=1 runs it in one process)
test: install
	$(PY) -m dagster_project.cli prepare
	$(PY) -m pytest $(if $(filter 1,$(TEST_WORKERS)),,-n $(or $(TEST_WORKERS),auto))

## benchmark: parse, validate and load a large synthetic file (ROWS=1000000); prints figures
bench: install
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

## the Dagster UI on http://127.0.0.1:3000
dev: prepare
	$(VENV)/bin/dagster dev -h 127.0.0.1 -p 3000  # module and location name from [tool.dagster] in pyproject.toml

clean:
	rm -rf data dbt_project/target dbt_project/logs
