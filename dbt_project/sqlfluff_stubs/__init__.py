"""What dbt puts in a model's Jinja context, stubbed for sqlfluff's jinja templater (`.sqlfluff`: library_path), so
`make lint` renders every model offline, without a warehouse or a `dbt parse`. Renders as dbt-duckdb would, close
enough to parse; only the linter imports this package.

`execute` is False, as in dbt's parse phase, so no macro asks the database anything (`.sqlfluff` also replaces
macros/contract.sql's `cast_to_contract`, whose columns come from the model's YAML, by the body of the call)."""

import os
from pathlib import Path

import jinja2
import yaml

from . import dbt

__all__ = ["adapter", "dbt", "env_var", "execute", "invocation_id", "target", "var"]

_PROJECT = yaml.safe_load((Path(__file__).parents[1] / "dbt_project.yml").read_text(encoding="utf-8"))
_VARS = _PROJECT.get("vars") or {}
_UNSET = object()

execute = False
invocation_id = "00000000-0000-0000-0000-000000000000"


class _Target:
    name = "local"
    type = "duckdb"
    schema = "main"
    database = "warehouse"


target = _Target()


def var(name: str, default=_UNSET):
    """The project's own value from dbt_project.yml, as dbt gives it (a var nobody set fails, as in dbt)."""
    if name in _VARS:
        return _VARS[name]
    if default is _UNSET:
        raise KeyError(f"var {name!r} is not set in dbt_project.yml and has no default")
    return default


def env_var(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise KeyError(f"env var {name!r} is not set and has no default")
    return value


class _Adapter:
    @staticmethod
    def quote(identifier: str) -> str:
        return f'"{identifier}"'

    @staticmethod
    @jinja2.pass_context
    def dispatch(context, macro_name: str, macro_namespace: str | None = None):
        """The DuckDB implementation of a project macro, as dbt's dispatch finds it: duckdb__, then default__."""
        for prefix in ("duckdb__", "default__"):
            macro = context.get(prefix + macro_name)
            if macro is not None:
                return macro
        raise KeyError(f"no duckdb__ or default__ implementation of macro {macro_name!r}")


adapter = _Adapter()
