"""The one HTTP path of every live source: GET with retry/backoff, land the body byte-for-byte, parse from disk.

No Dagster imports. Each client (kcs_api, kosis_api, comtrade_api, imf_api) builds `ApiRequest`s and hands a
`parse` function to `Fetcher.fetch`. Flow of one request:

1. GET (timeouts, connection errors, HTTP 429 and 5xx are retried with exponential backoff);
2. a 2xx body is landed (landing.py) atomically under `<landing root>/<source>/<partition>/<request id><suffix>`,
   with a JSON sidecar holding the request (URL and params without the key) and the response's status/content
   type/sha256;
3. `parse` reads the landed file. It may raise an `ApiError(retryable=True)` (e.g. a KCS quota code inside a
   200 response): the request is then retried too, and the next response replaces the landed file.

The request id is a hash of the public request, so landing the same request again replaces the same two files
(idempotent), and `landed_files()` lets a load be replayed offline from the sidecars.

Keys travel in `secret_params`/`secret_headers` only: they are left out of sidecars and ids, masked (redaction.py)
in error messages, in landed bodies (should a server echo them) and in log records of urllib3. Errors: errors.py;
text decoding of bodies: decoding.py.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

import requests
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from dagster_project import settings

from .errors import ApiError, NotConfiguredError
from .landing import Landed, land
from .redaction import redact, register_secret

log = logging.getLogger(__name__)

T = TypeVar("T")


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
                request.source,
                request.partition,
                state.attempt_number,
                state.outcome.exception(),
            ),
            reraise=True,
        )
        try:
            return retrying(self._attempt, request, parse)
        except ApiError as exc:
            if exc.retryable:
                raise type(exc)(
                    exc.source,
                    exc.partition,
                    f"{exc.problem} (gave up after {self.max_attempts} attempts)",
                    retryable=True,
                    code=exc.code,
                    file=exc.file,
                ) from None
            raise

    def _attempt(self, request: ApiRequest, parse: Callable[[Landed], T]) -> T:
        try:
            response = self.session.get(
                request.wire_url, headers={**request.headers, **request.secret_headers}, timeout=self.timeout
            )
        except requests.Timeout:
            raise request.error(
                f"no response within {self.timeout:g} s from {request.public_url}", retryable=True
            ) from None
        except requests.RequestException as exc:
            # requests' messages contain the full URL, key included: keep only the redacted text, no chain.
            raise request.error(
                f"request to {request.public_url} failed: {type(exc).__name__}: {exc}", retryable=True
            ) from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise request.error(f"HTTP {status} from {request.public_url}", retryable=True, code=str(status))
        if status in (401, 403):
            raise request.error(
                f"HTTP {status} from {request.public_url}: the key was refused; check its env var", code=str(status)
            )
        if not 200 <= status < 300:
            raise request.error(f"HTTP {status} from {request.public_url}: {response.text[:300]}", code=str(status))
        landed = land(
            self.landing_root,
            request,
            response.content,
            status=status,
            content_type=response.headers.get("Content-Type"),
        )
        log.info(
            "%s, partition %s: landed %d bytes at %s",
            request.source,
            request.partition,
            landed.sidecar["bytes"],
            landed.path,
        )
        return parse(landed)


def require_key(source: str, partition: str) -> str:
    """The source's key, or NotConfiguredError before any network is attempted."""
    key = settings.api_key(source)
    if key is None:
        env = settings.SOURCE_KEY_ENVS[source]
        raise NotConfiguredError(source, partition, f"{env} is not set; use the shipped files instead")
    register_secret(key)
    return key
