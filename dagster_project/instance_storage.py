"""The event log storage of the project's Dagster instance (.dagster_home/dagster.yaml): Dagster's SQLite event
log, with one connection per database file kept open instead of one engine and connection per event.

A `make warehouse` run writes ~800 events (each of the ~180 dbt tests is an asset check: planned, output,
evaluation). Dagster's SqliteEventLogStorage creates a SQLAlchemy engine, connects, commits with a full fsync and
closes (which checkpoints and deletes the WAL, another fsync) for every one of them: ~2000 connections, several
seconds of a run (measured with cProfile/py-spy, see README "Speed"). Here each database keeps its connection, in
WAL mode with synchronous=NORMAL: a commit is durable against a crash of the process; the OS losing power may
drop the last events, never corrupt the file (SQLite's documented WAL guarantee).

`dagster dev` reads the same dagster.yaml, so the UI uses this class too: it watches the WAL file as well as the
database file, since with an open connection a new event changes the WAL first.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as db
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SqliteEventLogStorage,
    SqliteEventLogStorageWatchdog,
)
from dagster._core.storage.sql import create_engine
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy.pool import StaticPool

# Open databases kept (the index shard and the runs being written or watched); the least recently used beyond
# this is closed.
OPEN_DATABASES_MAX = 8


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """SqliteEventLogStorage that keeps one open connection per shard (run database or index)."""

    def __init__(self, base_dir: str, inst_data: Any = None) -> None:
        self._engines: OrderedDict[str, db.engine.Engine] = OrderedDict()
        self._engines_lock = threading.RLock()
        self._tables_seen: set[str] = set()
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls) -> dict:
        from dagster import Field, StringSource

        return {
            "base_dir": Field(
                StringSource,
                is_required=False,
                description="default: history/runs under DAGSTER_HOME, Dagster's own default",
            )
        }

    @classmethod
    def from_config_value(cls, inst_data, config_value):
        base_dir = config_value.get("base_dir") or os.path.join(os.environ["DAGSTER_HOME"], "history", "runs")
        return cls(base_dir=base_dir, inst_data=inst_data)

    def _engine(self, shard: str) -> db.engine.Engine:
        with self._engines_lock:
            engine = self._engines.get(shard)
            if engine is not None:
                self._engines.move_to_end(shard)
                return engine
            # One connection, reused: every use holds self._db_lock, so threads never share it concurrently.
            engine = create_engine(
                self.conn_string_for_shard(shard),
                poolclass=StaticPool,
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            )
            db.event.listen(engine, "connect", _set_synchronous_normal)
            self._engines[shard] = engine
            while len(self._engines) > OPEN_DATABASES_MAX:
                _, oldest = self._engines.popitem(last=False)
                oldest.dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[db.engine.Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def has_table(self, table_name: str) -> bool:
        # Asked dozens of times a run (a new engine each in Dagster's version); a table, once there, stays.
        # (Dagster's own lookup, on a connection of its own: callers may hold this storage's lock.)
        if table_name in self._tables_seen:
            return True
        found = super().has_table(table_name)
        if found:
            self._tables_seen.add(table_name)
        return found

    def close_databases(self) -> None:
        """Close every kept connection (the last close folds the WAL into the database file)."""
        with self._db_lock, self._engines_lock:
            while self._engines:
                _, engine = self._engines.popitem(last=False)
                engine.dispose()

    def wipe(self) -> None:
        self.close_databases()  # the run databases are deleted: no connection may keep writing a deleted file
        self._tables_seen.clear()
        super().wipe()

    def upgrade(self) -> None:
        self.close_databases()
        super().upgrade()

    def dispose(self) -> None:
        self.close_databases()
        super().dispose()

    def watch(self, run_id: str, cursor: str | None, callback) -> None:
        if not self._obs:
            from watchdog.observers import Observer

            self._obs = Observer()
            self._obs.start()
        watchdog = _WalAwareWatchdog(self, run_id, callback, cursor)
        self._watchers[run_id][callback] = (watchdog, self._obs.schedule(watchdog, self._base_dir, recursive=True))


class _WalAwareWatchdog(SqliteEventLogStorageWatchdog):
    """Also reacts to the run's `-wal` file: a writer that keeps its connection appends there first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._patterns = [self._log_path, f"{self._log_path}-wal"]

    def on_modified(self, event) -> None:
        if event.src_path in (self._log_path, f"{self._log_path}-wal"):
            self._process_log()


def _set_synchronous_normal(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
