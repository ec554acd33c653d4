"""KCS client against a local HTTP server: the real sample re-wrapped in the API envelope, paging, result codes,
retry/backoff (recorded, never slept), encodings, 총계 checks, landing and replay."""

from __future__ import annotations

import json
import socket

import pytest

from dagster_project import settings
from dagster_project.sources import kcs_api
from dagster_project.sources.errors import ApiError, NotConfiguredError, ResponseFormatError
from dagster_project.sources.fetch import Fetcher

from ..live_payloads import SECRET_KEY, Reply, kcs_envelope, kcs_error, real_kcs_records

ITEM_PATH = "/nitemtrade/getNitemtradeList"
NATION_PATH = "/nationtrade/getNationtradeList"
PARTITION = "2020"


def fetch_item(fetcher, **kwargs):
    return kcs_api.fetch_item_trade(
        "202001", "202012", partition=PARTITION, country="US", hs_code="3304", fetcher=fetcher, **kwargs
    )


def landed_paths(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_real_sample_in_cp949_envelope(live_env, fetcher, landing_root):
    body = kcs_envelope(real_kcs_records())  # EUC-KR declared, CP949 bytes, as the real service may send
    live_env.route(ITEM_PATH, Reply(body=body, content_type="text/xml"))

    result = fetch_item(fetcher)

    assert len(result.rows) == 12  # the 총계 row is not a fact
    january = result.rows[0]
    assert (january.period, january.country_code, january.hs_code) == ("2020.01", "US", "3304")
    assert january.country_name_ko == "미국"
    assert (january.export_usd, january.import_usd, january.balance_usd) == (29343051, 15515151, 13827900)
    assert (january.export_kg, january.import_kg) == (1317423, 433220)
    assert (january.value_unit, january.weight_unit) == ("USD", "kg")
    assert sum(r.export_usd for r in result.rows) == 483104485  # the real 총계 (weights differ by 1 kg: tolerated)

    # Landed byte-for-byte, with the request beside it; the key went on the wire only.
    assert result.landed[0].path.read_bytes() == body
    sidecar = json.loads(result.landed[0].path.with_suffix(".request.json").read_text())
    # nitemtrade ignores paging: no numOfRows/pageNo are sent (one call answers everything).
    assert sidecar["params"] == {"strtYymm": "202001", "endYymm": "202012", "cntyCd": "US", "hsSgn": "3304"}
    assert sidecar["secrets_removed"] == ["serviceKey"]
    assert live_env.hits(ITEM_PATH)[0].query["serviceKey"] == SECRET_KEY


def test_utf8_with_comma_numbers(live_env, fetcher):
    # Synthetic: the real records, with thousands separators, sent as UTF-8.
    records = real_kcs_records()
    for record in records:
        for field in ("expDlr", "impDlr", "balPayments", "expWgt", "impWgt"):
            record[field] = f"{int(record[field]):,}"
    assert records[0]["expDlr"] == "29,343,051"
    live_env.route(ITEM_PATH, Reply(body=kcs_envelope(records, encoding="UTF-8", codec="utf-8")))

    rows = fetch_item(fetcher).rows

    assert rows[0].export_usd == 29343051
    assert rows[0].item_name_ko.startswith("미용이나 메이크업용")


@pytest.mark.parametrize(
    ("declared", "content_type"),
    [(None, "text/xml; charset=EUC-KR"), (None, "text/xml"), ("UTF-8", "text/xml; charset=UTF-8")],
    ids=["http-charset", "no-label-falls-back-to-cp949", "mislabelled-utf8-falls-back-to-cp949"],
)
def test_cp949_detected_without_or_despite_labels(live_env, fetcher, declared, content_type):
    body = kcs_envelope(real_kcs_records(), encoding=declared, codec="cp949")
    live_env.route(ITEM_PATH, Reply(body=body, content_type=content_type))

    assert fetch_item(fetcher).rows[0].country_name_ko == "미국"


def test_total_mismatch_names_source_partition_and_field(live_env, fetcher):
    records = real_kcs_records()  # synthetic variant: one month's imports raised by 5 USD
    records[3]["impDlr"] = str(int(records[3]["impDlr"]) + 5)
    live_env.route(ITEM_PATH, Reply(body=kcs_envelope(records)))

    with pytest.raises(kcs_api.TotalMismatchError) as error:
        fetch_item(fetcher)

    message = str(error.value)
    assert "kcs_nitemtrade" in message and "partition 2020" in message and "field impDlr" in message
    assert "203,660,174" in message and "203,660,169" in message


def test_paging_reads_three_pages_until_total_count(live_env, fetcher, landing_root):
    # nationtrade pages; the real item records stand in for its records (served 5 + 5 + 3).
    records = real_kcs_records()

    def page(query):
        number, size = int(query["pageNo"]), int(query["numOfRows"])
        return Reply(body=kcs_envelope(records[(number - 1) * size : number * size], total_count=13))

    live_env.route(NATION_PATH, page)

    result = kcs_api.fetch_nation_trade("202001", "202012", partition=PARTITION, fetcher=fetcher, rows_per_page=5)

    assert [hit.query["pageNo"] for hit in live_env.hits(NATION_PATH)] == ["1", "2", "3"]
    assert [r.period for r in result.rows] == [f"2020.{m:02d}" for m in range(1, 13)]
    assert len(landed_paths(landing_root)) == 6  # 3 bodies + 3 sidecars
    # The same rows come back from the landed files alone, with the 총계 check across pages.
    live_env.route(NATION_PATH, Reply(500))
    replayed = kcs_api.replay(kcs_api.NATION_TRADE, PARTITION, landing_root=landing_root)
    assert replayed == result.rows


def test_item_trade_sends_no_paging_and_calls_once(live_env, fetcher):
    # nitemtrade ignores numOfRows/pageNo: a client that paged would read the same records twice.
    live_env.route(ITEM_PATH, Reply(body=kcs_envelope(real_kcs_records(), total_count=13)))

    rows = fetch_item(fetcher, rows_per_page=5).rows

    [hit] = live_env.hits(ITEM_PATH)
    assert "pageNo" not in hit.query and "numOfRows" not in hit.query
    assert len(rows) == 12


def test_ranges_over_twelve_months_are_split(live_env, fetcher):
    live_env.route(NATION_PATH, Reply(body=kcs_envelope([], total_count=0)))

    kcs_api.fetch_nation_trade("202305", "202510", partition="2023-2025", fetcher=fetcher)

    assert [(h.query["strtYymm"], h.query["endYymm"]) for h in live_env.hits(NATION_PATH)] == [
        ("202305", "202404"),
        ("202405", "202504"),
        ("202505", "202510"),
    ]
    assert "cntyCd" not in live_env.hits(NATION_PATH)[0].query


def test_nation_trade_keeps_namibia_and_has_no_weights(live_env, fetcher):
    # Synthetic by-country records: Namibia's code is the string NA.
    records = [
        {
            "year": "2024.01",
            "statCd": "NA",
            "statCdCntnKor1": "나미비아",
            "expDlr": "1,000",
            "impDlr": "250",
            "balPayments": "750",
        }
    ]
    live_env.route(NATION_PATH, Reply(body=kcs_envelope(records, encoding="UTF-8", codec="utf-8")))

    (row,) = kcs_api.fetch_nation_trade("202401", "202401", partition="2024-01", fetcher=fetcher).rows

    assert (row.country_code, row.export_usd, row.balance_usd) == ("NA", 1000, 750)
    assert row.hs_code is None and row.export_kg is None


def test_http_500_then_200_is_retried_with_backoff(live_env, fetcher, sleeps, landing_root):
    good = kcs_envelope(real_kcs_records())
    live_env.route(ITEM_PATH, Reply(500, b"busy"), Reply(503, b"busy"), Reply(body=good))

    assert len(fetch_item(fetcher).rows) == 12
    assert sleeps == [1.0, 2.0]  # exponential: initial, 2 x initial
    assert [p.read_bytes() for p in landing_root.rglob("*.xml")] == [good]  # error bodies are not landed


def test_gives_up_after_max_attempts(live_env, fetcher, sleeps):
    live_env.route(ITEM_PATH, Reply(500, b"down"))

    with pytest.raises(ApiError, match=r"HTTP 500 .*gave up after 3 attempts"):
        fetch_item(fetcher)
    assert sleeps == [1.0, 2.0]
    assert len(live_env.hits(ITEM_PATH)) == 3


def test_backoff_is_capped(live_env, landing_root):
    recorded: list[float] = []
    fetcher = Fetcher(
        landing_root=landing_root, sleep=recorded.append, max_attempts=6, backoff_initial=2.0, backoff_max=10.0
    )
    live_env.route(ITEM_PATH, Reply(502))

    with pytest.raises(ApiError):
        fetch_item(fetcher)
    assert recorded == [2.0, 4.0, 8.0, 10.0, 10.0]


def test_timeout_is_retried(live_env, landing_root, sleeps):
    fetcher = Fetcher(landing_root=landing_root, sleep=sleeps.append, max_attempts=3, backoff_initial=1.0, timeout=0.2)
    live_env.route(ITEM_PATH, Reply(body=b"late", delay=1.0), Reply(body=kcs_envelope(real_kcs_records())))

    assert len(fetch_item(fetcher).rows) == 12
    assert sleeps == [1.0]


def test_quota_code_22_is_retried(live_env, fetcher, sleeps):
    live_env.route(
        ITEM_PATH,
        Reply(body=kcs_error("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR")),
        Reply(body=kcs_envelope(real_kcs_records())),
    )

    assert len(fetch_item(fetcher).rows) == 12
    assert sleeps == [1.0]


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        ("30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR", "KCS_SERVICE_KEY"),
        ("31", "DEADLINE_HAS_EXPIRED_ERROR", "key expired"),
        ("10", "INVALID_REQUEST_PARAMETER_ERROR", "invalid request parameter"),
    ],
)
def test_key_and_parameter_errors_fail_at_once(live_env, fetcher, sleeps, code, message, expected):
    live_env.route(ITEM_PATH, Reply(body=kcs_error(code, message)))

    with pytest.raises(ApiError) as error:
        fetch_item(fetcher)

    assert error.value.code == code and expected in str(error.value) and message in str(error.value)
    assert sleeps == [] and len(live_env.hits(ITEM_PATH)) == 1


def test_portal_gateway_error_envelope(live_env, fetcher, sleeps):
    # Synthetic: data.go.kr answers key problems with its own envelope, not <response>.
    body = (
        b"<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>"
        b"<returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg>"
        b"<returnReasonCode>30</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>"
    )
    live_env.route(ITEM_PATH, Reply(body=body))

    with pytest.raises(ApiError, match="key not registered") as error:
        fetch_item(fetcher)
    assert error.value.code == "30" and sleeps == []


def test_truncated_xml_names_the_landed_file(live_env, fetcher, landing_root):
    body = kcs_envelope(real_kcs_records())
    live_env.route(ITEM_PATH, Reply(body=body[: len(body) // 2]))

    with pytest.raises(ResponseFormatError, match="truncated or malformed XML") as error:
        fetch_item(fetcher)

    (landed,) = landing_root.rglob("*.xml")
    assert error.value.file == str(landed) and str(landed) in str(error.value)
    assert landed.read_bytes() == body[: len(body) // 2]


def test_relanding_the_same_request_replaces_its_files(live_env, fetcher, landing_root):
    first = kcs_envelope(real_kcs_records(), message="FIRST")
    second = kcs_envelope(real_kcs_records(), message="SECOND")
    live_env.route(ITEM_PATH, Reply(body=first), Reply(body=second))

    fetch_item(fetcher)
    files_after_first = landed_paths(landing_root)
    fetch_item(fetcher)

    assert landed_paths(landing_root) == files_after_first and len(files_after_first) == 2
    (body_file,) = landing_root.rglob("*.xml")
    assert body_file.read_bytes() == second
    assert not list(landing_root.rglob("*.tmp"))


def test_without_a_key_nothing_is_requested(live_env, fetcher, monkeypatch):
    monkeypatch.delenv(settings.KCS_SERVICE_KEY_ENV)
    live_env.route(ITEM_PATH, Reply(body=kcs_envelope(real_kcs_records())))

    assert settings.source_configured("kcs") is False
    with pytest.raises(NotConfiguredError, match="KCS_SERVICE_KEY is not set"):
        fetch_item(fetcher)
    assert live_env.seen == []


def test_percent_encoded_key_is_sent_decoded(live_env, fetcher, monkeypatch):
    # The portal's "Encoding" key is the same key, already escaped; sending it as is would double-escape it.
    monkeypatch.setenv(settings.KCS_SERVICE_KEY_ENV, "SyNtHeTiC%2BtEsT%2FkEy0123456789%3D%3D")
    live_env.route(ITEM_PATH, Reply(body=kcs_envelope(real_kcs_records())))

    fetch_item(fetcher)
    assert live_env.hits(ITEM_PATH)[0].query["serviceKey"] == SECRET_KEY


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_key_never_reaches_files_messages_or_logs(live_env, fetcher, landing_root, caplog, monkeypatch):
    caplog.set_level("DEBUG")  # urllib3 logs every request URL at DEBUG
    forms = [SECRET_KEY, "SyNtHeTiC%2BtEsT%2FkEy0123456789%3D%3D"]
    messages = []
    # Synthetic: a server that echoes the key in its body, and a retry before success.
    echo = kcs_envelope(real_kcs_records(), message=f"hello {SECRET_KEY}")
    live_env.route(ITEM_PATH, Reply(500), Reply(body=echo))
    (landed,) = fetch_item(fetcher).landed
    assert "hello ***" in landed.path.read_bytes().decode("cp949") and landed.sidecar["key_masked_in_body"]
    for reply in (Reply(body=kcs_error("30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR")), Reply(500)):
        live_env.route(ITEM_PATH, reply)
        with pytest.raises(ApiError) as error:
            fetch_item(fetcher)
        messages.append(str(error.value))
    monkeypatch.setenv(settings.KCS_BASE_URL_ENV, f"http://127.0.0.1:{_free_port()}")  # connection refused
    with pytest.raises(ApiError, match="ConnectionError") as error:
        fetch_item(fetcher)
    messages.append(str(error.value))
    assert error.value.__cause__ is None and error.value.__suppress_context__

    assert any(SECRET_KEY in hit.query.get("serviceKey", "") for hit in live_env.seen)  # it was sent
    assert "serviceKey" in caplog.text  # urllib3's request lines were captured, masked
    texts = {"log": caplog.text, **{f"message {i}": m for i, m in enumerate(messages)}}
    texts.update({str(p): p.read_bytes().decode("cp949", "replace") for p in landed_paths(landing_root)})
    for where, text in texts.items():
        for form in forms:
            assert form not in text, f"key found in {where}"


def test_a_namespaced_envelope_reads_as_the_plain_one():
    """The parser matches the gateway's tags by local name: a default namespace changes nothing read."""
    plain = kcs_envelope(real_kcs_records(), encoding="UTF-8", codec="utf-8")
    namespaced = plain.replace(b"<response>", b'<response xmlns="urn:example:kcs">', 1)
    pages = [
        kcs_api.parse_page(body, source=kcs_api.ITEM_TRADE, partition="2024-01", file="a.xml")
        for body in (plain, namespaced)
    ]
    assert pages[0] == pages[1]
    assert len(pages[0].items) == 12 and pages[0].total is not None and pages[0].total_count == 13


def test_a_document_type_declaration_is_refused_before_parsing():
    body = kcs_envelope(real_kcs_records(), encoding="UTF-8", codec="utf-8").replace(
        b"<response>", b'<!DOCTYPE response [<!ENTITY a "x">]><response>', 1
    )
    with pytest.raises(ResponseFormatError, match=r"a\.xml: entity declarations"):
        kcs_api.parse_page(body, source=kcs_api.ITEM_TRADE, partition="2024-01", file="a.xml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,234", 1234), ("-5", -5), ("", None), ("-", None), ("9223372036854775807", 2**63 - 1)],
)
def test_numbers_as_published(text, expected):
    context = ApiError(kcs_api.NATION_TRADE, "2024-03", "context", file="x.xml")
    assert kcs_api.parse_number(text, field="expDlr", error=context) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [("12x", "is not a whole number"), ("9,223,372,036,854,775,808", "is beyond the 64-bit range")],
)
def test_a_number_the_warehouse_cannot_hold_fails_naming_file_and_field(text, problem):
    context = ApiError(kcs_api.NATION_TRADE, "2024-03", "context", file="x.xml")
    with pytest.raises(ResponseFormatError, match=f"x.xml.*field expDlr {problem}: '{text}'"):
        kcs_api.parse_number(text, field="expDlr", error=context)
