"""A BI-like reader process for the concurrency test: queries the served path in a loop and reports what it saw.

usage: serving_reader.py MODE SERVED_FILE STOP_FILE OUT_JSON MAX_SECONDS [TICK_FILE]
MODE: duckdb | sqlalchemy | duckdb-threads | sqlalchemy-threads

TICK_FILE (optional) holds a number the test raises after each publish. Each round reads it when it starts; whenever
every reading thread has completed a round that started at tick k or later, the reader prints `k` on stdout, so
the test can wait (a blocking read, no sleep) until every reader has read the snapshot published at tick k.

Each round opens a new read-only connection (as a dashboard refresh does), reads the annual totals and the annual
partner rows in two separate queries, and checks Σ partners + unallocated = reported total per flow across them:
both queries must come from one snapshot. The `-threads` modes are a threaded BI server in one process (Superset
under gunicorn's threaded workers): a long-lived connection is opened at start and held until the end, and
WORKER_THREADS threads run overlapping rounds, so a connection to the file is open at every moment. The held
connection is queried every round too: it must keep reading its first snapshot, even after that generation's file
is pruned.

It stops when STOP_FILE appears or after MAX_SECONDS, and writes {"queries", "rounds", "errors", "violations",
"snapshots": {Σ partner exports: rounds}, "last": the snapshot of the last round, "held": {snapshot: reads of the
held connection}} to OUT_JSON.
"""

import json
import sys
import threading
import time
from pathlib import Path

TOTALS_SQL = """
    select sum(reported_export_usd), sum(unallocated_export_usd), sum(reported_import_usd), sum(unallocated_import_usd)
    from marts.fct_trade_totals where period_grain = 'year'
"""
PARTNERS_SQL = "select sum(export_usd), sum(import_usd) from marts.fct_bilateral_trade where period_grain = 'year'"
PAUSE_SECONDS = 0.3  # a busy dashboard, not a benchmark: at 0.1 s the 4 readers took a core from the builds
WORKER_THREADS = 3


class DuckDBClient:
    def __init__(self, served: str):
        import duckdb

        self.connect = lambda: duckdb.connect(served, read_only=True)

    @staticmethod
    def one(con, sql: str):
        return con.execute(sql).fetchone()


class SQLAlchemyClient:
    def __init__(self, served: str):
        import sqlalchemy as sa

        self.text = sa.text
        # NullPool, as Superset uses: a new DuckDB connection per query.
        engine = sa.create_engine(f"duckdb:///{served}", connect_args={"read_only": True}, poolclass=sa.pool.NullPool)
        self.connect = engine.connect

    def one(self, con, sql: str):
        return con.execute(self.text(sql)).one()


def main(mode: str, served: str, stop_file: str, out: str, max_seconds: str, tick_file: str | None = None) -> None:
    client = (SQLAlchemyClient if mode.startswith("sqlalchemy") else DuckDBClient)(served)
    threaded = mode.endswith("-threads")
    stop, deadline = Path(stop_file), time.monotonic() + float(max_seconds)
    seen = {"queries": 0, "rounds": 0, "errors": [], "violations": [], "snapshots": {}, "last": None, "held": {}}
    lock = threading.Lock()
    ticks: dict[int, int] = {}  # reading thread -> the tick its last completed round started at
    reported = [-1]
    readers = (WORKER_THREADS + (0 if mode.startswith("duckdb") else 1)) if threaded else 1

    def tick() -> int:
        try:
            return int(Path(tick_file).read_text() or 0) if tick_file else 0
        except (OSError, ValueError):
            return 0

    def completed(started_at: int) -> None:  # call with the lock held
        ticks[threading.get_ident()] = started_at
        if len(ticks) == readers and min(ticks.values()) > reported[0]:
            reported[0] = min(ticks.values())
            print(reported[0], flush=True)

    def read(con):
        (export_total, export_unallocated, import_total, import_unallocated) = client.one(con, TOTALS_SQL)
        exports, imports = client.one(con, PARTNERS_SQL)
        if exports + export_unallocated != export_total or imports + import_unallocated != import_total:
            seen["violations"].append(
                [str(v) for v in (exports, export_unallocated, export_total, imports, import_unallocated, import_total)]
            )
        return str(exports)

    def rounds(held=None) -> None:
        while not stop.exists() and time.monotonic() < deadline:
            started_at = tick()
            try:
                with client.connect() as con:
                    snapshot = read(con)
                held_snapshot = read(held) if held is not None else None
            except Exception as error:  # noqa: BLE001 (every failure of a read is what the test counts)
                with lock:
                    seen["errors"].append(f"{type(error).__name__}: {error}")
            else:
                with lock:
                    seen["queries"] += 2 if held is None else 4
                    seen["rounds"] += 1
                    seen["snapshots"][snapshot] = seen["snapshots"].get(snapshot, 0) + 1
                    seen["last"] = snapshot
                    if held_snapshot is not None:
                        seen["held"][held_snapshot] = seen["held"].get(held_snapshot, 0) + 1
                    completed(started_at)
            time.sleep(PAUSE_SECONDS)

    if threaded:
        held = client.connect()
        # A DuckDB connection is not for concurrent use: each worker's held reads go through its own cursor.
        cursors = [
            held.cursor() if hasattr(held, "cursor") and mode.startswith("duckdb") else None
            for _ in range(WORKER_THREADS)
        ]
        workers = [threading.Thread(target=rounds, args=(cursor,)) for cursor in cursors]
        for worker in workers:
            worker.start()
        try:
            if not mode.startswith("duckdb"):  # one SQLAlchemy connection: the main thread reads it alone
                rounds(held)
        finally:
            for worker in workers:
                worker.join()
            held.close()
    else:
        rounds()
    Path(out).write_text(json.dumps(seen), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
