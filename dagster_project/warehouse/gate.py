"""The run gate: every run builds a candidate copy of the last good work file and promotes it only if it passed.

```
last good work file ──copy──> candidates/<work file name> ── loads, dbt build (every model, every test) ──┐
   (or move: see "base")                                                                               │ passed
          work file  <──────────────────── promote (checkpoint, os.replace) <─────────────────────────┘
                                           failed: candidates/<run id>.failed.duckdb (+ .reason.txt), kept
```

A run holds the warehouse lock (an flock beside the work file) from before the copy until the candidate is
promoted or set aside, so two runs never interleave on one warehouse, whatever started them (CLI, daemon, tests).
The work file therefore only ever holds a state on which a whole dbt build passed, and the next run always starts
from it: a failed or killed run needs no cleanup.

The candidate has the same path in every run of a work file (runs of one work file never overlap): dbt's profile
names the file, and dbt parses the project again from scratch (~7 s) whenever the profile changes; with one path
per work file, a run starts from the previous run's parse (see TradeDbtCliResource). Which run builds it is written
beside it (`<name>.run`), so a candidate left by a killed run is still set aside under that run's id.

The base: publish copies the work file into a new served generation, which is never written again. It then
hard-links that generation as `candidates/<name>.published` and records the work file's state (inode, size,
mtime) beside it. While the work file is still in that state, the next run *moves* it to the candidate instead of
copying it (one copy of the file per run instead of two: ~4 s of system CPU for a 3.3 GB warehouse). A run that
then fails puts the work file back from the base; a run killed after the move leaves `<name>.moved`, and the next
run puts it back first. The work file and the base never share an inode, so nothing that writes the work file
reaches a served generation.

No Dagster imports: the Dagster resource (defs/resources.py), the CLI and the tests call these functions.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

CANDIDATES_DIR = "candidates"
FAILED_SUFFIX = ".failed.duckdb"
PASSED_STAMP_SUFFIX = ".passed.json"
RUN_ID_SUFFIX = ".run"
BASE_SUFFIX = ".published"  # candidates/<work file name>.published: the base (a hard link to a generation)
MOVED_SUFFIX = ".moved"  # candidates/<work file name>.moved: a run moved the work file to its candidate


def wal_path(database: Path) -> Path:
    return Path(f"{database}.wal")


def fsync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable (promotion, the base, publish)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class WarehouseBusyError(RuntimeError):
    """Another run holds the warehouse lock; this run wrote nothing."""


class GateError(RuntimeError):
    """A candidate cannot be promoted (it did not pass, or it changed after it passed)."""


def lock_path(work_file: Path) -> Path:
    return Path(f"{work_file}.lock")


def candidates_dir(work_file: Path) -> Path:
    """Candidates live beside the work file (same filesystem, so promotion is an atomic rename)."""
    return Path(work_file).parent / CANDIDATES_DIR


def checkpoint(database: Path) -> None:
    """Fold the WAL into the file, so the file alone is the whole state (a copy or rename of it loses nothing)."""
    with duckdb.connect(str(database)) as con:
        con.execute("CHECKPOINT")
    if wal_path(database).exists():
        raise GateError(f"{wal_path(database)} survived a checkpoint")


class WarehouseLock:
    """An exclusive flock on `<work file>.lock`, held for a whole run; the kernel drops it if the process dies.

    The lock file names its holder (run id, pid, host, since when), so a waiting or refused run can say who it
    waits for.
    """

    def __init__(self, work_file: Path) -> None:
        self.path = lock_path(Path(work_file))
        self._handle = None

    def holder(self) -> str:
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return "an unknown process"
        if not info:
            return "an unknown process"
        return f"run {info.get('run_id')} (pid {info.get('pid')} on {info.get('host')}, since {info.get('since')})"

    def acquire(
        self,
        run_id: str,
        *,
        timeout: float,
        poll: float = 1.0,
        on_wait: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Take the lock, waiting up to `timeout` seconds (0: do not wait); raise WarehouseBusyError otherwise."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held until release)
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = self.holder()
                if time.monotonic() >= deadline:
                    handle.close()
                    raise WarehouseBusyError(
                        f"the warehouse {self.path.with_suffix('')} is being written by {holder}; this run wrote "
                        f"nothing (waited {timeout:.0f} s; WAREHOUSE_LOCK_TIMEOUT_SECONDS sets how long to wait)"
                    ) from None
                if on_wait and not told:
                    on_wait(f"waiting for {holder} to finish with the warehouse (up to {timeout:.0f} s)")
                    told = True
                sleep(poll)
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps(
                {
                    "run_id": run_id,
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "since": datetime.now(UTC).isoformat(timespec="seconds"),
                }
            )
        )
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.flush()
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None


@dataclass(frozen=True)
class Candidate:
    run_id: str
    work_file: Path
    path: Path
    moved: bool = False  # the work file itself, moved here (its bytes are in the base): put back if not promoted

    @property
    def stamp(self) -> Path:
        return self.path.with_name(self.path.stem + PASSED_STAMP_SUFFIX)

    @property
    def failed_path(self) -> Path:
        return self.path.with_name(self.run_id + FAILED_SUFFIX)


def candidate_path(work_file: Path) -> Path:
    """Where every run of this work file builds its candidate (beside it: promotion is an atomic rename)."""
    return candidates_dir(work_file) / Path(work_file).name


def _run_id_path(candidate: Path) -> Path:
    return candidate.with_name(candidate.stem + RUN_ID_SUFFIX)


def file_state(path: Path) -> dict[str, int]:
    """What identifies one state of a file that is only ever replaced, never written in place: inode, size, mtime."""
    stat = Path(path).stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "inode": stat.st_ino}


def base_path(work_file: Path) -> Path:
    return candidates_dir(work_file) / f"{Path(work_file).name}{BASE_SUFFIX}"


def _base_record_path(work_file: Path) -> Path:
    return base_path(work_file).with_name(base_path(work_file).name + ".json")


def _moved_marker(work_file: Path) -> Path:
    return candidates_dir(work_file) / f"{Path(work_file).name}{MOVED_SUFFIX}"


def _write_atomically(path: Path, text: str) -> None:
    temp = path.with_name(path.name + ".tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def drop_base(work_file: Path) -> None:
    _base_record_path(work_file).unlink(missing_ok=True)
    base_path(work_file).unlink(missing_ok=True)


def keep_base(work_file: Path, generation: Path, work_state: dict[str, int]) -> Path | None:
    """Called by publish once `generation` is a verified copy of the work file as it was in `work_state`: hard-link
    the generation as the work file's base (see the module's docstring). No base when the work file is no longer
    in that state or the generation is on another filesystem (the next run then copies, as without a base)."""
    work_file, base = Path(work_file), base_path(work_file)
    drop_base(work_file)
    try:
        if file_state(work_file) != work_state:
            return None
        base.parent.mkdir(parents=True, exist_ok=True)
        temp = base.with_name(base.name + ".tmp")
        temp.unlink(missing_ok=True)
        os.link(generation, temp)
        os.replace(temp, base)
    except OSError:
        base.unlink(missing_ok=True)
        return None
    # written last: a crash before this leaves no record, and no record means no base
    _write_atomically(
        _base_record_path(work_file),
        json.dumps({"work_file": work_state, "base": file_state(base), "generation": Path(generation).name}),
    )
    return base


def _intact_base_record(work_file: Path) -> dict | None:
    """The base's record, if the base is intact (the file the record names, unchanged); else None."""
    try:
        record = json.loads(_base_record_path(work_file).read_text(encoding="utf-8"))
        base_state = file_state(base_path(work_file))
    except (OSError, ValueError):
        return None
    return record if base_state == record.get("base") else None


def _base_holds(work_file: Path, work_state: dict[str, int]) -> bool:
    """The base is intact and holds exactly the work file in `work_state`."""
    record = _intact_base_record(work_file)
    return record is not None and record.get("work_file") == work_state


def restore_work_file(work_file: Path) -> Path:
    """Put the work file back from its base (a copy: the base stays a served generation's file), atomically."""
    work_file = Path(work_file)
    record = _intact_base_record(work_file)
    if record is None:
        raise GateError(
            f"{work_file} was moved to a run's candidate and cannot be put back: its base {base_path(work_file)} "
            "is missing or changed (the served generations in SERVING_PATH hold the last published states)"
        )
    temp = work_file.with_name(f".{work_file.name}.restoring")
    shutil.copyfile(base_path(work_file), temp)
    with open(temp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temp, work_file)
    fsync_dir(work_file.parent)
    # the restored file holds the base's bytes: the next run may move it again
    _write_atomically(_base_record_path(work_file), json.dumps({**record, "work_file": file_state(work_file)}))
    return work_file


def set_aside_abandoned(work_file: Path) -> list[Path]:
    """Candidates left by runs that died (killed, power cut): under the lock no run owns them. Kept as failed."""
    folder = candidates_dir(work_file)
    moved = []
    for path in sorted(folder.glob("*.duckdb")) if folder.is_dir() else []:
        if path.name.endswith(FAILED_SUFFIX):
            continue
        # the run that built it, as written when it started (a candidate named after its run: an older layout)
        run_file = _run_id_path(path)
        run_id = run_file.read_text(encoding="utf-8").strip() if run_file.exists() else ""
        target = path.with_name((run_id or path.stem) + FAILED_SUFFIX)
        wal_path(path).unlink(missing_ok=True)  # a dead run's uncommitted work: not part of any state
        path.with_name(path.stem + PASSED_STAMP_SUFFIX).unlink(missing_ok=True)
        run_file.unlink(missing_ok=True)
        os.replace(path, target)
        target.with_suffix(".reason.txt").write_text(
            "abandoned: the run that built it ended without promoting or setting it aside (killed?)\n", encoding="utf-8"
        )
        moved.append(target)
    return moved


def prune_failed(work_file: Path, keep: int) -> list[Path]:
    """Keep the `keep` newest failed candidates for inspection; remove older ones (and their reason files)."""
    folder = candidates_dir(work_file)
    failed = (
        sorted(folder.glob(f"*{FAILED_SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
        if folder.is_dir()
        else []
    )
    removed = []
    for path in failed[max(keep, 0) :]:
        path.unlink(missing_ok=True)
        path.with_suffix(".reason.txt").unlink(missing_ok=True)
        removed.append(path)
    return removed


def prepare_candidate(work_file: Path, run_id: str) -> Candidate:
    """Copy the last good work file to `candidates/<work file name>` (an empty candidate if there is none yet), or
    move it there when its bytes are also in its base, and write the run id beside it. Call with the warehouse lock
    held."""
    work_file = Path(work_file)
    folder = candidates_dir(work_file)
    folder.mkdir(parents=True, exist_ok=True)
    set_aside_abandoned(work_file)
    path = candidate_path(work_file)
    _run_id_path(path).write_text(run_id + "\n", encoding="utf-8")
    marker = _moved_marker(work_file)
    if marker.exists():
        if not work_file.exists():  # a run that had moved it died (its candidate was just set aside)
            restore_work_file(work_file)
        marker.unlink()
    moved = False
    if work_file.exists():
        if wal_path(work_file).exists():  # someone wrote the work file by hand (a dbt run): keep their writes
            checkpoint(work_file)
        if not work_file.is_symlink() and _base_holds(work_file, file_state(work_file)):
            marker.write_text(run_id + "\n", encoding="utf-8")
            os.replace(work_file, path)
            fsync_dir(folder)
            moved = True
        else:
            shutil.copyfile(work_file, path)
    else:
        path.unlink(missing_ok=True)
    return Candidate(run_id=run_id, work_file=work_file, path=path, moved=moved)


def mark_passed(candidate: Candidate, what: str) -> None:
    """Record that a whole dbt build passed on the candidate as it is now (checkpointed; its state is stamped)."""
    checkpoint(candidate.path)
    stamp = {
        "run_id": candidate.run_id,
        "what": what,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        **file_state(candidate.path),
    }
    candidate.stamp.write_text(json.dumps(stamp), encoding="utf-8")


def has_passed(candidate: Candidate) -> bool:
    """True if a whole dbt build passed on exactly this file in this run (the file has not changed since)."""
    if not candidate.stamp.exists() or not candidate.path.exists() or wal_path(candidate.path).exists():
        return False
    stamp = json.loads(candidate.stamp.read_text(encoding="utf-8"))
    return stamp.get("run_id") == candidate.run_id and all(
        stamp.get(key) == value for key, value in file_state(candidate.path).items()
    )


def promote(candidate: Candidate) -> Path:
    """Rename the passed candidate over the work file (atomic); the work file never has a WAL beside it."""
    if not has_passed(candidate):
        raise GateError(
            f"{candidate.path} has not passed a whole dbt build in run {candidate.run_id} "
            "(or changed after it passed); not promoted"
        )
    wal_path(candidate.work_file).unlink(missing_ok=True)
    os.replace(candidate.path, candidate.work_file)
    candidate.stamp.unlink(missing_ok=True)
    _run_id_path(candidate.path).unlink(missing_ok=True)
    fsync_dir(candidate.work_file.parent)
    # the base held the state before this run (publish keeps the new one)
    _moved_marker(candidate.work_file).unlink(missing_ok=True)
    drop_base(candidate.work_file)
    return candidate.work_file


def set_aside_failed(candidate: Candidate, reason: str) -> Path | None:
    """Keep a candidate that did not pass as `<run id>.failed.duckdb`, with a `.reason.txt` beside it; if the run
    had moved the work file to it, put the work file back from the base."""
    try:
        return _set_aside(candidate, reason)
    finally:
        if candidate.moved and not candidate.work_file.exists():
            restore_work_file(candidate.work_file)
            _moved_marker(candidate.work_file).unlink(missing_ok=True)


def _set_aside(candidate: Candidate, reason: str) -> Path | None:
    if not candidate.path.exists():
        return None
    with contextlib.suppress(duckdb.Error, GateError):  # then kept as it is: it is only there to be looked at
        checkpoint(candidate.path)
    target = candidate.failed_path
    os.replace(candidate.path, target)
    wal_path(candidate.path).unlink(missing_ok=True)
    candidate.stamp.unlink(missing_ok=True)
    _run_id_path(candidate.path).unlink(missing_ok=True)
    target.with_suffix(".reason.txt").write_text(reason.rstrip() + "\n", encoding="utf-8")
    return target
