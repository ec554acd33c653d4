"""Files dropped by hand into raw/inbox/<source>/<partition>/ are landed like fetched responses, then replayed.

A data engineer without an API key can save a KCS response body from the portal's test page into the inbox; the
inbox sensor asks for a run of that partition, and the asset lands the file (with a sidecar naming its origin)
and loads it offline.
"""

from pathlib import Path

from dagster_project import settings

from .fetch import ApiRequest, Landed, land


def pending(source: str, partition: str | None = None) -> list[Path]:
    """Inbox files waiting for a (source, partition), or for every partition of the source."""
    folder = settings.inbox_dir() / source
    pattern = f"{partition}/*" if partition else "*/*"
    return sorted(path for path in folder.glob(pattern) if path.is_file() and not path.name.startswith("."))


def land_pending(source: str, partition: str, params: dict[str, str]) -> list[Landed]:
    """Land every inbox file of the partition (then remove it from the inbox); returns what was landed."""
    landed = []
    for path in pending(source, partition):
        request = ApiRequest(source, partition, f"inbox:{path.name}", {**params, "origin": "inbox"},
                             suffix=path.suffix or ".xml")
        landed.append(land(settings.landing_dir(), request, path.read_bytes(), status=200, content_type=None))
        path.unlink()
    return landed
