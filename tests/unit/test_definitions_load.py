"""Loading the definitions imports dagster-dbt without dbt-core (defs/__init__.py), and defines the same assets."""

import importlib.util
import json
import subprocess
import sys

LOAD = """
import json, sys
{first}
from dagster_project.definitions import defs
graph = defs().resolve_asset_graph()
import dagster_dbt.compat
nodes = {{key.to_user_string(): graph.get(key) for key in graph.get_all_asset_keys()}}
print(json.dumps({{
    "dbt_core_in_process": dagster_dbt.compat.DBT_PYTHON_VERSION is not None,
    "dbt_modules": sorted(name for name in sys.modules if name == "dbt" or name.startswith("dbt.")),
    "assets": {{
        key: [sorted(parent.to_user_string() for parent in node.parent_keys), node.group_name, node.description,
              sorted(str(check) for check in node.check_keys)]
        for key, node in nodes.items()
    }},
    "checks": {{str(key): [graph.get_check_spec(key).description, graph.get_check_spec(key).blocking]
               for key in graph.asset_check_keys}},
}}))
"""


def load(first: str = "") -> dict:
    """The definitions as a fresh process loads them, after running `first`."""
    code = LOAD.format(first=first)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.splitlines()[-1])


def test_the_definitions_load_no_dbt_module_and_equal_those_loaded_with_dbt_core():
    # dbt-core is installed (the `dbt` executable is its script), so dagster-dbt would import it by default
    assert importlib.util.find_spec("dbt.version") is not None
    without = load()
    # dagster-dbt imported before the definitions package, the usual way: it imports dbt-core
    with_dbt_core = load("import dagster_dbt")

    assert (without["dbt_core_in_process"], without["dbt_modules"]) == (False, [])
    assert with_dbt_core["dbt_core_in_process"] is True
    assert len(without["checks"]) > 100
    assert without["assets"] == with_dbt_core["assets"]
    assert without["checks"] == with_dbt_core["checks"]
