"""Keys never reach a file, a log or an error: every known key (raw or URL-encoded) and every value of a key
parameter is masked. Importing this module installs the mask on urllib3's logger (which logs request URLs)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "***"
# Query parameters that carry a key in the APIs we call; masked by name even when the value is not known.
SECRET_PARAM_NAMES = ("serviceKey", "apiKey", "subscription-key")
_SECRET_PARAM_RE = re.compile(r"(?i)\b(" + "|".join(re.escape(n) for n in SECRET_PARAM_NAMES) + r")=[^&\s\"'<>]*")

_known_secrets: set[str] = set()


def secret_forms(secret: str) -> list[str]:
    # A key may show up raw or URL-encoded (data.go.kr keys contain + / =); longest first so masks do not nest.
    return sorted({secret, quote(secret, safe=""), quote_plus(secret, safe="")}, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask every known key (raw or URL-encoded) and every `serviceKey=`/`apiKey=`/`subscription-key=` value."""
    for secret in [*secrets, *_known_secrets]:
        if secret:
            for form in secret_forms(secret):
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
for _name in ("urllib3.connectionpool", "dagster_project.sources.fetch"):
    if _REDACTING_FILTER not in logging.getLogger(_name).filters:
        logging.getLogger(_name).addFilter(_REDACTING_FILTER)
