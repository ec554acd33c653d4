"""The Dagster definitions (loaded by definitions.py). Importing this package first imports dagster-dbt without
dbt-core, which every module here that uses dagster-dbt then shares.

dagster-dbt runs dbt as a subprocess (the venv's `dbt`) and reads its JSON log lines. In the Dagster process it
would use dbt-core only for its selection engine (these assets select every node, which dagster-dbt reads from
the manifest without it), for an adapter that fetches row counts and column metadata (not used:
resources.TradeDbtCliResource) and for version checks. Importing dbt-core builds its ~570 serialisable classes
(mashumaro): about 2.7 s of CPU, half the definitions' load, in every process that loads them (a `make warehouse`,
each run of the schedules, each test worker). dagster-dbt also runs where dbt-core is not installed (beside dbt
Fusion, or a dbt in another environment); here dbt-core is installed for the `dbt` executable, so the import is
made to take that path. `tests/unit/test_definitions_load.py` checks that loading the definitions imports no dbt
module and defines the same assets and checks as with dbt-core.
"""

import sys


def _import_dagster_dbt_without_dbt_core() -> None:
    # dagster_dbt.compat decides with `from dbt.version import __version__`: a None entry makes it an ImportError
    saved = sys.modules.get("dbt.version")
    sys.modules["dbt.version"] = None  # type: ignore[assignment]
    try:
        import dagster_dbt  # noqa: F401
    finally:
        if saved is None:
            del sys.modules["dbt.version"]
        else:
            sys.modules["dbt.version"] = saved


if "dagster_dbt" not in sys.modules:
    _import_dagster_dbt_without_dbt_core()
