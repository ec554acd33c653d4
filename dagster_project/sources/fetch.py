"""The one HTTP path of every live source: GET with retry/backoff, land the body byte-for-byte, parse from disk.

No Dagster imports. Each client (kcs_api, kosis_api, comtrade_api, imf_api) builds `ApiRequest`s and hands a
`parse` function to `Fetcher.fetch`. Flow of one request:

1. GET (timeouts, connection errors, HTTP 429 and 5xx are retried with exponential backoff);
2. a 2xx body is landed atomically under `<landing root>/<source>/<partition>/<request id><suffix>`, with a JSON
   sidecar holding the request (URL and params without the key) and the response's status/content type/sha256;
3. `parse` reads the landed file. It may raise an `ApiError(retryable=True)` (e.g. a KCS quota code inside a
   200 response): the request is then retried too, and the next response replaces the landed file.

The request id is a hash of the public request, so landing the same request again replaces the same two files
(idempotent), and `landed_files()` lets a load be replayed offline from the sidecars.

Keys travel in `secret_params`/`secret_headers` only: they are left out of sidecars and ids, masked in error
messages, in landed bodies (should a server echo them) and in log records of urllib3 (which logs request URLs).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus, urlencode

import requests
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from dagster_project import settings

log = logging.getLogger(__name__)

T = TypeVar("T")
MASK = "***"
SIDECAR_SUFFIX = ".request.json"
# Query parameters that carry a key in the APIs we call; masked by name even when the value is not known.
SECRET_PARAM_NAMES = ("serviceKey", "apiKey", "subscription-key")
_SECRET_PARAM_RE = re.compile(
    r"(?i)\b(" + "|".join(re.escape(n) for n in SECRET_PARAM_NAMES) + r")=[^&\s\"'<>]*"
)
_PARTITION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._=-]*")


# --------------------------------------------------------------------------------------------------- errors


class ApiError(RuntimeError):
    """A live-source call that failed. The message names source and partition (and the landed file if any).

    `retryable` marks transient failures (timeouts, 5xx, quota codes); `code` is the publisher's result code.
    """

    def __init__(
        self,
        source: str,
        partition: str,
        problem: str,
        *,
        retryable: bool = False,
        code: str | None = None,
        file: str | Path | None = None,
    ) -> None:
        self.source = source
        self.partition = partition
        self.problem = problem
        self.retryable = retryable
        self.code = code
        self.file = str(file) if file is not None else None
        where = f"{source}, partition {partition}" + (f", file {self.file}" if self.file else "")
        super().__init__(f"{where}: {problem}")


class NotConfiguredError(ApiError):
    """The source's key is not set; no request was made."""


class ResponseFormatError(ApiError):
    """A landed body that cannot be read (truncated, malformed, unexpected layout)."""


# --------------------------------------------------------------------------------------------------- redaction

_known_secrets: set[str] = set()


def _secret_forms(secret: str) -> list[str]:
    # A key may show up raw or URL-encoded (data.go.kr keys contain + / =); longest first so masks do not nest.
    return sorted({secret, quote(secret, safe=""), quote_plus(secret, safe="")}, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask every known key (raw or URL-encoded) and every `serviceKey=`/`apiKey=`/`subscription-key=` value."""
    for secret in [*secrets, *_known_secrets]:
        if secret:
            for form in _secret_forms(secret):
                text = text.replace(form, MASK)
    return _SECRET_PARAM_RE.sub(lambda m: f"{m.group(1)}={MASK}", text)


def register_secret(secret: str) -> None:
    """Remember a key so that log records and messages anywhere in the process are masked."""
    if secret:
        _known_secrets.add(secret)


class _RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


_REDACTING_FILTER = _RedactingFilter()
# urllib3 logs "GET /path?serviceKey=... HTTP/1.1" at DEBUG; our own logger should never need it, but is covered.
for _name in ("urllib3.connectionpool", __name__):
    if _REDACTING_FILTER not in logging.getLogger(_name).filters:
        logging.getLogger(_name).addFilter(_REDACTING_FILTER)


# --------------------------------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class ApiRequest:
    """One GET. Public parts go to the sidecar and the request id; secret parts go on the wire only."""

    source: str
    partition: str
    url: str
    params: Mapping[str, str] = field(default_factory=dict)
    secret_params: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    secret_headers: Mapping[str, str] = field(default_factory=dict)
    suffix: str = ".xml"
    # Characters sent unescaped in the query, for APIs whose syntax uses them (SDMX `ge:..+le:..`, KOSIS `A+B`).
    safe: str = ""

    @property
    def secrets(self) -> list[str]:
        return [v for v in (*self.secret_params.values(), *self.secret_headers.values()) if v]

    @property
    def public_url(self) -> str:
        query = urlencode(list(self.params.items()), safe=self.safe)
        return f"{self.url}?{query}" if query else self.url

    @property
    def wire_url(self) -> str:
        # Keys are always fully escaped: a `+` in a key must not become a space.
        secret = urlencode(list(self.secret_params.items()))
        if not secret:
            return self.public_url
        return f"{self.public_url}{'&' if self.params else '?'}{secret}"

    @property
    def request_id(self) -> str:
        public = json.dumps([self.url, sorted(self.params.items()), sorted(self.headers.items())])
        return hashlib.sha256(public.encode()).hexdigest()[:20]

    def error(self, problem: str, **kwargs: Any) -> ApiError:
        return ApiError(self.source, self.partition, redact(problem, self.secrets), **kwargs)


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


def land(
    root: Path, request: ApiRequest, body: bytes, *, status: int, content_type: str | None
) -> Landed:
    """Write body then sidecar (the sidecar's presence marks a complete landing). Same request -> same files."""
    folder = _partition_dir(root, request.source, request.partition)
    folder.mkdir(parents=True, exist_ok=True)
    masked_body = body
    for secret in request.secrets:
        for form in _secret_forms(secret):
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
            raise ApiError(source, partition, "landed body is missing or differs from its sidecar's sha256",
                           file=path)
        found.append(Landed(path, sidecar))
    if not found:
        raise ApiError(source, partition, f"nothing landed under {folder}")
    return sorted(found, key=lambda landed: _natural_key(landed.sidecar["url"]))


def _natural_key(text: str) -> list[Any]:
    # pageNo=10 after pageNo=9.
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


# --------------------------------------------------------------------------------------------------- fetching


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, ApiError) and exc.retryable


class Fetcher:
    """Shared by all clients: one session, one retry policy, one landing root. Inject `sleep` in tests."""

    def __init__(
        self,
        *,
        landing_root: Path | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = settings.HTTP_MAX_ATTEMPTS,
        backoff_initial: float = settings.HTTP_BACKOFF_INITIAL_SECONDS,
        backoff_max: float = settings.HTTP_BACKOFF_MAX_SECONDS,
        timeout: float = settings.HTTP_TIMEOUT_SECONDS,
    ) -> None:
        self.landing_root = landing_root or settings.landing_dir()
        self.session = session or requests.Session()
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.timeout = timeout

    def fetch(self, request: ApiRequest, parse: Callable[[Landed], T]) -> T:
        """GET, land, parse, retrying transient failures; the last error is raised with the attempt count."""
        for secret in request.secrets:
            register_secret(secret)
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=wait_exponential(multiplier=self.backoff_initial, max=self.backoff_max),
            retry=retry_if_exception(_is_retryable),
            sleep=self.sleep,
            before_sleep=lambda state: log.warning(
                "%s, partition %s: attempt %d failed (%s); retrying",
                request.source, request.partition, state.attempt_number, state.outcome.exception(),
            ),
            reraise=True,
        )
        try:
            return retrying(self._attempt, request, parse)
        except ApiError as exc:
            if exc.retryable:
                raise type(exc)(
                    exc.source, exc.partition, f"{exc.problem} (gave up after {self.max_attempts} attempts)",
                    retryable=True, code=exc.code, file=exc.file,
                ) from None
            raise

    def _attempt(self, request: ApiRequest, parse: Callable[[Landed], T]) -> T:
        try:
            response = self.session.get(
                request.wire_url, headers={**request.headers, **request.secret_headers}, timeout=self.timeout
            )
        except requests.Timeout:
            raise request.error(f"no response within {self.timeout:g} s from {request.public_url}",
                                retryable=True) from None
        except requests.RequestException as exc:
            # requests' messages contain the full URL, key included: keep only the redacted text, no chain.
            raise request.error(f"request to {request.public_url} failed: {type(exc).__name__}: {exc}",
                                retryable=True) from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise request.error(f"HTTP {status} from {request.public_url}", retryable=True, code=str(status))
        if status in (401, 403):
            raise request.error(f"HTTP {status} from {request.public_url}: the key was refused; check its env var",
                                code=str(status))
        if not 200 <= status < 300:
            raise request.error(f"HTTP {status} from {request.public_url}: {response.text[:300]}", code=str(status))
        landed = land(self.landing_root, request, response.content, status=status,
                      content_type=response.headers.get("Content-Type"))
        log.info("%s, partition %s: landed %d bytes at %s", request.source, request.partition,
                 landed.sidecar["bytes"], landed.path)
        return parse(landed)


def require_key(source: str, partition: str) -> str:
    """The source's key, or NotConfiguredError before any network is attempted."""
    key = settings.api_key(source)
    if key is None:
        env = settings.SOURCE_KEY_ENVS[source]
        raise NotConfiguredError(source, partition, f"{env} is not set; use the shipped files instead")
    register_secret(key)
    return key


# --------------------------------------------------------------------------------------------------- decoding

_XML_DECL_RE = re.compile(rb"^\s*<\?xml[^>]*\bencoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_CHARSET_RE = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9._-]+)", re.I)
# EUC-KR and its aliases are decoded as CP949, its superset (Korean servers label CP949 text as EUC-KR).
_KOREAN = {"euc-kr", "euckr", "ks_c_5601-1987", "ksc5601", "cp949", "uhc", "ms949"}


def _codec(label: str) -> str:
    return "cp949" if label.lower() in _KOREAN else label


def decode_body(data: bytes, content_type: str | None, *, what: Callable[[str], ApiError]) -> str:
    """Text of a landed body: XML declaration, then HTTP charset, then UTF-8, then CP949; the first that decodes.

    Korean government servers have been seen declaring one encoding and sending another, so a declared label
    that fails to decode is not trusted over the fallbacks.
    """
    candidates = []
    if match := _XML_DECL_RE.match(data):
        candidates.append(_codec(match.group(1).decode("ascii")))
    if content_type and (match := _CHARSET_RE.search(content_type)):
        candidates.append(_codec(match.group(1)))
    candidates += ["utf-8-sig", "cp949"]
    for codec in dict.fromkeys(candidates):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    raise what("body is neither valid UTF-8 nor CP949 (nor its declared encoding)")


def strip_xml_declaration(text: str) -> str:
    # The text is already decoded; a leftover `encoding="EUC-KR"` would make the XML parser decode it again.
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", text, count=1)
