"""The errors of the live-source clients: every message names the source and partition (and the landed file)."""

from __future__ import annotations

from pathlib import Path


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
