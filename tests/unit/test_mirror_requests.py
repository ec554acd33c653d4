"""The partner-reported side of the mirror: the requests the Comtrade and IMF clients send for every reporter's
trade with Korea (bodies are the shipped IMF sample and a SYNTHETIC Comtrade envelope)."""

from dagster_project.sources import comtrade_api, imf_api

from ..live_payloads import IMF_SAMPLE_XML, Reply


def test_comtrade_every_reporter_with_korea_omits_the_reporter(live_env, fetcher):
    live_env.route(
        "/data/v1/get/C/A/HS",
        Reply(body=b'{"elapsedTime": "0 secs", "count": 0, "data": [], "error": ""}', content_type="application/json"),
    )
    comtrade_api.fetch_final_data(
        ["2023"], partition="2023", reporter_code=None, partner_codes=["410"], fetcher=fetcher
    )
    (hit,) = live_env.hits("/data/v1/get/C/A/HS")
    assert "reporterCode" not in hit.query and hit.query["partnerCode"] == "410"


def test_imf_every_country_with_korea_is_a_wildcard_key(live_env, fetcher):
    path = "/data/dataflow/IMF.STA/IMTS/+/*.XG_FOB_USD+MG_CIF_USD.KOR.A"
    live_env.route(path, Reply(body=IMF_SAMPLE_XML.read_bytes(), content_type="application/xml"))
    result = imf_api.fetch_imts(
        partition="2023", countries=(), counterparts=("KOR",), start="2023-01-01", end="2023-12-31", fetcher=fetcher
    )
    assert len(live_env.hits(path)) == 1
    assert {row.country for row in result.rows} == {"USA"}  # the body says who reported, whatever was asked
