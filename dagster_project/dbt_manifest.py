"""`dbt parse` only when the dbt project changed: the manifest Dagster defines the dbt assets from is reused while
its inputs are the same.

`dbt parse` costs ~6 s (a new dbt process, jinja over every file) and `make warehouse`/`make test` used to run it
every time. The inputs of the manifest are the files of the dbt project (models, macros, seeds, tests,
dbt_project.yml, profiles.yml...) and the dbt version; their fingerprint (SHA-256 of every path and content, not
mtimes, which a checkout rewrites) is stamped beside the manifest after a parse succeeded. A matching stamp and an
existing manifest mean nothing to do; anything else (a changed, added or removed file, another dbt, a manifest
deleted by `make clean`) parses again. No Dagster and no dbt imports here: the CLI calls this before it loads them.

dagster-dbt also writes one folder per dbt invocation under target/ (compiled SQL, run results, logs: ~8 MB);
`prune_run_folders` keeps the newest few.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import time
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

logger = logging.getLogger(__name__)

STAMP_NAME = ".manifest_inputs.json"
# What dbt itself writes or fetches inside the project: not inputs of the manifest.
_NOT_INPUTS = frozenset({"target", "logs", "dbt_packages", ".user.yml", "__pycache__"})
# dagster-dbt names an invocation's folder `<op name>-<run id[:7]>-<uuid[:7]>`; dbt's own files sit beside them.
RUN_FOLDERS_KEEP = 5
# A folder written to in the last hour may belong to a run still going (another process, a parallel test worker).
RUN_FOLDER_MIN_AGE_SECONDS = 3600.0


def project_files(project_dir: Path) -> list[Path]:
    """Every file of the dbt project that dbt reads when it parses, in a stable order."""
    files = []
    for root, dirs, names in os.walk(project_dir):
        dirs[:] = sorted(d for d in dirs if d not in _NOT_INPUTS and not d.startswith("."))
        files += [Path(root, name) for name in sorted(names) if name not in _NOT_INPUTS and not name.startswith(".")]
    return files


def inputs_fingerprint(project_dir: Path, target: str) -> str:
    """SHA-256 over the dbt version, the target and every project file's relative path and bytes."""
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb"):
        try:
            digest.update(f"{package}=={metadata.version(package)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package} missing\n".encode())
    digest.update(f"target={target}\n".encode())
    for path in project_files(project_dir):
        digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def is_fresh(project_dir: Path, target_dir: Path, target: str) -> bool:
    """True when target/manifest.json was parsed from exactly the project files there are now."""
    stamp = target_dir / STAMP_NAME
    if not (target_dir / "manifest.json").exists() or not stamp.exists():
        return False
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError):
        return False
    return recorded == inputs_fingerprint(project_dir, target)


def parse(project_dir: Path, target_dir: Path, dbt_executable: str, target: str, *, force: bool = False) -> bool:
    """Run `dbt parse` unless the manifest is fresh; True if it ran. Raises CalledProcessError if dbt failed (the
    stamp is then removed, so the next call parses again)."""
    if not force and is_fresh(project_dir, target_dir, target):
        return False
    target_dir.mkdir(parents=True, exist_ok=True)
    # One parse at a time (parallel test workers, a CLI beside `dagster dev`): the others wait, then find it fresh.
    with open(target_dir / ".parse.lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and is_fresh(project_dir, target_dir, target):
            return False
        _parse(project_dir, target_dir, dbt_executable, target)
    return True


def _parse(project_dir: Path, target_dir: Path, dbt_executable: str, target: str) -> None:
    stamp = target_dir / STAMP_NAME
    stamp.unlink(missing_ok=True)
    # Fingerprint before parsing: a file edited during the parse makes the next call parse again.
    fingerprint = inputs_fingerprint(project_dir, target)
    subprocess.run(
        [
            dbt_executable,
            "parse",
            "--quiet",
            "--target",
            target,
            "--target-path",
            str(target_dir),
            "--profiles-dir",
            str(project_dir),
            "--project-dir",
            str(project_dir),
        ],
        cwd=project_dir,
        check=True,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"},
    )
    stamp.write_text(
        json.dumps(
            {
                "fingerprint": fingerprint,
                "target": target,
                "parsed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
        ),
        encoding="utf-8",
    )


def prune_run_folders(
    target_dir: Path,
    keep: int = RUN_FOLDERS_KEEP,
    min_age_seconds: float = RUN_FOLDER_MIN_AGE_SECONDS,
    now: float | None = None,
) -> list[Path]:
    """Remove dagster-dbt's per-invocation folders under target/ beyond the `keep` newest, except folders written
    to in the last `min_age_seconds` (a run that may still be using its folder). Returns the removed folders."""
    if not target_dir.is_dir():
        return []
    now = time.time() if now is None else now
    folders = sorted(
        (p for p in target_dir.iterdir() if p.is_dir() and _is_run_folder(p)),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    removed = []
    for folder in folders[max(keep, 0) :]:
        if now - folder.stat().st_mtime < min_age_seconds:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _is_run_folder(path: Path) -> bool:
    # dagster-dbt's unique target path (DbtCliResource._get_unique_target_path): `<op name>-<run id[:7]>-<uuid[:7]>`
    # inside a run, `<uuid[:7]>` outside one.
    def is_hex7(text: str) -> bool:
        return len(text) == 7 and all(c in "0123456789abcdef" for c in text)

    parts = path.name.rsplit("-", 2)
    return is_hex7(path.name) or (len(parts) == 3 and is_hex7(parts[1]) and is_hex7(parts[2]))


# --------------------------------------------------------------------------------------------- parse state
# dbt reuses its last parse (partial parsing, target/partial_parse.msgpack) only while the profile's connection
# settings are the same; otherwise it parses every file again (~7 s here). dagster-dbt gives each invocation a new
# target folder and seeds it from target/partial_parse.msgpack, which `dbt parse` wrote for the work file's
# profile, not a run's candidate: every run parsed from scratch. So the state each invocation leaves is kept per
# profile (one file per set of profile values) and the next invocation with the same profile starts from it. dbt
# still checks every file's hash against it, so a stale state costs a parse, never a wrong manifest.
PARTIAL_PARSE_FILE = "partial_parse.msgpack"
PARSE_STATES_DIR = "parse_states"
PARSE_STATES_KEEP = 8  # work files of one checkout (tests build many; `make warehouse` one)
_ENV_VAR = re.compile(r"""env_var\(\s*['"]([A-Za-z0-9_]+)['"]""")


def profile_key(project_dir: Path, target: str, environ: Mapping[str, str] | None = None) -> str:
    """Identifies the profile a dbt invocation will see: its target and every environment variable profiles.yml
    reads (the warehouse path, DuckDB's limits, ...), with their values now."""
    environ = os.environ if environ is None else environ
    names = sorted(set(_ENV_VAR.findall((project_dir / "profiles.yml").read_text(encoding="utf-8"))))
    text = json.dumps([target, [[name, environ.get(name)] for name in names]])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def restore_parse_state(states_dir: Path, key: str, invocation_dir: Path) -> bool:
    """Put the parse state last kept for this profile into a new invocation's target folder; True if there was one
    (dagster-dbt does not overwrite it with target/partial_parse.msgpack). Never raises: without it dbt parses."""
    state = states_dir / PARSE_STATES_DIR / f"{key}.msgpack"
    if not state.is_file():
        return False
    try:
        invocation_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(state, invocation_dir / PARTIAL_PARSE_FILE)
    except OSError as error:
        logger.warning("dbt's parse state %s was not restored (%s): dbt parses the project", state, error)
        return False
    return True


def keep_parse_state(states_dir: Path, key: str, invocation_dir: Path, keep: int = PARSE_STATES_KEEP) -> bool:
    """Keep the parse state a finished invocation wrote, for the next one with this profile (atomic: parallel
    processes may keep states at once); prune to the `keep` most recently kept. True if one was kept.

    Never raises: it is called after every build, a failed one included, and a state that cannot be kept (a full
    disk, a state pruned by another process meanwhile) only costs the next invocation a whole parse; raising would
    fail a build that passed, or hide why one failed."""
    written = invocation_dir / PARTIAL_PARSE_FILE
    if not written.is_file():
        return False
    folder = states_dir / PARSE_STATES_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f".{key}.{os.getpid()}.tmp"
        shutil.copyfile(written, temp)
        os.replace(temp, folder / f"{key}.msgpack")
        states = sorted(folder.glob("*.msgpack"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in states[keep:]:
            stale.unlink(missing_ok=True)
    except OSError as error:
        logger.warning("dbt's parse state was not kept in %s (%s): the next dbt call parses the project", folder, error)
        return False
    return True
