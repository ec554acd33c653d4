"""KOSIS Open API, table DT_1R11006_FRM101 (Korea's exports/imports by country, THOUSAND USD), JSON.

Request (PROVENANCE.md appendix A): `Param/statisticsParameterData.do?method=getList&orgId=360&tblId=...&itmId=...
&objL1=...&prdSe=M|Q|Y&startPrdDe=..&endPrdDe=..&format=json&jsonVD=Y&apiKey=...`. A success is a JSON list of
rows (`DT` is a string); a failure is an object `{"err": "..", "errMsg": ".."}`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from dagster_project import settings

from .decoding import decode_body
from .errors import ApiError, ResponseFormatError
from .fetch import ApiRequest, Fetcher, require_key
from .files import INT64_LIMIT
from .landing import Landed, landed_files

SOURCE_KEY = "kosis"
SOURCE = "kosis_dt_1r11006_frm101"
ORG_ID = "360"
TABLE_ID = "DT_1R11006_FRM101"
EXPORT_ITEM = "13103103829T1"  # 수출액
IMPORT_ITEM = "13103103829T2"  # 수입액
COUNTRY_PREFIX = "13102103829E."  # C1 = prefix + country code (ISO2 or a special code such as 00 = total)
VALUE_UNIT = "thousand USD"
_UNIT_NAMES = {"천달러", "Thousand dollars"}

NO_DATA = "30"
RETRYABLE_CODES = {"40": "call quota exceeded", "41": "row quota exceeded", "50": "KOSIS server error"}
KEY_CODES = {"10": "API key missing or invalid", "11": "API key expired"}
PARAM_CODES = {
    "20": "mandatory parameter missing",
    "21": "invalid parameter",
    "31": "more than 40,000 cells requested; narrow the request",
}


@dataclass(frozen=True)
class KosisRow:
    """One value of the table as published. `value` is in thousand USD; None when KOSIS shows no number."""

    item_id: str  # EXPORT_ITEM or IMPORT_ITEM
    item_name: str
    country_code: str  # `NA` is Namibia, `00` is the world total
    country_name: str
    period_type: str  # M, Q or Y
    period: str  # PRD_DE: YYYYMM, YYYYQ or YYYY
    value: int | None
    last_changed: str | None
    value_unit: str = VALUE_UNIT


@dataclass(frozen=True)
class KosisResult:
    rows: list[KosisRow]
    landed: list[Landed]


def parse_rows(
    data: bytes, *, source: str, partition: str, file: str, content_type: str | None = None
) -> list[KosisRow]:
    """Rows of one landed KOSIS body; error objects raise (retryable for quota/server codes)."""

    def bad(problem: str) -> ResponseFormatError:
        return ResponseFormatError(source, partition, problem, file=file)

    try:
        payload = json.loads(decode_body(data, content_type, what=bad))
    except json.JSONDecodeError as exc:
        raise bad(f"truncated or malformed JSON ({exc})") from None
    if isinstance(payload, dict):
        code = str(payload.get("err", "")).zfill(2)
        said = f"KOSIS error {code} ({payload.get('errMsg', 'no message')})"
        if code == NO_DATA:
            return []
        if code in RETRYABLE_CODES:
            raise ApiError(source, partition, f"{said}: {RETRYABLE_CODES[code]}", retryable=True, code=code, file=file)
        if code in KEY_CODES:
            raise ApiError(
                source,
                partition,
                f"{said}: {KEY_CODES[code]}; check {settings.KOSIS_API_KEY_ENV}",
                code=code,
                file=file,
            )
        hint = PARAM_CODES.get(code, "unexpected response object")
        raise ApiError(source, partition, f"{said}: {hint}", code=code, file=file)
    if not isinstance(payload, list):
        raise bad(f"expected a JSON list of rows, got {type(payload).__name__}")

    rows = []
    for number, record in enumerate(payload, start=1):
        missing = [k for k in ("TBL_ID", "ITM_ID", "C1", "PRD_SE", "PRD_DE", "DT") if k not in record]
        if missing:
            raise bad(f"row {number}: missing field(s) {missing}")
        if record["TBL_ID"] != TABLE_ID:
            raise bad(f"row {number}: table {record['TBL_ID']!r}, expected {TABLE_ID}")
        unit = record.get("UNIT_NM")
        if unit is not None and unit not in _UNIT_NAMES:
            raise bad(f"row {number}: unit {unit!r}, expected 천달러 (thousand USD)")
        value = str(record["DT"]).strip().replace(",", "")
        if value in ("", "-"):
            number_value = None
        elif re.fullmatch(r"-?\d+", value) and abs(int(value)) < INT64_LIMIT:  # the value column is BIGINT
            number_value = int(value)
        else:
            raise bad(f"row {number}: DT is not a whole number of thousand USD: {record['DT']!r}")
        c1 = str(record["C1"])
        rows.append(
            KosisRow(
                item_id=record["ITM_ID"],
                item_name=record.get("ITM_NM", ""),
                country_code=c1.removeprefix(COUNTRY_PREFIX),
                country_name=record.get("C1_NM", ""),
                period_type=record["PRD_SE"],
                period=str(record["PRD_DE"]),
                value=number_value,
                last_changed=record.get("LST_CHN_DE"),
            )
        )
    return rows


def _landed_rows(landed: Landed, source: str, partition: str) -> list[KosisRow]:
    return parse_rows(
        landed.read_bytes(), source=source, partition=partition, file=str(landed.path), content_type=landed.content_type
    )


def fetch_trade_by_country(
    period_type: str,
    start: str,
    end: str,
    *,
    partition: str,
    countries: Sequence[str] | None = None,
    items: Sequence[str] = (EXPORT_ITEM, IMPORT_ITEM),
    fetcher: Fetcher | None = None,
) -> KosisResult:
    """Exports and imports by country for periods `start`..`end` (YYYYMM for M, YYYYQ for Q, YYYY for Y).

    `countries` are codes such as "CN", "US", "NA" (Namibia); None = all countries.
    """
    if period_type not in ("M", "Q", "Y"):
        raise ValueError(f"period_type must be M, Q or Y, not {period_type!r}")
    key = require_key(SOURCE_KEY, partition)
    objects = "ALL" if countries is None else "+".join(COUNTRY_PREFIX + c for c in countries) + "+"
    params = {
        "method": "getList",
        "orgId": ORG_ID,
        "tblId": TABLE_ID,
        "itmId": "+".join(items) + "+",
        "objL1": objects,
        "prdSe": period_type,
        "startPrdDe": start,
        "endPrdDe": end,
        "format": "json",
        "jsonVD": "Y",
    }
    request = ApiRequest(
        SOURCE,
        partition,
        f"{settings.kosis_base_url()}/Param/statisticsParameterData.do",
        params,
        secret_params={"apiKey": key},
        suffix=".json",
        safe="+",
    )
    landed, rows = (fetcher or Fetcher()).fetch(request, lambda f: (f, _landed_rows(f, SOURCE, partition)))
    return KosisResult(rows, [landed])


def replay(partition: str, *, landing_root: Path | None = None) -> list[KosisRow]:
    """Rows of a partition from its landed files alone (no network)."""
    return [
        row
        for landed in landed_files(SOURCE, partition, landing_root)
        for row in _landed_rows(landed, SOURCE, partition)
    ]
