"""Files dropped by hand into raw/inbox/<source>/<partition>/ are loaded like a fetched response.

A data engineer without an API key can save a KCS response body from the portal's test page into the inbox; the
inbox sensor asks for a run of that partition. The files of one drop are that month's load (several files must be
the pages of one response). The asset validates them straight from the inbox, lands them (with a sidecar naming
their origin, so the load can be replayed), loads them, and only after the rows are committed removes them from
the inbox. A drop that fails validation moves to raw/inbox/rejected/<source>/<partition>/ with a `.reason.txt`
beside each file, and fails its own month only.
"""

import shutil
from datetime import UTC, datetime
from pathlib import Path

from dagster_project import settings

from .fetch import ApiRequest
from .landing import Landed, land

REJECTED = "rejected"
REASON_SUFFIX = ".reason.txt"


def pending(source: str, partition: str | None = None) -> list[Path]:
    """Inbox files waiting for a (source, partition), or for every partition of the source."""
    folder = settings.inbox_dir() / source
    pattern = f"{partition}/*" if partition else "*/*"
    return sorted(path for path in folder.glob(pattern) if path.is_file() and not path.name.startswith("."))


def land_drop(source: str, partition: str, files: list[Path], params: dict[str, str]) -> list[Landed]:
    """Land the files of one drop byte-for-byte under the landing folder; they share a drop id, which makes them
    one response for a later replay (and keeps an earlier drop's files apart)."""
    drop = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return [
        land(
            settings.landing_dir(),
            ApiRequest(
                source,
                partition,
                f"inbox:{path.name}",
                {**params, "origin": "inbox", "drop": drop},
                suffix=path.suffix or ".xml",
            ),
            path.read_bytes(),
            status=200,
            content_type=None,
        )
        for path in files
    ]


def remove(files: list[Path]) -> None:
    """Called once the drop's rows are committed: the landed copy is now the record."""
    for path in files:
        path.unlink(missing_ok=True)


def reject(source: str, partition: str, files: list[Path], reason: str) -> list[Path]:
    """Move a bad drop to raw/inbox/rejected/<source>/<partition>/, each file with a reason file beside it."""
    folder = settings.inbox_dir() / REJECTED / source / partition
    folder.mkdir(parents=True, exist_ok=True)
    moved = []
    for path in files:
        target = folder / path.name
        shutil.move(path, target)
        target.with_name(target.name + REASON_SUFFIX).write_text(reason.rstrip() + "\n", encoding="utf-8")
        moved.append(target)
    return moved
