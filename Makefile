# Quick start: `make warehouse` then `make test`. Everything runs from the project's own .venv.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# dagster dev re-parses dbt with the `dbt` on PATH: the venv's.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DO_NOT_TRACK := 1

.PHONY: install prepare warehouse test dev docs rollback clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## dbt parse: writes dbt_project/target/manifest.json, which Dagster reads to define the dbt assets
prepare: install
	$(PY) -m dagster_project.cli prepare

## build the warehouse from raw/ by materialising the whole Dagster asset graph (no key, no network)
warehouse: install
	$(PY) -m dagster_project.cli build

## the whole test suite: unit tests, then real Dagster + dbt runs into temporary DuckDB files
test: install
	$(PY) -m dagster_project.cli prepare
	$(PY) -m pytest

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
