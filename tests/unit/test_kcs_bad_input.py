"""Bad input on the live KCS path, each failing with the file (or request) and the problem, loading nothing.

Bodies are SYNTHETIC except where they re-wrap the real sample; parsing runs on bytes, as a replay or an inbox
drop does (the HTTP path is covered in test_kcs_api.py)."""

import pytest

from dagster_project.sources import kcs_api
from dagster_project.sources.errors import ApiError, ResponseFormatError

from ..live_payloads import kcs_envelope

MONTH = "2023-12"


def records(yymm="202312", us_exports=1_000_000, total_exports=None):
    rows = [
        {
            "year": f"{yymm[:4]}.{yymm[4:]}",
            "statCd": code,
            "statCdCntnKor1": name,
            "expDlr": f"{exports:,}",
            "impDlr": "500,000",
            "balPayments": f"{exports - 500_000:,}",
        }
        for code, name, exports in (("US", "미국", us_exports), ("CN", "중국", 2_000_000))
    ]
    total = {
        "expDlr": f"{total_exports or us_exports + 2_000_000:,}",
        "impDlr": "1,000,000",
        "balPayments": f"{(total_exports or us_exports + 2_000_000) - 1_000_000:,}",
    }
    return [*rows, {"year": "총계", "statCd": "-", "statCdCntnKor1": "-", **total}]


def parse(*files):
    return kcs_api.rows_from_files(
        [(name, body, None) for name, body in files],
        source=kcs_api.NATION_TRADE,
        partition=MONTH,
        window=("202312", "202312"),
    )


def test_a_good_body_loads():
    rows = parse(("a.xml", kcs_envelope(records())))
    assert {(r.country_code, r.export_usd) for r in rows} == {("US", 1_000_000), ("CN", 2_000_000)}


def test_truncated_xml():
    body = kcs_envelope(records())
    with pytest.raises(ResponseFormatError, match=r"a\.xml: truncated or malformed XML"):
        parse(("a.xml", body[: len(body) // 2]))


def test_a_gateway_error_body_fails_and_is_never_read_as_zero():
    body = (
        b"<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>"
        b"<returnAuthMsg>LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR</returnAuthMsg>"
        b"<returnReasonCode>22</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>"
    )
    with pytest.raises(ApiError, match=r"a\.xml: KCS result code 22 .*LIMITED_NUMBER"):
        parse(("a.xml", body))


def test_a_total_row_that_disagrees_with_the_partners():
    with pytest.raises(
        kcs_api.TotalMismatchError,
        match=r"a\.xml: field expDlr: months sum to 3,000,000 but the "
        r"총계 row says 3,000,100",
    ):
        parse(("a.xml", kcs_envelope(records(total_exports=3_000_100))))


def test_a_month_outside_the_requested_window():
    with pytest.raises(
        ResponseFormatError,
        match=r"a\.xml: a row for 2023\.11 \(US\) lies outside the requested "
        r"months 202312-202312",
    ):
        parse(("a.xml", kcs_envelope(records(yymm="202311"))))


def test_two_files_for_one_month_with_different_total_counts_name_both():
    first = kcs_envelope(records())
    second = kcs_envelope(records(us_exports=1_088_888), total_count=4)
    with pytest.raises(
        ResponseFormatError,
        match=r"two responses for one month: a\.xml says totalCount 3 and "
        r"b\.xml says 4",
    ):
        parse(("a.xml", first), ("b.xml", second))


def test_two_whole_responses_with_the_same_total_count_are_not_pages_either():
    with pytest.raises(ResponseFormatError, match=r"a\.xml, b\.xml hold 6 records but their totalCount is 3"):
        parse(("a.xml", kcs_envelope(records())), ("b.xml", kcs_envelope(records(us_exports=1_088_888))))


def test_an_empty_body():
    with pytest.raises(ResponseFormatError, match=r"a\.xml: empty body"):
        parse(("a.xml", b"  \n"))


def test_a_body_neither_cp949_nor_utf8():
    body = kcs_envelope(records(), encoding="UTF-16", codec="utf-16")
    with pytest.raises(ResponseFormatError, match=r"a\.xml: body is neither valid UTF-8 nor CP949"):
        parse(("a.xml", body))
