"""Every mart serves a contract: enforced, every column typed with a type both engines (DuckDB, Spark) know, and the
query cast to it (macros/contract.sql). Reads the manifest `dbt parse` wrote (make test runs it first)."""

import re

import pytest

from ..conftest import parsed_manifest

# Types that mean the same on DuckDB and Spark; anything else (varchar, hugeint, text) would break the Spark target.
PORTABLE_TYPE = re.compile(r"^(string|bigint|integer|double|boolean|date|timestamp|decimal\(\d+,\d+\))$")


def nodes(*resource_types: str) -> list[dict]:
    manifest = parsed_manifest()
    found = [node for node in manifest["nodes"].values() if node["resource_type"] in resource_types]
    assert found, f"no {resource_types} in the manifest"
    return found


def mart_nodes() -> list[dict]:
    marts = [node for node in nodes("model") if node["fqn"][1] == "marts"]
    assert marts, "no marts in the manifest"
    return marts


@pytest.mark.parametrize("node", nodes("model", "seed"), ids=lambda node: node["name"])
def test_every_model_and_seed_and_every_column_its_yaml_lists_is_described(node):
    """The descriptions reach dbt docs and the Dagster UI; a column listed only to carry tests still needs one."""
    assert node["description"].strip(), f"{node['name']}: no description"
    undescribed = [name for name, column in node["columns"].items() if not column.get("description")]
    assert not undescribed, f"{node['name']}: columns without a description: {undescribed}"


@pytest.mark.parametrize("node", mart_nodes(), ids=lambda node: node["name"])
def test_every_mart_serves_an_enforced_contract(node):
    assert node["config"]["contract"]["enforced"], f"{node['name']}: contract not enforced"
    assert node["columns"], f"{node['name']}: no columns declared"
    untyped = [name for name, column in node["columns"].items() if not column.get("data_type")]
    assert not untyped, f"{node['name']}: columns without data_type: {untyped}"
    unportable = {
        name: column["data_type"]
        for name, column in node["columns"].items()
        if not PORTABLE_TYPE.match(column["data_type"])
    }
    assert not unportable, f"{node['name']}: types not portable to Spark: {unportable}"
    assert "cast_to_contract()" in node["raw_code"], f"{node['name']}: query not wrapped in cast_to_contract()"
