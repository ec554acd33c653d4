"""Text from a landed body: Korean government servers send CP949 labelled EUC-KR, or declare one encoding and send
another, so the declared label is tried first and never trusted over the fallbacks."""

from __future__ import annotations

import re
from collections.abc import Callable

from .errors import ApiError

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
