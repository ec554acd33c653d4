"""Korea Customs Service trade statistics API (data.go.kr, XML): by country and by HS item x country, monthly.

Endpoints (PROVENANCE.md appendix A): `nationtrade/getNationtradeList` and `nitemtrade/getNitemtradeList`, params
`strtYymm`/`endYymm` (at most 12 months per call), `cntyCd` (ISO2), `hsSgn` (HS 2-10 digits), paged by
`numOfRows`/`pageNo` up to `body/totalCount`. Values are USD, weights kg. A `<year>총계</year>` grand-total row
is not a fact: it is checked against the sum of the months and dropped.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote
from xml.etree import ElementTree

from dagster_project import settings

from .decoding import decode_body, strip_xml_declaration
from .errors import ApiError, ResponseFormatError
from .fetch import ApiRequest, Fetcher, require_key
from .files import INT64_LIMIT
from .landing import SIDECAR_SUFFIX, Landed, landed_files

SOURCE_KEY = "kcs"  # settings.SOURCE_KEY_ENVS
NATION_TRADE = "kcs_nationtrade"  # landing folder names
ITEM_TRADE = "kcs_nitemtrade"
_PATHS = {NATION_TRADE: "nationtrade/getNationtradeList", ITEM_TRADE: "nitemtrade/getNitemtradeList"}

VALUE_UNIT = "USD"
WEIGHT_UNIT = "kg"
TOTAL_LABEL = "총계"
MAX_MONTHS_PER_CALL = 12
DEFAULT_ROWS_PER_PAGE = 1000

OK = "00"
NO_DATA = "03"  # data.go.kr convention: a valid request with an empty result.
RETRYABLE_CODES = {
    "05": "service timeout",
    "22": "daily request quota exceeded",
    "23": "per-second request quota exceeded",
}
KEY_CODES = {
    "20": "access denied",
    "21": "key temporarily disabled",
    "30": "key not registered",
    "31": "key expired",
    "32": "IP not registered",
    "33": "unsigned call",
}
PARAM_CODES = {
    "10": "invalid request parameter",
    "11": "mandatory request parameter missing",
    # nitemtrade answers 99 when neither hsSgn nor cntyCd is given
    "99": "unknown error (nitemtrade: at least one of hsSgn or cntyCd is required)",
}
ITEM_TOTAL_CODE = "-"  # hsCd and statCd of nitemtrade's 총계 row

# Source field -> how to read it. Amounts and weights are summed against the 총계 row.
_AMOUNT_FIELDS = ("expDlr", "impDlr", "balPayments")
_WEIGHT_FIELDS = ("expWgt", "impWgt")


class TotalMismatchError(ApiError):
    """Σ months differs from the response's 총계 row by more than the tolerance."""


@dataclass(frozen=True)
class KcsTradeRow:
    """One month x country (x HS item) as published. Codes are text: `NA` is Namibia, `0202` keeps its zero."""

    period: str  # YYYY.MM as published
    country_code: str  # statCd, ISO 3166 alpha-2
    country_name_ko: str
    hs_code: str | None  # None for the by-country endpoint
    item_name_ko: str | None
    export_usd: int
    import_usd: int
    balance_usd: int
    export_kg: int | None
    import_kg: int | None
    value_unit: str = VALUE_UNIT
    weight_unit: str = WEIGHT_UNIT


@dataclass(frozen=True)
class KcsPage:
    """One parsed response body: the envelope, its item records as text, and the 총계 record if present."""

    result_code: str
    result_msg: str
    total_count: int
    items: tuple[dict[str, str], ...]
    total: dict[str, str] | None
    file: str


@dataclass(frozen=True)
class KcsResult:
    rows: list[KcsTradeRow]
    landed: list[Landed]


# --------------------------------------------------------------------------------------------------- pure parsing


def month_chunks(start_yymm: str, end_yymm: str, max_months: int = MAX_MONTHS_PER_CALL) -> list[tuple[str, str]]:
    """Split an inclusive YYYYMM range into calls of at most `max_months` months, in order."""
    for value in (start_yymm, end_yymm):
        if not re.fullmatch(r"\d{4}(0[1-9]|1[0-2])", value):
            raise ValueError(f"{value!r} is not a month YYYYMM")
    first = int(start_yymm[:4]) * 12 + int(start_yymm[4:]) - 1
    last = int(end_yymm[:4]) * 12 + int(end_yymm[4:]) - 1
    if last < first:
        raise ValueError(f"range {start_yymm}-{end_yymm} ends before it starts")

    def yymm(index: int) -> str:
        return f"{index // 12:04d}{index % 12 + 1:02d}"

    return [(yymm(i), yymm(min(i + max_months - 1, last))) for i in range(first, last + 1, max_months)]


def parse_number(text: str | None, *, field: str, error: ApiError) -> int | None:
    """'1,234' -> 1234, '-5' -> -5, '' or '-' -> None. Anything else raises `error` (naming the field)."""
    value = (text or "").strip().replace(",", "")
    if value in ("", "-"):
        return None
    if not re.fullmatch(r"[+-]?\d+", value):
        raise ResponseFormatError(
            error.source, error.partition, f"field {field} is not a whole number: {text!r}", file=error.file
        )
    if abs(int(value)) >= INT64_LIMIT:  # the amount columns are BIGINT
        raise ResponseFormatError(
            error.source, error.partition, f"field {field} is beyond the 64-bit range: {text!r}", file=error.file
        )
    return int(value)


class _ForbiddenError(ValueError):
    pass


def _local(tag: str) -> str:
    """A tag without its namespace (`{uri}item` -> `item`): the gateway's fields are matched by local name."""
    return tag if tag[0] != "{" else tag.rpartition("}")[2]


def _read_xml(text: str) -> tuple[str, dict[str, str], list[dict[str, str]]]:
    """The root tag, the text of every leaf outside items (by path below the root, e.g. `header/resultCode`), and
    the `body/items/item` records as {field: text}. A response is a few hundred records (a month of the item feed
    is ~280 of them): ElementTree builds each one's tree in C, ~1.5x faster than expat with Python callbacks. A
    document type declaration is refused before parsing, as defusedxml refuses one: it is where entity
    declarations (billion laughs) and external entities live, and no response of either gateway has one."""
    if "<!DOCTYPE" in text:
        raise _ForbiddenError("entity declarations and external entities are not accepted (the body has a DOCTYPE)")
    root = ElementTree.fromstring(text)
    local = _local if "xmlns" in text else str  # tags carry a namespace only where one is declared
    leaves: dict[str, str] = {}
    items: list[dict[str, str]] = []

    def walk(element: ElementTree.Element, path: str) -> None:
        for child in element:
            where = f"{path}/{local(child.tag)}" if path else local(child.tag)
            if where == "body/items":
                for item in child:
                    if local(item.tag) == "item":
                        items.append({local(f.tag): (f.text or "").strip() for f in item if len(f) == 0})
                    elif len(item) == 0:
                        leaves[f"{where}/{local(item.tag)}"] = (item.text or "").strip()
                    else:
                        walk(item, f"{where}/{local(item.tag)}")
            elif len(child):
                walk(child, where)
            else:
                leaves[where] = (child.text or "").strip()

    walk(root, "")
    return _local(root.tag), leaves, items


def parse_page(data: bytes, *, source: str, partition: str, file: str, content_type: str | None = None) -> KcsPage:
    """Parse one KCS response body (either the `<response>` envelope or the portal's `OpenAPI_ServiceResponse`)."""

    def bad(problem: str) -> ResponseFormatError:
        return ResponseFormatError(source, partition, problem, file=file)

    if not data.strip():
        raise bad("empty body (no XML at all)")
    text = decode_body(data, content_type, what=bad)
    try:
        root, leaves, records = _read_xml(strip_xml_declaration(text))
    except ElementTree.ParseError as exc:
        raise bad(f"truncated or malformed XML ({exc})") from None
    except _ForbiddenError as exc:
        raise bad(str(exc)) from None

    if root == "OpenAPI_ServiceResponse":  # gateway error: key, quota, unknown service
        code = leaves.get("cmmMsgHeader/returnReasonCode") or "99"
        message = " ".join(filter(None, (leaves.get("cmmMsgHeader/errMsg"), leaves.get("cmmMsgHeader/returnAuthMsg"))))
        return KcsPage(code.zfill(2), message, 0, (), None, file)
    if root != "response":
        raise bad(f"unexpected root element <{root}>, expected <response>")

    code = leaves.get("header/resultCode")
    if code is None:
        raise bad("no header/resultCode in the response")
    message = leaves.get("header/resultMsg") or ""
    if code.zfill(2) != OK:
        return KcsPage(code.zfill(2), message, 0, (), None, file)

    items, total = [], None
    for record in records:
        if record.get("year") == TOTAL_LABEL or (
            record.get("hsCd") == ITEM_TOTAL_CODE and record.get("statCd") == ITEM_TOTAL_CODE
        ):
            if total is not None:
                raise bad(f"more than one {TOTAL_LABEL} row")
            total = record
        else:
            items.append(record)
    count_text = leaves.get("body/totalCount")
    context = ApiError(source, partition, "", file=file)
    total_count = parse_number(count_text, field="totalCount", error=context)
    if total_count is None:
        raise bad("no body/totalCount in the response")
    return KcsPage(OK, message, total_count, tuple(items), total, file)


def check_result(page: KcsPage, *, source: str, partition: str) -> None:
    """Raise for a non-OK result code: retryable for timeouts/quota, at once for key and parameter errors."""
    code = page.result_code
    if code in (OK, NO_DATA):
        return
    said = f"KCS result code {code} ({page.result_msg or 'no message'})"
    if code in RETRYABLE_CODES:
        raise ApiError(source, partition, f"{said}: {RETRYABLE_CODES[code]}", retryable=True, code=code, file=page.file)
    if code in KEY_CODES:
        raise ApiError(
            source,
            partition,
            f"{said}: {KEY_CODES[code]}; check {settings.KCS_SERVICE_KEY_ENV}",
            code=code,
            file=page.file,
        )
    if code in PARAM_CODES:
        raise ApiError(
            source,
            partition,
            f"{said}: {PARAM_CODES[code]}; the request is wrong, not retried",
            code=code,
            file=page.file,
        )
    raise ApiError(source, partition, said, code=code, file=page.file)


def to_row(record: dict[str, str], *, source: str, partition: str, file: str) -> KcsTradeRow:
    """Type one item record. Amounts are required; weights and the HS fields are absent from `nationtrade`."""
    context = ApiError(source, partition, "", file=file)
    period = record.get("year", "")
    if not re.fullmatch(r"\d{4}\.(0[1-9]|1[0-2])", period):
        raise ResponseFormatError(source, partition, f"field year is not a month YYYY.MM: {period!r}", file=file)
    country = record.get("statCd", "")
    if not country:
        raise ResponseFormatError(source, partition, f"{period}: field statCd is missing", file=file)

    def amount(field: str) -> int:
        value = parse_number(record.get(field), field=field, error=context)
        if value is None:
            raise ResponseFormatError(source, partition, f"{period} {country}: field {field} is missing", file=file)
        return value

    return KcsTradeRow(
        period=period,
        country_code=country,
        country_name_ko=record.get("statCdCntnKor1", ""),
        hs_code=record.get("hsCd") or None,
        item_name_ko=record.get("statKor") or None,
        export_usd=amount("expDlr"),
        import_usd=amount("impDlr"),
        balance_usd=amount("balPayments"),
        export_kg=parse_number(record.get("expWgt"), field="expWgt", error=context),
        import_kg=parse_number(record.get("impWgt"), field="impWgt", error=context),
    )


def check_total(
    records: Sequence[dict[str, str]],
    total: dict[str, str],
    *,
    source: str,
    partition: str,
    file: str,
    tolerance: int = 1,
) -> None:
    """Σ records = 총계 for every amount/weight field the total row carries, within `tolerance` units.

    The tolerance absorbs per-row rounding: the real sample's weights sum to 1 kg below its 총계.
    """
    context = ApiError(source, partition, "", file=file)
    for field in (*_AMOUNT_FIELDS, *_WEIGHT_FIELDS):
        expected = parse_number(total.get(field), field=field, error=context)
        if expected is None:
            continue
        summed = sum(parse_number(r.get(field), field=field, error=context) or 0 for r in records)
        if abs(summed - expected) > tolerance:
            raise TotalMismatchError(
                source,
                partition,
                f"field {field}: months sum to {summed:,} but the {TOTAL_LABEL} row says {expected:,} "
                f"(difference {summed - expected:+,}, tolerance {tolerance})",
                file=file,
            )


def rows_from_pages(
    pages: Sequence[KcsPage],
    *,
    source: str,
    partition: str,
    tolerance: int = 1,
    window: tuple[str, str] | None = None,
    keep_total: bool = False,
) -> list[KcsTradeRow]:
    """Facts of all pages of one call (one period chunk): the pages agree on totalCount and add up to it, 총계
    checked against the facts, then dropped; with `window` (YYYYMM, YYYYMM), every month lies inside it.

    With `keep_total` and a one-month window, the 총계 row is kept as a row of its own (country code `총계`,
    period the month): the publisher's total, which the monthly world totals are taken from."""
    check_pages(pages, source=source, partition=partition)
    records = [(record, page.file) for page in pages for record in page.items]
    totals = [page for page in pages if page.total is not None]
    if len(totals) > 1:
        raise ResponseFormatError(source, partition, f"{TOTAL_LABEL} row on more than one page", file=totals[1].file)
    if totals:
        check_total(
            [r for r, _ in records],
            totals[0].total,
            source=source,
            partition=partition,
            file=totals[0].file,
            tolerance=tolerance,
        )
    rows = [to_row(record, source=source, partition=partition, file=file) for record, file in records]
    if window is not None:
        for (_record, file), row in zip(records, rows, strict=True):
            month = row.period.replace(".", "")
            if not window[0] <= month <= window[1]:
                raise ResponseFormatError(
                    source,
                    partition,
                    f"a row for {row.period} ({row.country_code}) lies outside the requested "
                    f"months {window[0]}-{window[1]}",
                    file=file,
                )
    if keep_total and totals and window is not None and window[0] == window[1]:
        month = f"{window[0][:4]}.{window[0][4:]}"
        total = {**totals[0].total, "year": month, "statCd": TOTAL_LABEL, "statCdCntnKor1": TOTAL_LABEL}
        rows.append(to_row(total, source=source, partition=partition, file=totals[0].file))
    return rows


def check_pages(pages: Sequence[KcsPage], *, source: str, partition: str) -> None:
    """Several files of one call are pages of one response: the same totalCount, and their records (총계 included)
    add up to it. Anything else is two different responses for one month: an error naming both files."""
    if len(pages) < 2:
        return
    first = pages[0]
    for page in pages[1:]:
        if page.total_count != first.total_count:
            raise ResponseFormatError(
                source,
                partition,
                f"two responses for one month: {first.file} says totalCount "
                f"{first.total_count} and {page.file} says {page.total_count}; they are not pages of one response "
                "(load one of them)",
            )
    seen = sum(len(p.items) + (p.total is not None) for p in pages)
    if seen != first.total_count:
        raise ResponseFormatError(
            source,
            partition,
            f"the files {', '.join(p.file for p in pages)} hold {seen} records but their "
            f"totalCount is {first.total_count}: not the pages of one response",
        )


# --------------------------------------------------------------------------------------------------- network


def _service_key(partition: str) -> str:
    # The portal shows an "Encoding" key (already %-escaped) and a "Decoding" one; requests escapes once more,
    # so an escaped key is unescaped first.
    key = require_key(SOURCE_KEY, partition)
    return unquote(key) if re.search(r"%[0-9A-Fa-f]{2}", key) else key


def _landed_page(landed: Landed, source: str, partition: str) -> KcsPage:
    page = parse_page(
        landed.read_bytes(), source=source, partition=partition, file=str(landed.path), content_type=landed.content_type
    )
    check_result(page, source=source, partition=partition)
    return page


def _fetch(
    source: str,
    start_yymm: str,
    end_yymm: str,
    filters: dict[str, str],
    *,
    partition: str,
    fetcher: Fetcher | None,
    rows_per_page: int,
    tolerance: int,
    keep_total: bool = False,
) -> KcsResult:
    key = _service_key(partition)  # before any network: no key, no request
    fetcher = fetcher or Fetcher()
    url = f"{settings.kcs_base_url()}/{_PATHS[source]}"
    rows: list[KcsTradeRow] = []
    landed: list[Landed] = []
    for chunk_start, chunk_end in month_chunks(start_yymm, end_yymm):
        pages: list[KcsPage] = []
        page_no = 1
        while True:
            params = {"strtYymm": chunk_start, "endYymm": chunk_end, **filters}
            if source == ITEM_TRADE:
                # nitemtrade ignores numOfRows/pageNo and answers everything at once: asking for page 2 would
                # return the same records again.
                request = ApiRequest(source, partition, url, params, secret_params={"serviceKey": key})
                file, page = fetcher.fetch(request, lambda f: (f, _landed_page(f, source, partition)))
                landed.append(file)
                pages.append(page)
                break
            params.update({"numOfRows": str(rows_per_page), "pageNo": str(page_no)})
            request = ApiRequest(source, partition, url, params, secret_params={"serviceKey": key})
            file, page = fetcher.fetch(request, lambda f: (f, _landed_page(f, source, partition)))
            landed.append(file)
            pages.append(page)
            # totalCount counts the records of the whole call; stop at it, or at an empty/short page.
            seen = sum(len(p.items) + (p.total is not None) for p in pages)
            if seen >= page.total_count or len(page.items) + (page.total is not None) < rows_per_page:
                break
            page_no += 1
        rows += rows_from_pages(
            pages,
            source=source,
            partition=partition,
            tolerance=tolerance,
            window=(chunk_start, chunk_end),
            keep_total=keep_total,
        )
    return KcsResult(rows, landed)


def fetch_nation_trade(
    start_yymm: str,
    end_yymm: str,
    *,
    partition: str,
    country: str | None = None,
    fetcher: Fetcher | None = None,
    rows_per_page: int = DEFAULT_ROWS_PER_PAGE,
    tolerance: int = 1,
    keep_total: bool = False,
) -> KcsResult:
    """Korea's monthly trade by partner country (all countries unless `country`, ISO2), USD."""
    filters = {"cntyCd": country} if country else {}
    return _fetch(
        NATION_TRADE,
        start_yymm,
        end_yymm,
        filters,
        partition=partition,
        fetcher=fetcher,
        rows_per_page=rows_per_page,
        tolerance=tolerance,
        keep_total=keep_total,
    )


def fetch_item_trade(
    start_yymm: str,
    end_yymm: str,
    *,
    partition: str,
    country: str,
    hs_code: str | None = None,
    fetcher: Fetcher | None = None,
    rows_per_page: int = DEFAULT_ROWS_PER_PAGE,
    tolerance: int = 1,
) -> KcsResult:
    """Korea's monthly trade by HS item x partner country (`cntyCd` is documented as required), USD and kg.
    One call per chunk of at most 12 months: the endpoint ignores paging (`rows_per_page` is unused)."""
    filters = {"cntyCd": country, **({"hsSgn": hs_code} if hs_code else {})}
    return _fetch(
        ITEM_TRADE,
        start_yymm,
        end_yymm,
        filters,
        partition=partition,
        fetcher=fetcher,
        rows_per_page=rows_per_page,
        tolerance=tolerance,
    )


# --------------------------------------------------------------------------------------------------- item x country
#
# The full item matrix of a month is one call per partner (cntyCd), each answering every HSK-10 item of that
# partner in one body: nitemtrade ignores numOfRows/pageNo, so none are sent. Every call is landed under
# raw/landing/kcs_nitemtrade/<month>/; a call whose landed body is complete and OK is not made again, so an
# interrupted month resumes where it stopped. When every partner has landed, a marker file says the month is
# complete; only a complete month is loaded.

COMPLETE_MARKER = "month.complete.json"


def item_partners() -> list[str]:
    """The KCS/KOSIS partner codes (ISO2 plus KCS's own: `ZZ` others, ...), total `00` excluded; `NA` is Namibia."""
    path = settings.raw_dir() / "kosis_meta" / "DT_1R11006_FRM101_country_codes.csv"
    with path.open(encoding="utf-8", newline="") as file:
        return sorted({row["country_code"] for row in csv.DictReader(file)} - {"00"})


class CallBudget:
    """Calls made per UTC day against the development quota, kept beside the landed files (so every run of the
    day counts); a call over the budget is refused before it is made."""

    def __init__(self, root: Path, limit: int, today: str | None = None) -> None:
        self.path = root / f"{ITEM_TRADE}.calls.json"
        self.limit = limit
        self.today = today or datetime.now(UTC).date().isoformat()

    def used(self) -> int:
        if not self.path.exists():
            return 0
        return int(json.loads(self.path.read_text(encoding="utf-8")).get(self.today, 0))

    def spend(self) -> None:
        used = self.used()
        if used >= self.limit:
            raise ApiError(
                ITEM_TRADE,
                "-",
                f"the daily budget of {self.limit} calls is used up today ({self.today}); "
                "what landed is kept, and the next run resumes there",
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({self.today: used + 1}), encoding="utf-8")


@dataclass(frozen=True)
class ItemMonth:
    """The landed responses of one month, one per partner, and how many calls this run made."""

    month: str  # YYYY-MM
    landed: list[Landed]
    calls_made: int
    resumed: int  # partners whose landed response was reused


def _item_request(month: str, partner: str, key: str) -> ApiRequest:
    yymm = month.replace("-", "")
    return ApiRequest(
        ITEM_TRADE,
        month,
        f"{settings.kcs_base_url()}/{_PATHS[ITEM_TRADE]}",
        {"strtYymm": yymm, "endYymm": yymm, "cntyCd": partner},
        secret_params={"serviceKey": key},
    )


def _reusable(folder: Path, request: ApiRequest) -> Landed | None:
    """The landed response of this request if it is complete and OK (else None: fetch it again)."""
    sidecar_path = folder / f"{request.request_id}{SIDECAR_SUFFIX}"
    if not sidecar_path.exists():
        return None
    sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
    path = folder / sidecar["body_file"]
    if not path.exists() or hashlib.sha256(path.read_bytes()).hexdigest() != sidecar["sha256"]:
        return None
    landed = Landed(path, sidecar)
    try:
        _landed_page(landed, ITEM_TRADE, request.partition)
    except ApiError:
        return None
    return landed


def fetch_item_month(
    month: str,
    *,
    partners: Sequence[str] | None = None,
    fetcher: Fetcher | None = None,
    budget: CallBudget | None = None,
) -> ItemMonth:
    """Every partner's HSK-10 trade for one month (YYYY-MM), landed; calls already landed are not repeated."""
    key = _service_key(month)  # before any network: no key, no request
    fetcher = fetcher or Fetcher()
    budget = budget or CallBudget(fetcher.landing_root, settings.KCS_ITEM_DAILY_CALL_LIMIT)
    partners = list(partners if partners is not None else item_partners())
    folder = fetcher.landing_root / ITEM_TRADE / month
    landed, calls, resumed = [], 0, 0
    for partner in partners:
        request = _item_request(month, partner, key)
        found = _reusable(folder, request)
        if found is not None:
            landed.append(found)
            resumed += 1
            continue
        budget.spend()
        calls += 1
        file, _ = fetcher.fetch(request, lambda f: (f, _landed_page(f, ITEM_TRADE, month)))
        landed.append(file)
    (folder / COMPLETE_MARKER).write_text(json.dumps({"month": month, "partners": partners}), encoding="utf-8")
    return ItemMonth(month, landed, calls, resumed)


def landed_item_month(month: str, *, landing_root: Path | None = None) -> list[Landed]:
    """The landed responses of a complete month (for a replay without a key); a half-fetched month is refused."""
    root = landing_root or settings.landing_dir()
    folder = root / ITEM_TRADE / month
    marker = folder / COMPLETE_MARKER
    landed = landed_files(ITEM_TRADE, month, root)
    if not marker.exists():
        raise ApiError(
            ITEM_TRADE,
            month,
            f"only {len(landed)} partner response(s) landed and the month is not "
            f"complete; set {settings.KCS_SERVICE_KEY_ENV} to resume fetching it",
        )
    partners = json.loads(marker.read_text(encoding="utf-8"))["partners"]
    by_partner = {item.params.get("cntyCd"): item for item in landed}
    missing = [p for p in partners if p not in by_partner]
    if missing:
        raise ApiError(ITEM_TRADE, month, f"landed responses missing for partner(s) {missing[:10]}")
    return [by_partner[p] for p in partners]


def item_records(landed: Landed, month: str) -> tuple[list[dict[str, str]], dict[str, str] | None]:
    """The item records (text, as published) and the 총계 record of one landed response; errors (gateway shape,
    code 99, key codes) raise: they never become rows."""
    page = _landed_page(landed, ITEM_TRADE, month)
    return list(page.items), page.total


def _call_key(landed: Landed) -> tuple:
    # The files of one call differ only in pageNo; an inbox drop's files share their drop id.
    return tuple(sorted((k, v) for k, v in landed.params.items() if k != "pageNo"))


def latest_response(source: str, partition: str, *, landing_root: Path | None = None) -> list[Landed]:
    """The files of the partition's most recent load (one call's pages, or one inbox drop): a replay loads the
    state the publisher last reported, not the union of every response ever landed for the month."""
    calls: dict[tuple, list[Landed]] = {}
    for landed in landed_files(source, partition, landing_root):
        calls.setdefault(_call_key(landed), []).append(landed)
    return max(calls.values(), key=lambda files: max(f.sidecar.get("fetched_at", "") for f in files))


def rows_from_files(
    files: Sequence[tuple[str, bytes, str | None]],
    *,
    source: str,
    partition: str,
    window: tuple[str, str] | None = None,
    tolerance: int = 1,
    keep_total: bool = False,
) -> list[KcsTradeRow]:
    """Rows of one response given as files (name, body, content type): pages of one call or one inbox drop."""
    pages = []
    for name, body, content_type in files:
        page = parse_page(body, source=source, partition=partition, file=name, content_type=content_type)
        check_result(page, source=source, partition=partition)
        pages.append(page)
    return rows_from_pages(
        pages, source=source, partition=partition, tolerance=tolerance, window=window, keep_total=keep_total
    )


def replay(
    source: str,
    partition: str,
    *,
    landing_root: Path | None = None,
    tolerance: int = 1,
    window: tuple[str, str] | None = None,
    keep_total: bool = False,
) -> list[KcsTradeRow]:
    """Rows of a partition from its latest landed response alone (no network), with the same checks as a live
    load."""
    files = latest_response(source, partition, landing_root=landing_root)
    return rows_from_files(
        [(str(f.path), f.read_bytes(), f.content_type) for f in files],
        source=source,
        partition=partition,
        window=window,
        tolerance=tolerance,
        keep_total=keep_total,
    )


__all__ = [
    "ITEM_TRADE",
    "NATION_TRADE",
    "CallBudget",
    "KcsPage",
    "KcsResult",
    "KcsTradeRow",
    "TotalMismatchError",
    "check_pages",
    "check_result",
    "fetch_item_month",
    "fetch_item_trade",
    "fetch_nation_trade",
    "item_partners",
    "item_records",
    "landed_item_month",
    "latest_response",
    "month_chunks",
    "parse_page",
    "replay",
    "rows_from_files",
    "rows_from_pages",
]
