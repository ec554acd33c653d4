"""Shared fixtures. Unit tests never import the Dagster definitions; integration tests do, after `dbt parse`.

The live-source fixtures run a real HTTP server on 127.0.0.1 that plays scripted replies: nothing here reaches the
internet; every base URL is pointed at the local server and every landing goes to tmp.
"""

import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from dagster_project import settings
from dagster_project.sources.fetch import Fetcher

from .live_payloads import SECRET_KEY, Reply

# Keep every test run offline and quiet, whatever the caller's environment says.
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
os.environ.setdefault("DO_NOT_TRACK", "1")


def parsed_manifest() -> dict:
    """dbt's manifest.json as `dbt parse` wrote it (`make test` runs `cli prepare` first): what the project declares."""
    return json.loads((settings.DBT_TARGET_DIR / "manifest.json").read_text(encoding="utf-8"))


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class ScriptedServer:
    """Route -> replies played in order (the last one repeats), or a function of the query string."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply] | Callable[[dict[str, str]], Reply]] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
                with server._lock:
                    server.seen.append(Seen(parts.path, query, dict(self.headers)))
                    script = server.routes.get(parts.path)
                    if script is None:
                        reply = Reply(404, b"no such route", "text/plain")
                    elif callable(script):
                        reply = script(query)
                    else:
                        reply = script.pop(0) if len(script) > 1 else script[0]
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and left

            def log_message(self, *args: object) -> None:
                pass  # the default prints request lines (with the key) to stderr

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def route(self, path: str, *replies: Reply | Callable[[dict[str, str]], Reply]) -> None:
        self.routes[path] = replies[0] if len(replies) == 1 and callable(replies[0]) else list(replies)

    def hits(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]


@pytest.fixture
def http_server():
    server = ScriptedServer()
    # shutdown() waits for serve_forever's next poll: at the default 0.5 s, every test using the server waited
    # ~0.5 s in its teardown (62 tests)
    thread = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def landing_root(tmp_path: Path) -> Path:
    return tmp_path / "landing"


@pytest.fixture
def live_env(monkeypatch, http_server, landing_root):
    """All four base URLs on the local server, keys set, landing in tmp."""
    for env in (
        settings.KCS_BASE_URL_ENV,
        settings.KOSIS_BASE_URL_ENV,
        settings.COMTRADE_BASE_URL_ENV,
        settings.IMF_BASE_URL_ENV,
    ):
        monkeypatch.setenv(env, http_server.url)
    for env in (settings.KCS_SERVICE_KEY_ENV, settings.KOSIS_API_KEY_ENV, settings.COMTRADE_SUBSCRIPTION_KEY_ENV):
        monkeypatch.setenv(env, SECRET_KEY)
    monkeypatch.setenv(settings.LANDING_DIR_ENV, str(landing_root))
    return http_server


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def fetcher(landing_root, sleeps) -> Fetcher:
    """Backoff 1, 2, 4 ... s recorded instead of slept; 3 attempts; a short timeout for the timeout test."""
    return Fetcher(
        landing_root=landing_root,
        sleep=sleeps.append,
        max_attempts=3,
        backoff_initial=1.0,
        backoff_max=60.0,
        timeout=2.0,
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The order `make test`'s workers are handed tests in (pytest-xdist gives each worker the next test as it frees
    up): the test with the most runs first, whose worker builds the session's baseline warehouse; then the unit
    tests, which the other worker runs meanwhile instead of waiting for that build; then the other integration
    tests, most runs first (`@pytest.mark.runs(n)`), so that no long test starts last and runs alone."""

    def runs(item: pytest.Item) -> int:
        marker = item.get_closest_marker("runs")
        return marker.args[0] if marker else 0

    def is_unit(item: pytest.Item) -> bool:
        return item.nodeid.startswith("tests/unit/")

    first = max(items, key=runs, default=None)
    if first is None or runs(first) == 0:
        return
    # sorted() is stable: within a rank, collection order
    items[:] = sorted(items, key=lambda item: (item is not first, not is_unit(item), -runs(item)))
