"""UN Comtrade v1 final data (`data/v1/get/{typeCode}/{freqCode}/{clCode}`), JSON, the API comtradeapicall calls.

The key goes in the `Ocp-Apim-Subscription-Key` header (the API gateway accepts it there or as the
`subscription-key` query parameter that comtradeapicall uses); a header keeps it out of URLs and access logs.
Envelope: `{"elapsedTime": .., "count": n, "data": [...], "error": ""}` (PROVENANCE.md appendix B). Values USD.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from dagster_project import settings

from .decoding import decode_body
from .errors import ApiError, ResponseFormatError
from .fetch import ApiRequest, Fetcher, require_key
from .landing import Landed, landed_files

SOURCE_KEY = "comtrade"
SOURCE = "comtrade_final"
KEY_HEADER = "Ocp-Apim-Subscription-Key"
VALUE_UNIT = "USD"
KOREA = "410"
MAX_RECORDS = 250_000  # the API's cap for subscription calls


@dataclass(frozen=True)
class ComtradeRow:
    """One record of final data. Codes are text (`cmdCode` "01" keeps its zero; partner "0" is World)."""

    type_code: str
    freq_code: str
    period: str  # YYYY or YYYYMM
    reporter_code: str  # M49, Korea = 410
    reporter_iso: str | None
    flow_code: str  # X, M, ...
    partner_code: str
    partner_iso: str | None
    partner2_code: str | None
    classification_code: str | None
    cmd_code: str
    customs_code: str | None
    mot_code: str | None
    primary_value: Decimal | None
    cif_value: Decimal | None
    fob_value: Decimal | None
    net_weight_kg: Decimal | None
    qty: Decimal | None
    qty_unit: str | None
    is_reported: bool | None
    is_aggregate: bool | None
    value_unit: str = VALUE_UNIT


@dataclass(frozen=True)
class ComtradeResult:
    rows: list[ComtradeRow]
    landed: list[Landed]


def _code(value: Any) -> str | None:
    # JSON gives numeric codes as numbers: 410 -> "410". A float code (410.0) would be a layout change.
    if value is None:
        return None
    return str(value)


def _number(value: Any, field: str, record: int, bad: Callable[[str], Exception]) -> Decimal | None:
    """A figure as published: a JSON number (or numeric text); null or "" is missing. Text, true/false, NaN and
    Infinity (JSON literals Python's json reads) fail the record instead of loading as a figure."""
    if value is None or value == "":
        return None
    try:
        number = None if isinstance(value, bool) else Decimal(str(value))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise bad(f"record {record}: {field} is not a number: {value!r}")
    return number


def parse_rows(
    data: bytes,
    *,
    source: str,
    partition: str,
    file: str,
    content_type: str | None = None,
    max_records: int = MAX_RECORDS,
) -> list[ComtradeRow]:
    """Rows of one landed Comtrade body. An `error`, a missing `data` or a capped result raise."""

    def bad(problem: str) -> ResponseFormatError:
        return ResponseFormatError(source, partition, problem, file=file)

    try:
        # Decimal, not float: values like 6.735023e+07 stay exact as published.
        payload = json.loads(decode_body(data, content_type, what=bad), parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise bad(f"truncated or malformed JSON ({exc})") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise bad("expected an object with a `data` list")
    if payload.get("error"):
        raise ApiError(source, partition, f"Comtrade error: {payload['error']}", file=file)
    records = payload["data"]
    if len(records) >= max_records:
        raise ApiError(
            source,
            partition,
            f"{len(records)} records = the maxRecords cap; the result may be cut "
            "short, narrow the request (fewer periods, partners or commodities)",
            file=file,
        )

    rows = []
    for number, record in enumerate(records, start=1):
        missing = [
            k
            for k in (
                "typeCode",
                "freqCode",
                "period",
                "reporterCode",
                "flowCode",
                "partnerCode",
                "cmdCode",
                "primaryValue",
            )
            if k not in record
        ]
        if missing:
            raise bad(f"record {number}: missing field(s) {missing}")
        rows.append(
            ComtradeRow(
                type_code=record["typeCode"],
                freq_code=record["freqCode"],
                period=str(record["period"]),
                reporter_code=_code(record["reporterCode"]),
                reporter_iso=record.get("reporterISO"),
                flow_code=record["flowCode"],
                partner_code=_code(record["partnerCode"]),
                partner_iso=record.get("partnerISO"),
                partner2_code=_code(record.get("partner2Code")),
                classification_code=record.get("classificationCode"),
                cmd_code=str(record["cmdCode"]),
                customs_code=record.get("customsCode"),
                mot_code=_code(record.get("motCode")),
                primary_value=_number(record["primaryValue"], "primaryValue", number, bad),
                cif_value=_number(record.get("cifvalue"), "cifvalue", number, bad),
                fob_value=_number(record.get("fobvalue"), "fobvalue", number, bad),
                net_weight_kg=_number(record.get("netWgt"), "netWgt", number, bad),
                qty=_number(record.get("qty"), "qty", number, bad),
                qty_unit=record.get("qtyUnitAbbr"),
                is_reported=record.get("isReported"),
                is_aggregate=record.get("isAggregate"),
            )
        )
    return rows


def _landed_rows(landed: Landed, source: str, partition: str) -> list[ComtradeRow]:
    max_records = int(landed.params.get("maxRecords", MAX_RECORDS))
    return parse_rows(
        landed.read_bytes(),
        source=source,
        partition=partition,
        file=str(landed.path),
        content_type=landed.content_type,
        max_records=max_records,
    )


def fetch_final_data(
    periods: Sequence[str],
    *,
    partition: str,
    reporter_code: str | None = KOREA,
    partner_codes: Sequence[str] | None = None,
    cmd_codes: Sequence[str] = ("TOTAL",),
    flow_codes: Sequence[str] = ("X", "M"),
    type_code: str = "C",
    freq_code: str = "A",
    cl_code: str = "HS",
    max_records: int = MAX_RECORDS,
    fetcher: Fetcher | None = None,
) -> ComtradeResult:
    """Final (not preview) data, the `getFinalData` call of comtradeapicall: classic breakdown, no descriptions.

    Periods are YYYY (freq A) or YYYYMM (freq M); codes are M49 numbers as text; reporter None = every reporter
    (the partner-reported side of a mirror: `reporter_code=None, partner_codes=["410"]`); partner None = all partners.
    """
    key = require_key(SOURCE_KEY, partition)
    params = {
        **({"reporterCode": reporter_code} if reporter_code else {}),
        "period": ",".join(periods),
        "flowCode": ",".join(flow_codes),
        "cmdCode": ",".join(cmd_codes),
        **({"partnerCode": ",".join(partner_codes)} if partner_codes else {}),
        "maxRecords": str(max_records),
        "format": "JSON",
        "breakdownMode": "classic",
        "includeDesc": "false",
    }
    url = f"{settings.comtrade_base_url()}/data/v1/get/{type_code}/{freq_code}/{cl_code}"
    request = ApiRequest(SOURCE, partition, url, params, secret_headers={KEY_HEADER: key}, suffix=".json")
    landed, rows = (fetcher or Fetcher()).fetch(request, lambda f: (f, _landed_rows(f, SOURCE, partition)))
    return ComtradeResult(rows, [landed])


def replay(partition: str, *, landing_root: Path | None = None) -> list[ComtradeRow]:
    """Rows of a partition from its landed files alone (no network)."""
    return [
        row
        for landed in landed_files(SOURCE, partition, landing_root)
        for row in _landed_rows(landed, SOURCE, partition)
    ]
