"""A BI-like reader process for the concurrency test: queries the served file in a loop and reports what it saw.

usage: serving_reader.py duckdb|sqlalchemy SERVED_FILE STOP_FILE OUT_JSON MAX_SECONDS

Each round opens a new read-only connection (as a dashboard refresh does), reads the annual totals and the annual
partner rows in two separate queries, and checks Σ partners + unallocated = reported total per flow across them:
both queries must come from one snapshot. It stops when STOP_FILE appears or after MAX_SECONDS, and writes
{"queries", "rounds", "errors", "violations", "snapshots": {Σ partner exports: rounds}} to OUT_JSON.
"""

import json
import sys
import time
from pathlib import Path

TOTALS_SQL = """
    select sum(reported_export_usd), sum(unallocated_export_usd), sum(reported_import_usd), sum(unallocated_import_usd)
    from marts.fct_trade_totals where period_grain = 'year'
"""
PARTNERS_SQL = "select sum(export_usd), sum(import_usd) from marts.fct_bilateral_trade where period_grain = 'year'"
PAUSE_SECONDS = 0.1  # a busy dashboard, not a benchmark: leave the builds CPU on a small machine


def duckdb_rounds(served: str):
    import duckdb

    def one_round():
        with duckdb.connect(served, read_only=True) as con:
            return con.execute(TOTALS_SQL).fetchone(), con.execute(PARTNERS_SQL).fetchone()

    return one_round


def sqlalchemy_rounds(served: str):
    import sqlalchemy as sa

    # NullPool: a pooled connection would keep reading the snapshot it opened.
    engine = sa.create_engine(f"duckdb:///{served}", connect_args={"read_only": True}, poolclass=sa.pool.NullPool)

    def one_round():
        with engine.connect() as con:
            return con.execute(sa.text(TOTALS_SQL)).one(), con.execute(sa.text(PARTNERS_SQL)).one()

    return one_round


def main(mode: str, served: str, stop_file: str, out: str, max_seconds: str) -> None:
    one_round = {"duckdb": duckdb_rounds, "sqlalchemy": sqlalchemy_rounds}[mode](served)
    stop, deadline = Path(stop_file), time.monotonic() + float(max_seconds)
    seen = {"queries": 0, "rounds": 0, "errors": [], "violations": [], "snapshots": {}}
    while not stop.exists() and time.monotonic() < deadline:
        try:
            (export_total, export_unallocated, import_total, import_unallocated), (exports, imports) = one_round()
        except Exception as error:  # noqa: BLE001 (every failure of a read is what the test counts)
            seen["errors"].append(f"{type(error).__name__}: {error}")
        else:
            seen["queries"] += 2
            seen["rounds"] += 1
            if exports + export_unallocated != export_total or imports + import_unallocated != import_total:
                seen["violations"].append([str(v) for v in (exports, export_unallocated, export_total,
                                                             imports, import_unallocated, import_total)])
            seen["snapshots"][str(exports)] = seen["snapshots"].get(str(exports), 0) + 1
        time.sleep(PAUSE_SECONDS)
    Path(out).write_text(json.dumps(seen), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
