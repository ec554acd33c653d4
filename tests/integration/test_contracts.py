"""The marts' contracts hold in the served file, and the contract macro refuses a query whose columns differ from
the YAML instead of dropping the undeclared column."""

import os
import re
import shutil
import subprocess

from dagster_project import settings

from ..conftest import parsed_manifest
from .conftest import query

# How DuckDB names the declared portable types.
DUCKDB_NAME = {
    "string": "VARCHAR",
    "bigint": "BIGINT",
    "integer": "INTEGER",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
}


def declared_mart_columns() -> dict[str, list[tuple[str, str]]]:
    manifest = parsed_manifest()
    return {
        node["name"]: [(name, column["data_type"]) for name, column in node["columns"].items()]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["fqn"][1] == "marts"
    }


def test_the_built_marts_have_exactly_the_declared_columns_and_types(built):
    warehouse, result = built
    assert result.success
    for mart, columns in declared_mart_columns().items():
        stored = query(
            warehouse,
            "select column_name, data_type from information_schema.columns "
            f"where table_schema = 'marts' and table_name = '{mart}' order by ordinal_position",
        )
        expected = [(name, DUCKDB_NAME.get(data_type, data_type.upper())) for name, data_type in columns]
        assert stored == expected, mart


def test_a_column_the_yaml_does_not_declare_fails_the_build_naming_it(warehouse_copy, tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(settings.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    yml = project / "models" / "marts" / "_product_marts.yml"
    text = yml.read_text()
    # Drop target_share's declaration from fct_dependence_basket; the query still produces it.
    pattern = re.compile(r"\n      - name: target_share\n(?:        .*\n)+?(?=      - name:)")
    assert pattern.search(text), "fixture: target_share is declared in _product_marts.yml"
    yml.write_text(pattern.sub("\n", text, count=1))
    completed = subprocess.run(
        [
            settings.DBT_EXECUTABLE,
            "build",
            "--select",
            "fct_dependence_basket",
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
        ],
        env={**os.environ, "WAREHOUSE_PATH": str(warehouse_copy), "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"},
        capture_output=True,
        text=True,
        cwd=project,
    )
    assert completed.returncode != 0
    assert "Produced but not declared: target_share" in completed.stdout
    # The served table of the copy is untouched: it still has the column.
    assert query(
        warehouse_copy,
        "select count(*) from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'fct_dependence_basket' and column_name = 'target_share'",
    ) == [(1,)]
