"""KOSIS, UN Comtrade and IMF clients against the local HTTP server: parsing, units, errors, landing, replay."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from dagster_project import settings
from dagster_project.sources import comtrade_api, imf_api, kosis_api
from dagster_project.sources.errors import ApiError, NotConfiguredError, ResponseFormatError

from ..live_payloads import IMF_SAMPLE_XML, SECRET_KEY, Reply, kosis_usa_2024_row

KOSIS_PATH = "/Param/statisticsParameterData.do"
COMTRADE_PATH = "/data/v1/get/C/A/HS"
IMF_PATH = "/data/dataflow/IMF.STA/IMTS/+/USA.XG_FOB_USD.G001+G998.A"


# --------------------------------------------------------------------------------------------------- KOSIS


def test_kosis_real_row_in_thousand_usd(live_env, fetcher, landing_root):
    # The real row plus a synthetic Namibia row whose value KOSIS shows as "-".
    namibia = {**kosis_usa_2024_row(), "C1": "13102103829E.NA", "C1_NM": "나미비아", "DT": "-"}
    body = json.dumps([kosis_usa_2024_row(), namibia], ensure_ascii=False).encode()
    live_env.route(KOSIS_PATH, Reply(body=body, content_type="application/json;charset=UTF-8"))

    result = kosis_api.fetch_trade_by_country(
        "Y", "2024", "2024", partition="2024", countries=["US", "NA"], fetcher=fetcher
    )

    usa, nam = result.rows
    assert (usa.country_code, usa.period, usa.value, usa.value_unit) == ("US", "2024", 127761371, "thousand USD")
    assert (nam.country_code, nam.value) == ("NA", None)
    (hit,) = live_env.hits(KOSIS_PATH)
    assert hit.query["apiKey"] == SECRET_KEY  # sent escaped, arrives intact despite its + / =
    # KOSIS lists are `A+B+`; the test server decodes `+` to a space like KOSIS does.
    assert hit.query["objL1"] == "13102103829E.US 13102103829E.NA "
    assert hit.query["tblId"] == "DT_1R11006_FRM101" and hit.query["jsonVD"] == "Y"
    assert "apiKey" not in result.landed[0].sidecar["url"]
    assert kosis_api.replay("2024", landing_root=landing_root) == result.rows


@pytest.mark.parametrize("value", ["12x", "1.5", "99999999999999999999"])
def test_a_kosis_value_that_is_not_a_64_bit_whole_number_fails_naming_its_row(live_env, fetcher, value):
    body = json.dumps([{**kosis_usa_2024_row(), "DT": value}], ensure_ascii=False).encode()
    live_env.route(KOSIS_PATH, Reply(body=body, content_type="application/json;charset=UTF-8"))

    with pytest.raises(ResponseFormatError, match=f"row 1: DT is not a whole number of thousand USD: '{value}'"):
        kosis_api.fetch_trade_by_country("Y", "2024", "2024", partition="2024", countries=["US"], fetcher=fetcher)


@pytest.mark.parametrize(
    ("body", "retried", "expected"),
    [
        ({"err": "11", "errMsg": "인증키 기간 만료"}, False, "KOSIS_API_KEY"),
        ({"err": "20", "errMsg": "필수요청변수값이 누락되었습니다."}, False, "mandatory parameter missing"),
        ({"err": "40", "errMsg": "호출가능건수 제한"}, True, "gave up after 3 attempts"),
    ],
)
def test_kosis_error_objects(live_env, fetcher, sleeps, body, retried, expected):
    # Synthetic KOSIS error objects.
    live_env.route(KOSIS_PATH, Reply(body=json.dumps(body, ensure_ascii=False).encode()))

    with pytest.raises(ApiError, match=expected):
        kosis_api.fetch_trade_by_country("M", "202401", "202412", partition="2024", fetcher=fetcher)
    assert (sleeps == [1.0, 2.0]) is retried


def test_kosis_unit_change_is_an_error(live_env, fetcher):
    body = json.dumps([{**kosis_usa_2024_row(), "UNIT_NM": "백만달러"}]).encode()  # synthetic unit change
    live_env.route(KOSIS_PATH, Reply(body=body))

    with pytest.raises(ResponseFormatError, match="unit '백만달러'"):
        kosis_api.fetch_trade_by_country("Y", "2024", "2024", partition="2024", fetcher=fetcher)


# --------------------------------------------------------------------------------------------------- Comtrade

# Synthetic Comtrade body in the v1 envelope; the first record's values are the package notebook's example row.
COMTRADE_BODY = b"""{"elapsedTime": "0.1 secs", "count": 2, "error": "", "data": [
 {"typeCode": "C", "freqCode": "M", "refYear": 2022, "refMonth": 5, "period": "202205", "reporterCode": 36,
  "reporterISO": "AUS", "flowCode": "M", "partnerCode": 0, "partnerISO": "W00", "partner2Code": 0,
  "classificationCode": "H6", "cmdCode": "91", "customsCode": "C00", "motCode": 0, "qtyUnitAbbr": "N/A",
  "qty": 0, "netWgt": 0, "cifvalue": 6.735023e+07, "fobvalue": 6.642208e+07, "primaryValue": 6.735023e+07,
  "isReported": false, "isAggregate": true},
 {"typeCode": "C", "freqCode": "A", "refYear": 2023, "refMonth": 52, "period": "2023", "reporterCode": 410,
  "reporterISO": "KOR", "flowCode": "X", "partnerCode": 156, "partnerISO": "CHN", "partner2Code": 0,
  "classificationCode": "H6", "cmdCode": "01", "customsCode": "C00", "motCode": 0, "qtyUnitAbbr": "kg",
  "qty": 1234.5, "netWgt": 1234.5, "cifvalue": null, "fobvalue": 98765.43, "primaryValue": 98765.43,
  "isReported": true, "isAggregate": true}]}"""


def test_comtrade_final_data(live_env, fetcher, landing_root):
    live_env.route(COMTRADE_PATH, Reply(body=COMTRADE_BODY, content_type="application/json"))

    result = comtrade_api.fetch_final_data(
        ["2023"], partition="2023", partner_codes=["156"], cmd_codes=["01"], fetcher=fetcher
    )

    aus, kor = result.rows
    assert aus.primary_value == Decimal("67350230") and aus.partner_code == "0"
    assert (kor.reporter_code, kor.partner_code, kor.cmd_code, kor.flow_code) == ("410", "156", "01", "X")
    assert kor.primary_value == Decimal("98765.43") and kor.value_unit == "USD"
    (hit,) = live_env.hits(COMTRADE_PATH)
    assert hit.headers["Ocp-Apim-Subscription-Key"] == SECRET_KEY
    assert hit.query["reporterCode"] == "410" and hit.query["period"] == "2023"
    sidecar = result.landed[0].sidecar
    assert sidecar["secrets_removed"] == ["Ocp-Apim-Subscription-Key"] and SECRET_KEY not in json.dumps(sidecar)


def test_comtrade_capped_result_and_rate_limit(live_env, fetcher, sleeps):
    live_env.route(
        COMTRADE_PATH,
        Reply(429, b'{"statusCode": 429, "message": "Rate limit is exceeded"}'),
        Reply(body=COMTRADE_BODY),
    )

    with pytest.raises(ApiError, match="maxRecords cap"):
        comtrade_api.fetch_final_data(["2023"], partition="2023", max_records=2, fetcher=fetcher)
    assert sleeps == [1.0]


def test_comtrade_refused_key_fails_at_once(live_env, fetcher, sleeps):
    live_env.route(
        COMTRADE_PATH, Reply(401, b'{"statusCode": 401, "message": "Access denied due to invalid subscription key."}')
    )

    with pytest.raises(ApiError, match="HTTP 401") as error:
        comtrade_api.fetch_final_data(["2023"], partition="2023", fetcher=fetcher)
    assert sleeps == [] and SECRET_KEY not in str(error.value)


# --------------------------------------------------------------------------------------------------- IMF


def test_imf_sample_values_are_usd_not_scaled(live_env, fetcher, landing_root):
    body = IMF_SAMPLE_XML.read_bytes()
    live_env.route(IMF_PATH, Reply(body=body, content_type="application/xml"))

    result = imf_api.fetch_imts(
        partition="USA-2023-2024",
        countries=["USA"],
        indicators=["XG_FOB_USD"],
        counterparts=["G001", "G998"],
        start="2023-01-01",
        end="2026-01-01",
        fetcher=fetcher,
    )

    world_2023 = result.rows[0]
    assert (world_2023.country, world_2023.counterpart_country, world_2023.time_period) == ("USA", "G001", "2023")
    assert world_2023.value == Decimal("2019551635133")  # US$2.02 tn: SCALE="6" is not applied
    assert (world_2023.unit, world_2023.scale) == ("USD", "6")
    assert [r.value for r in result.rows[1:]] == [
        Decimal("2065411250609"),
        Decimal("369756760426"),
        Decimal("371064529410"),
    ]
    (hit,) = live_env.hits(IMF_PATH)
    assert hit.query["c[TIME_PERIOD]"] == "ge:2023-01-01 le:2026-01-01"  # sent as `ge:..+le:..`, as recorded
    assert hit.headers["Accept"] == "application/xml"
    assert result.landed[0].path.read_bytes() == body
    assert imf_api.replay("USA-2023-2024", landing_root=landing_root) == result.rows


def test_imf_csv_body(live_env, fetcher):
    # Synthetic SDMX-CSV body with the appendix C columns.
    body = (
        b"STRUCTURE,STRUCTURE_ID,ACTION,COUNTRY,INDICATOR,COUNTERPART_COUNTRY,FREQUENCY,TIME_PERIOD,OBS_VALUE\n"
        b"dataflow,IMF.STA:IMTS(1.0.0),I,KOR,XG_FOB_USD,CHN,A,2024,132902972288\n"
    )
    live_env.route("/data/dataflow/IMF.STA/IMTS/+/KOR.XG_FOB_USD.CHN.A", Reply(body=body, content_type="text/csv"))

    (row,) = imf_api.fetch_imts(
        partition="KOR-2024", indicators=["XG_FOB_USD"], counterparts=["CHN"], fmt="csv", fetcher=fetcher
    ).rows
    assert (row.counterpart_country, row.value, row.unit) == ("CHN", Decimal("132902972288"), "USD")


def test_imf_truncated_xml_names_the_landed_file(live_env, fetcher, landing_root):
    body = IMF_SAMPLE_XML.read_bytes()
    live_env.route(IMF_PATH, Reply(body=body[:1500]))

    with pytest.raises(ResponseFormatError, match="truncated or malformed XML") as error:
        imf_api.fetch_imts(
            partition="USA",
            countries=["USA"],
            indicators=["XG_FOB_USD"],
            counterparts=["G001", "G998"],
            fetcher=fetcher,
        )
    assert str(next(landing_root.rglob("*.xml"))) in str(error.value)


# --------------------------------------------------------------------------------------------------- configuration


def test_configured_follows_the_keys(monkeypatch, live_env):
    monkeypatch.delenv(settings.IMF_LIVE_ENV, raising=False)
    assert not settings.source_configured("imf")  # keyless, so live only on request
    monkeypatch.setenv(settings.IMF_LIVE_ENV, "1")
    assert all(settings.source_configured(s) for s in ("kcs", "kosis", "comtrade", "imf"))
    for env in (settings.KOSIS_API_KEY_ENV, settings.COMTRADE_SUBSCRIPTION_KEY_ENV):
        monkeypatch.setenv(env, "   ")  # blank counts as unset
    assert not settings.source_configured("kosis") and not settings.source_configured("comtrade")
    assert settings.source_configured("imf")  # needs no key, only the opt-in
    with pytest.raises(NotConfiguredError, match="COMTRADE_SUBSCRIPTION_KEY"):
        comtrade_api.fetch_final_data(["2023"], partition="2023")
    with pytest.raises(NotConfiguredError, match="KOSIS_API_KEY"):
        kosis_api.fetch_trade_by_country("Y", "2024", "2024", partition="2024")
    assert live_env.seen == []


def test_base_urls_are_read_at_call_time(monkeypatch):
    monkeypatch.delenv(settings.IMF_BASE_URL_ENV, raising=False)
    assert settings.imf_base_url() == settings.DEFAULT_IMF_BASE_URL
    monkeypatch.setenv(settings.IMF_BASE_URL_ENV, "http://127.0.0.1:9/sdmx/")
    assert settings.imf_base_url() == "http://127.0.0.1:9/sdmx"


@pytest.mark.parametrize("value", ['"12x"', "NaN", "Infinity", "true", '"-Infinity"'])
def test_a_comtrade_figure_that_is_not_a_number_fails_naming_file_record_and_field(live_env, fetcher, value):
    """json reads NaN and Infinity; Decimal reads 'Infinity': neither may load as a figure."""
    body = COMTRADE_BODY.replace(b'"primaryValue": 98765.43', f'"primaryValue": {value}'.encode())
    assert body != COMTRADE_BODY
    live_env.route(COMTRADE_PATH, Reply(body=body, content_type="application/json"))

    with pytest.raises(ResponseFormatError, match=r"\.json.*record 2: primaryValue is not a number"):
        comtrade_api.fetch_final_data(
            ["2023"], partition="2023", partner_codes=["156"], cmd_codes=["01"], fetcher=fetcher
        )


@pytest.mark.parametrize("value", ["Infinity", "-inf", "sNaN", "12x"])
def test_an_imf_value_that_is_not_a_number_fails(live_env, fetcher, value):
    body = (
        b"STRUCTURE,STRUCTURE_ID,ACTION,COUNTRY,INDICATOR,COUNTERPART_COUNTRY,FREQUENCY,TIME_PERIOD,OBS_VALUE\n"
        b"dataflow,IMF.STA:IMTS(1.0.0),I,KOR,XG_FOB_USD,CHN,A,2024," + value.encode() + b"\n"
    )
    live_env.route("/data/dataflow/IMF.STA/IMTS/+/KOR.XG_FOB_USD.CHN.A", Reply(body=body, content_type="text/csv"))

    with pytest.raises(ResponseFormatError, match=f"OBS_VALUE '{value}' is not a number"):
        imf_api.fetch_imts(
            partition="KOR-2024", indicators=["XG_FOB_USD"], counterparts=["CHN"], fmt="csv", fetcher=fetcher
        )
