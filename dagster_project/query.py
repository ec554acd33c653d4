"""SQL against the served file from the project's own DuckDB, read-only: no separate DuckDB CLI needed (the CLI on
PyPI, duckdb-cli 1.5, cannot read the files DuckDB 2.0 writes).

    python -m dagster_project.query "select * from marts.fct_trade_totals limit 5"
    python -m dagster_project.query            # a prompt; statements end with ';', Ctrl-D quits
    python -m dagster_project.query --work ... # the work file instead (what the last run built, not yet served)
"""

from __future__ import annotations

import argparse
import sys

import duckdb

from dagster_project import settings

MAX_ROWS = 1000  # printed; DuckDB says how many more there are


def run(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """Print one statement's result as DuckDB's table (exact decimals), or 'ok' for a statement without one."""
    relation = con.sql(sql)
    if relation is None:
        print("ok")
    else:
        relation.show(max_rows=MAX_ROWS, max_width=200)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dagster_project.query", description=__doc__.splitlines()[0])
    parser.add_argument("sql", nargs="?", help="one statement; without it, a prompt")
    parser.add_argument("--work", action="store_true", help="query the work file instead of the served file")
    args = parser.parse_args(argv)
    path = settings.warehouse_path() if args.work else settings.serving_path()
    if not path.exists():
        print(f"{path} does not exist: run `make warehouse` first", file=sys.stderr)
        return 2
    with duckdb.connect(str(path), read_only=True) as con:
        if args.sql:
            run(con, args.sql)
            return 0
        print(f"{path} (read-only). Statements end with ';'. Ctrl-D quits.")
        buffer: list[str] = []
        while True:
            try:
                line = input("... " if buffer else "sql> ")
            except EOFError:
                print()
                return 0
            buffer.append(line)
            if line.rstrip().endswith(";"):
                try:
                    run(con, "\n".join(buffer))
                except duckdb.Error as error:
                    print(f"error: {error}")
                buffer = []


if __name__ == "__main__":
    sys.exit(main())
