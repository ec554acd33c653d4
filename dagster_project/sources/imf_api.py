"""IMF International Trade in Goods (IMTS, successor of DOTS), SDMX 3.0 REST, XML or CSV. No key.

`{base}/data/dataflow/IMF.STA/IMTS/+/{COUNTRY}.{INDICATOR}.{COUNTERPART}.{FREQUENCY}?c[TIME_PERIOD]=ge:..+le:..`
(PROVENANCE.md appendix C). OBS_VALUE is in USD units even though series carry SCALE="6": never multiply.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET

from dagster_project import settings

from .decoding import decode_body, strip_xml_declaration
from .errors import ResponseFormatError
from .fetch import ApiRequest, Fetcher
from .landing import Landed, landed_files

SOURCE_KEY = "imf"
SOURCE = "imf_imts"
EXPORTS_FOB = "XG_FOB_USD"
IMPORTS_CIF = "MG_CIF_USD"
ACCEPT = {"xml": "application/xml", "csv": "application/vnd.sdmx.data+csv;version=2.0.0"}
_DIMENSIONS = ("COUNTRY", "INDICATOR", "COUNTERPART_COUNTRY", "FREQUENCY")


@dataclass(frozen=True)
class ImfObservation:
    country: str  # ISO3 (KOR)
    indicator: str
    counterpart_country: str  # ISO3 or an IMF group code (G001 = World)
    frequency: str  # A, Q, M
    time_period: str  # 2023, 2023-Q1, 2023-M01
    value: Decimal | None  # in `unit`, as published (no SCALE applied)
    unit: str
    scale: str | None  # carried for the record only


@dataclass(frozen=True)
class ImfResult:
    rows: list[ImfObservation]
    landed: list[Landed]


def _unit(indicator: str, declared: str | None) -> str:
    # Groups declare UNIT (USD); CSV bodies may not, and the indicator code ends in its unit.
    return declared or indicator.rsplit("_", 1)[-1]


def _value(text: str | None, bad) -> Decimal | None:
    if text is None or text.strip() in ("", "NaN"):
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise bad(f"OBS_VALUE {text!r} is not a number") from None
    if not value.is_finite():  # Decimal reads 'Infinity' and 'sNaN'
        raise bad(f"OBS_VALUE {text!r} is not a number")
    return value


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def parse_xml(text: str, bad) -> list[ImfObservation]:
    root = SafeET.fromstring(strip_xml_declaration(text))
    units = {}
    for group in root.iter():
        if _local(group.tag) == "Group" and "INDICATOR" in group.attrib:
            for comp in group:
                if _local(comp.tag) == "Comp" and comp.get("id") == "UNIT":
                    units[group.get("INDICATOR")] = next((v.text for v in comp if _local(v.tag) == "Value"), None)
    rows = []
    for series in (e for e in root.iter() if _local(e.tag) == "Series"):
        missing = [d for d in _DIMENSIONS if d not in series.attrib]
        if missing:
            raise bad(f"a Series lacks dimension(s) {missing}")
        indicator = series.get("INDICATOR")
        for obs in (e for e in series if _local(e.tag) == "Obs"):
            if "TIME_PERIOD" not in obs.attrib:
                raise bad(f"an Obs of {indicator} has no TIME_PERIOD")
            rows.append(
                ImfObservation(
                    series.get("COUNTRY"),
                    indicator,
                    series.get("COUNTERPART_COUNTRY"),
                    series.get("FREQUENCY"),
                    obs.get("TIME_PERIOD"),
                    _value(obs.get("OBS_VALUE"), bad),
                    _unit(indicator, units.get(indicator)),
                    series.get("SCALE"),
                )
            )
    return rows


def parse_csv(text: str, bad) -> list[ImfObservation]:
    reader = csv.DictReader(io.StringIO(text))
    needed = [*_DIMENSIONS, "TIME_PERIOD", "OBS_VALUE"]
    missing = [c for c in needed if c not in (reader.fieldnames or [])]
    if missing:
        raise bad(f"CSV lacks column(s) {missing}; header is {reader.fieldnames}")
    return [
        ImfObservation(
            r["COUNTRY"],
            r["INDICATOR"],
            r["COUNTERPART_COUNTRY"],
            r["FREQUENCY"],
            r["TIME_PERIOD"],
            _value(r["OBS_VALUE"], bad),
            _unit(r["INDICATOR"], r.get("UNIT") or None),
            r.get("SCALE") or None,
        )
        for r in reader
    ]


def parse_body(
    data: bytes, *, source: str, partition: str, file: str, content_type: str | None = None
) -> list[ImfObservation]:
    """Observations of one landed body; XML or CSV is told by the body itself, not by what was asked for."""

    def bad(problem: str) -> ResponseFormatError:
        return ResponseFormatError(source, partition, problem, file=file)

    text = decode_body(data, content_type, what=bad)
    if text.lstrip().startswith("<"):
        try:
            return parse_xml(text, bad)
        except ParseError as exc:
            raise bad(f"truncated or malformed XML ({exc})") from None
    return parse_csv(text, bad)


def _landed_rows(landed: Landed, source: str, partition: str) -> list[ImfObservation]:
    return parse_body(
        landed.read_bytes(), source=source, partition=partition, file=str(landed.path), content_type=landed.content_type
    )


def fetch_imts(
    *,
    partition: str,
    countries: Sequence[str] = ("KOR",),
    indicators: Sequence[str] = (EXPORTS_FOB, IMPORTS_CIF),
    counterparts: Sequence[str] = (),
    frequency: str = "A",
    start: str | None = None,
    end: str | None = None,
    fmt: Literal["xml", "csv"] = "xml",
    fetcher: Fetcher | None = None,
) -> ImfResult:
    """Series for countries x indicators x counterparts (either empty = all; `countries=(), counterparts=("KOR",)`
    is every reporter's trade with Korea, the partner-reported side of a mirror) at one frequency; `start`/`end` are
    ISO dates (YYYY-MM-DD) bounding TIME_PERIOD."""
    for code in (*countries, *counterparts):
        if not re.fullmatch(r"[A-Z0-9_]+", code):
            raise ValueError(f"{code!r} is not an IMF code")
    key = ".".join(["+".join(countries) or "*", "+".join(indicators), "+".join(counterparts) or "*", frequency])
    bounds = [f"ge:{start}"] if start else []
    bounds += [f"le:{end}"] if end else []
    params = {"dimensionAtObservation": "TIME_PERIOD", "detail": "full", "includeHistory": "false"}
    if bounds:
        params = {"c[TIME_PERIOD]": "+".join(bounds), **params}
    url = f"{settings.imf_base_url()}/data/dataflow/IMF.STA/IMTS/+/{key}"
    request = ApiRequest(SOURCE, partition, url, params, headers={"Accept": ACCEPT[fmt]}, suffix=f".{fmt}", safe="[]:+")
    landed, rows = (fetcher or Fetcher()).fetch(request, lambda f: (f, _landed_rows(f, SOURCE, partition)))
    return ImfResult(rows, [landed])


def replay(partition: str, *, landing_root: Path | None = None) -> list[ImfObservation]:
    """Observations of a partition from its landed files alone (no network)."""
    return [
        row
        for landed in landed_files(SOURCE, partition, landing_root)
        for row in _landed_rows(landed, SOURCE, partition)
    ]
