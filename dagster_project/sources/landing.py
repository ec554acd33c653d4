"""Landing: every response body is written byte for byte (a key echoed by the server masked) under
`<landing root>/<source>/<partition>/<request id><suffix>`, atomically, with a JSON sidecar holding the public request
and the response's status, content type and sha256. The sidecar is written last, so its presence marks a complete
landing; the same request lands on the same two files (idempotent); `landed_files()` replays a partition offline."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dagster_project import settings

from .errors import ApiError
from .redaction import MASK, secret_forms

if TYPE_CHECKING:
    from .fetch import ApiRequest

SIDECAR_SUFFIX = ".request.json"
_PARTITION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._=-]*")


@dataclass(frozen=True)
class Landed:
    """A landed response: the body file, its sidecar, and what the sidecar says about the request."""

    path: Path
    sidecar: Mapping[str, Any]

    @property
    def content_type(self) -> str | None:
        return self.sidecar.get("content_type")

    @property
    def params(self) -> Mapping[str, str]:
        return self.sidecar["params"]

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


def _partition_dir(root: Path, source: str, partition: str) -> Path:
    # Partition keys become folder names: refuse anything that could escape the landing root.
    for what, value in (("source", source), ("partition", partition)):
        if not _PARTITION_RE.fullmatch(value) or ".." in value:
            raise ValueError(f"{what} {value!r} is not a safe folder name (letters, digits, . _ = -)")
    return root / source / partition


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def land(root: Path, request: ApiRequest, body: bytes, *, status: int, content_type: str | None) -> Landed:
    """Write body then sidecar (the sidecar's presence marks a complete landing). Same request -> same files."""
    folder = _partition_dir(root, request.source, request.partition)
    folder.mkdir(parents=True, exist_ok=True)
    masked_body = body
    for secret in request.secrets:
        for form in secret_forms(secret):
            masked_body = masked_body.replace(form.encode(), MASK.encode())
    path = folder / f"{request.request_id}{request.suffix}"
    sidecar = {
        "source": request.source,
        "partition": request.partition,
        "url": request.public_url,
        "endpoint": request.url,
        "params": dict(request.params),
        "headers": dict(request.headers),
        "secrets_removed": sorted([*request.secret_params, *request.secret_headers]),
        "body_file": path.name,
        "http_status": status,
        "content_type": content_type,
        "sha256": hashlib.sha256(masked_body).hexdigest(),
        "bytes": len(masked_body),
        # Byte-for-byte except for a key echoed by the server, which is masked (and said so here).
        "key_masked_in_body": masked_body != body,
        # Microseconds: a replay picks the most recent response of a partition by this stamp.
        "fetched_at": datetime.now(UTC).isoformat(timespec="microseconds"),
    }
    _write_atomic(path, masked_body)
    _write_atomic(folder / f"{request.request_id}{SIDECAR_SUFFIX}", json.dumps(sidecar, indent=2).encode())
    return Landed(path, sidecar)


def landed_files(source: str, partition: str, root: Path | None = None) -> list[Landed]:
    """Every complete landing of a (source, partition), for an offline replay; ordered by URL (so by page)."""
    folder = _partition_dir(root or settings.landing_dir(), source, partition)
    found = []
    for sidecar_path in sorted(folder.glob(f"*{SIDECAR_SUFFIX}")):
        sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
        path = folder / sidecar["body_file"]
        if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != sidecar["sha256"]:
            raise ApiError(source, partition, "landed body is missing or differs from its sidecar's sha256", file=path)
        found.append(Landed(path, sidecar))
    if not found:
        raise ApiError(source, partition, f"nothing landed under {folder}")
    return sorted(found, key=lambda landed: _natural_key(landed.sidecar["url"]))


def _natural_key(text: str) -> list[Any]:
    # pageNo=10 after pageNo=9.
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]
