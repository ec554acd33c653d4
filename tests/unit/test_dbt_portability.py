"""The dbt models, macros and tests stay portable to the Spark target: no DuckDB-only SQL outside a dispatched macro.

A fast guard (no Spark needed) for the rules in dbt_project/macros/README.md; `make spark` is the full proof.
"""

import re
from pathlib import Path

import pytest

from dagster_project import settings

# DuckDB-only SQL -> what to write instead (see dbt_project/macros/README.md).
DUCKDB_ONLY = {
    r"::": "cast(x as {{ dbt.type_...() }})",
    r"\bgroup\s+by\s+all\b": "group by the columns",
    r"\border\s+by\s+all\b": "order by the columns",
    r"\bqualify\b": "a window in a subquery, filtered outside",
    r"\bfilter\s*\(\s*where\b": "sum(case when ... then x end)",
    r"\btry_cast\s*\(": "{{ dbt.safe_cast(...) }}",
    r"\b(strftime|strptime|epoch|epoch_ms|date_diff|datediff|date_add|make_date)\s*\(": (
        "dbt.datediff / dbt.dateadd / year_start()"
    ),
    r"\bdate_trunc\s*\(": "{{ dbt.date_trunc('month', col) }}",
    r"\b(list|list_\w+|array_agg|struct_pack|unnest|string_agg|arg_max|arg_min)\s*\(": "a join or a dispatched macro",
    r"\b(varchar|hugeint|ubigint)\b": "{{ dbt.type_string() }} / {{ dbt.type_bigint() }}",
    r'"': "{{ adapter.quote('Column Name') }} (Spark reads \"...\" as a string)",
}
# Macros that hold an engine's own SQL behind adapter.dispatch.
DISPATCHED = {"spark.sql"}


def sql_outside_jinja_and_strings(text: str) -> str:
    """The SQL as an engine sees it, minus what Jinja renders (or drops) and minus string literals and comments."""
    text = re.sub(r"\{#.*?#\}", " ", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", " ", text, flags=re.S)
    text = re.sub(r"--[^\n]*", " ", text)
    return re.sub(r"'(?:[^']|'')*'", "''", text)


def sql_files() -> list[Path]:
    root = settings.DBT_PROJECT_DIR
    return sorted(
        path
        for folder in ("models", "macros", "tests")
        for path in (root / folder).rglob("*.sql")
        if path.name not in DISPATCHED
    )


def test_the_guard_sees_duckdb_only_sql_and_ignores_jinja_strings_and_comments():
    sample = """
        {# "a comment" :: #}
        select "Year"::integer, {{ adapter.quote("Year") }} , '"quoted" text :: here' -- group by all
        from t group by all qualify x
    """
    left = sql_outside_jinja_and_strings(sample)
    found = [pattern for pattern in DUCKDB_ONLY if re.search(pattern, left, flags=re.I)]
    assert set(found) == {"::", r"\bgroup\s+by\s+all\b", r"\bqualify\b", '"'}


@pytest.mark.parametrize("path", sql_files(), ids=lambda p: str(p.relative_to(settings.DBT_PROJECT_DIR)))
def test_no_duckdb_only_sql(path):
    sql = sql_outside_jinja_and_strings(path.read_text(encoding="utf-8"))
    problems = [
        f"{match.group(0)!r} (write {advice})"
        for pattern, advice in DUCKDB_ONLY.items()
        for match in [re.search(pattern, sql, flags=re.I)]
        if match
    ]
    # an engine-specific incremental strategy in a config() (Jinja, so not in `sql` above)
    if re.search(r"incremental_strategy\s*=\s*['\"](delete\+insert|merge|insert_overwrite|append)", path.read_text()):
        problems.append("incremental_strategy (write **replace_by_period_config('period_start') in the config)")
    assert not problems, f"{path.name}: not portable to Spark: {'; '.join(problems)}"


def test_seed_column_types_are_portable():
    text = (settings.DBT_PROJECT_DIR / "seeds" / "_seeds.yml").read_text(encoding="utf-8")
    types = re.findall(r"column_types:\s*\{([^}]*)\}", text)
    used = {value.strip() for block in types for value in re.findall(r":\s*([\w()]+)", block)}
    # types both DuckDB and Spark know by the same name
    assert used <= {"string", "double", "bigint", "int", "integer", "date", "boolean"}, used
