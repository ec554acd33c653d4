"""Publish a built warehouse file to the served file atomically, keep one previous generation, roll back.

DuckDB allows one writer or many read-only readers per file. Runs therefore build a work file, and only a work
file that passed its tests is copied beside the served file, checked, and renamed over it (os.replace, atomic on
one filesystem). A reader that opened the old file keeps its snapshot (the old inode lives on while open); a reader
that opens after the rename sees the new one. A crash at any point leaves the served file as it was.

No Dagster imports: the Dagster asset, the CLI and the tests call these functions directly.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

MARTS_SCHEMA = "marts"
# Marts a published file must hold, non-empty; the others are counted by `serving_checks` when present.
REQUIRED_MARTS = ("fct_bilateral_trade", "fct_trade_totals", "fct_partner_shares", "dim_country")
TEMP_MARKER = ".publish-tmp-"


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


Verify = Callable[[duckdb.DuckDBPyConnection], Sequence[Check]]


@dataclass(frozen=True)
class PublishResult:
    work_file: Path
    served_file: Path
    previous_file: Path | None  # None on the first publish: there was nothing to keep
    size_bytes: int
    seconds: float  # publish latency: checkpoint, copy, verify and rename
    copy_seconds: float
    verify_seconds: float
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class RollbackResult:
    served_file: Path
    previous_file: Path  # now holds the generation that was served before the rollback
    seconds: float


class PublishError(RuntimeError):
    """Nothing was published (or rolled back); the served file is unchanged."""


def previous_path(served_file: Path) -> Path:
    """The previous generation, beside the served file: `<stem>.previous<suffix>`."""
    served_file = Path(served_file)
    return served_file.with_name(f"{served_file.stem}.previous{served_file.suffix}")


def wal_path(database: Path) -> Path:
    return Path(f"{database}.wal")


def serving_checks(con: duckdb.DuckDBPyConnection) -> list[Check]:
    """What a served file must satisfy: the core marts are non-empty, and per period and flow
    Σ partners (fct_bilateral_trade) + unallocated = reported total (fct_trade_totals), across the two tables."""
    tables = dict(
        con.execute(
            "select table_name, estimated_size from duckdb_tables() where schema_name = ? order by table_name",
            [MARTS_SCHEMA],
        ).fetchall()
    )
    checks = []
    for table in REQUIRED_MARTS:
        rows = con.execute(f"select count(*) from {MARTS_SCHEMA}.{table}").fetchone()[0] if table in tables else 0
        checks.append(Check(f"rows:{table}", rows > 0, f"{rows} rows" if table in tables else "missing"))
    if "fct_trade_totals" in tables and "fct_bilateral_trade" in tables:
        broken, periods = con.execute(
            f"""
            with partner_sums as (
                select reporter_iso3, period_grain, period_start,
                       sum(export_usd) as export_usd, sum(import_usd) as import_usd
                from {MARTS_SCHEMA}.fct_bilateral_trade
                group by all
            )
            select
                count(*) filter (
                    where coalesce(p.export_usd, 0) + t.unallocated_export_usd is distinct from t.reported_export_usd
                       or coalesce(p.import_usd, 0) + t.unallocated_import_usd is distinct from t.reported_import_usd
                ),
                count(*)
            from {MARTS_SCHEMA}.fct_trade_totals as t
            left join partner_sums as p using (reporter_iso3, period_grain, period_start)
            """
        ).fetchone()
        checks.append(Check("partners_plus_unallocated_equals_total", broken == 0 and periods > 0,
                            f"{broken} of {periods} periods break it"))
    return checks


@contextmanager
def _publish_lock(served_file: Path) -> Iterator[None]:
    """One publish or rollback at a time per served file (an flock, released if the process dies)."""
    lock_file = served_file.with_name(f".{served_file.name}.lock")
    with open(lock_file, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_stale_temps(served_file: Path) -> None:
    # Under the lock no other publish is running, so any temp file is left over from a crashed one.
    for stale in served_file.parent.glob(f".{served_file.name}{TEMP_MARKER}*"):
        stale.unlink(missing_ok=True)


def _temp_path(served_file: Path, purpose: str) -> Path:
    return served_file.with_name(f".{served_file.name}{TEMP_MARKER}{purpose}-{os.getpid()}")


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _second_name(served_file: Path, purpose: str) -> Path | None:
    """A temporary hard link to the served file's inode, so it survives the served name being replaced."""
    if not served_file.exists():
        return None
    link = _temp_path(served_file, purpose)
    link.unlink(missing_ok=True)
    try:
        os.link(served_file, link)
    except OSError:  # a filesystem without hard links
        shutil.copyfile(served_file, link)
    return link


def publish(work_file: Path, served_file: Path, verify: Verify | None = serving_checks) -> PublishResult:
    """Checkpoint the work file, copy it beside the served file, verify the copy read-only, rename it over."""
    work_file, served_file = Path(work_file).resolve(), Path(served_file).resolve()
    if not work_file.is_file():
        raise PublishError(f"nothing to publish: {work_file} does not exist")
    served_file.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with _publish_lock(served_file):
        _remove_stale_temps(served_file)
        temp = _temp_path(served_file, "copy")
        try:
            # Fold the WAL into the file, then hold a read-only connection while copying: its shared lock keeps
            # writers out, so the copy is one consistent state of the work file.
            try:
                with duckdb.connect(str(work_file)) as con:
                    con.execute("CHECKPOINT")
                with duckdb.connect(str(work_file), read_only=True):
                    if wal_path(work_file).exists():
                        raise PublishError(f"{wal_path(work_file)} survived a checkpoint; not publishing")
                    copy_started = time.monotonic()
                    shutil.copyfile(work_file, temp)
                    with open(temp, "rb+") as handle:
                        os.fsync(handle.fileno())
                    copy_seconds = time.monotonic() - copy_started
            except duckdb.Error as error:  # e.g. a writer still holds the work file
                raise PublishError(f"cannot read the work file {work_file}: {error}") from error

            verify_started = time.monotonic()
            try:
                with duckdb.connect(str(temp), read_only=True) as con:
                    checks = tuple(verify(con)) if verify else ()
            except duckdb.Error as error:
                raise PublishError(f"the copy of {work_file} does not open read-only: {error}") from error
            failed = [check for check in checks if not check.passed]
            if failed:
                raise PublishError("not published, checks failed: "
                                   + "; ".join(f"{c.name} ({c.detail})" for c in failed))
            verify_seconds = time.monotonic() - verify_started

            kept = _second_name(served_file, "previous")
            previous = previous_path(served_file) if kept else None
            if kept:
                os.replace(kept, previous)
            # A WAL beside the served file would be replayed onto the new file by the next reader.
            wal_path(served_file).unlink(missing_ok=True)
            os.replace(temp, served_file)
            _fsync_dir(served_file.parent)
            seconds, size_bytes = time.monotonic() - started, served_file.stat().st_size
        finally:
            temp.unlink(missing_ok=True)
    return PublishResult(
        work_file=work_file,
        served_file=served_file,
        previous_file=previous,
        size_bytes=size_bytes,
        seconds=seconds,
        copy_seconds=copy_seconds,
        verify_seconds=verify_seconds,
        checks=checks,
    )


def rollback(served_file: Path) -> RollbackResult:
    """Swap the previous generation and the served file, each rename atomic; rolling back twice rolls forward."""
    served_file = Path(served_file).resolve()
    previous = previous_path(served_file)
    started = time.monotonic()
    if not served_file.parent.is_dir():
        raise PublishError(f"nothing to roll back: {served_file.parent} does not exist")
    with _publish_lock(served_file):
        if not previous.is_file():
            raise PublishError(f"nothing to roll back to: {previous} does not exist")
        _remove_stale_temps(served_file)
        current = _second_name(served_file, "rollback")
        wal_path(served_file).unlink(missing_ok=True)
        os.replace(previous, served_file)
        if current is not None:
            os.replace(current, previous)
        _fsync_dir(served_file.parent)
    return RollbackResult(served_file=served_file, previous_file=previous, seconds=time.monotonic() - started)

