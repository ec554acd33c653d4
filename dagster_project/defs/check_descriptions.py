"""Descriptions of the dbt data tests, shown on their Dagster asset checks: what the test asserts, in words, from
the test's own definition. Pure functions of the manifest and the test files; no Dagster here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

# dbt's built-in generic tests.
BUILTIN = {
    "not_null": "`{column}` is never null.",
    "unique": "`{column}` is unique.",
    "accepted_values": "`{column}` takes only the values {values}.",
    "relationships": "every `{column}` exists in `{to}`.`{field}`.",
}
_HEADER = re.compile(r"\{#-?(.*?)-?#\}", re.S)
_REF = re.compile(r"ref\(['\"]([^'\"]+)['\"]\)")


@cache
def file_header(path: Path) -> str:
    """The first Jinja comment of a SQL file (the project's tests document themselves there), on one line."""
    match = _HEADER.search(path.read_text(encoding="utf-8")) if path.is_file() else None
    return " ".join(match.group(1).split()) if match else ""


def describe_test(test: Mapping[str, Any], project_dir: Path) -> str:
    """One test node of the manifest in words: a generic test by its name, arguments and documentation; a singular
    test by the comment at the top of its file. A `description` written on the test itself wins."""
    if test.get("description"):
        return test["description"]
    metadata = test.get("test_metadata") or {}
    name = metadata.get("name")
    if name is None:  # singular test: a SQL file under tests/
        header = file_header(project_dir / test["original_file_path"])
        return header or f"Singular test {test['name']}: any row it returns is a failure."
    kwargs = {key: value for key, value in (metadata.get("kwargs") or {}).items() if key != "model"}
    if name in BUILTIN:
        to = _REF.search(str(kwargs.get("to", "")))
        text = BUILTIN[name].format(
            column=kwargs.get("column_name", test.get("column_name")),
            values=", ".join(f"`{value}`" for value in kwargs.get("values", [])),
            to=to.group(1) if to else kwargs.get("to"),
            field=kwargs.get("field"),
        )
    else:
        header = file_header(project_dir / "tests" / "generic" / f"{name}.sql")
        arguments = "; ".join(f"{key}: {_plain(value)}" for key, value in kwargs.items())
        text = f"{name} ({arguments}). {header}".strip()
    where = (test.get("config") or {}).get("where")
    severity = (test.get("config") or {}).get("severity", "error")
    return text + (f" Rows tested: where {where}." if where else "") + f" Severity: {severity.lower()}."


def _plain(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return f"`{value}`" if isinstance(value, str) and " " in value else str(value)
