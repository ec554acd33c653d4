"""The KCS item-by-country month (nitemtrade) against a local HTTP server on 127.0.0.1: one call per partner and
no paging, the 총계 row, gateway errors and code 99 that fail (never load $0), quota code 22 retried, resume after an
interruption, the daily call budget, and the DuckDB-native vintage load. Figures are synthetic (made up for the
tests), except the one real record of the shipped sample."""

from __future__ import annotations

import json

import duckdb
import pytest

from dagster_project.sources import kcs_api
from dagster_project.sources.fetch import ApiError
from dagster_project.warehouse import item_load

from ..live_payloads import SECRET_KEY, Reply, kcs_error, kcs_item_record, kcs_item_response, real_kcs_records

ITEM_PATH = "/nitemtrade/getNitemtradeList"
MONTH = "2024-03"
PARTNERS = ["CN", "NA", "US"]
GATEWAY_ERROR = (
    b"<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>"
    b"<returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg>"
    b"<returnReasonCode>30</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>"
)


def month_records(month: str = MONTH) -> dict[str, list[dict[str, str]]]:
    return {
        "CN": [
            kcs_item_record(month, "CN", "2811111000", 40, 900, 1, 30),
            kcs_item_record(month, "CN", "8542321010", 7000, 2500, 2, 1),
        ],
        "NA": [kcs_item_record(month, "NA", "2612100000", 0, 300, 0, 1000)],  # Namibia, not a missing code
        "US": [
            kcs_item_record(month, "US", "2811111000", 5, 60, 0, 2),
            kcs_item_record(month, "US", "8542321010", 900, 1100, 1, 1),
        ],
    }


def serve(records: dict[str, list[dict[str, str]]], special: dict[str, Reply] | None = None):
    special = special or {}

    def reply(query):
        partner = query.get("cntyCd")
        if not partner and not query.get("hsSgn"):
            return Reply(body=kcs_error("99", "UNKNOWN_ERROR"))
        if partner in special:
            return special[partner]
        return Reply(body=kcs_item_response(records.get(partner, [])))

    return reply


def fetch(fetcher, partners=PARTNERS, budget=None, month=MONTH):
    return kcs_api.fetch_item_month(month, partners=partners, fetcher=fetcher, budget=budget)


def load(path, landed, month=MONTH, load_id="run-1"):
    with duckdb.connect(str(path)) as con:
        return item_load.append_item_month(con, "raw", landed, month=month, load_id=load_id)


def query(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_month_is_one_call_per_partner_without_paging(live_env, fetcher, tmp_path):
    live_env.route(ITEM_PATH, serve(month_records()))

    month = fetch(fetcher)
    result, quarantined = load(tmp_path / "w.duckdb", month.landed)

    hits = live_env.hits(ITEM_PATH)
    assert sorted(hit.query["cntyCd"] for hit in hits) == PARTNERS and month.calls_made == 3
    assert all("pageNo" not in hit.query and "numOfRows" not in hit.query for hit in hits)
    assert all((hit.query["strtYymm"], hit.query["endYymm"]) == ("202403", "202403") for hit in hits)
    assert (result.row_count, quarantined, result.appended) == (5, 0, True)
    # The 총계 rows are not facts; Namibia stays NA; codes keep their text.
    rows = query(
        tmp_path / "w.duckdb",
        """select country_code, hs_code, import_usd, balance_usd, import_kg, value_unit
                                            from raw.kcs_trade_by_item_country order by 1, 2""",
    )
    assert rows[2] == ("NA", "2612100000", 300, -300, 1000, "USD")
    assert "-" not in {r[0] for r in rows} and "-" not in {r[1] for r in rows}
    # Σ per partner = the 총계 row the server sent (the server computed it from its own records).
    for partner, records in month_records().items():
        (total,) = query(
            tmp_path / "w.duckdb",
            f"select sum(import_usd) from raw.kcs_trade_by_item_country where country_code = '{partner}'",
        )[0]
        assert total == sum(int(r["impDlr"]) for r in records)


def test_without_partner_or_item_the_endpoint_answers_99_and_it_fails_at_once(live_env, fetcher, sleeps):
    live_env.route(ITEM_PATH, serve(month_records()))

    with pytest.raises(ApiError, match="99") as error:
        kcs_api.fetch_item_trade("202403", "202403", partition=MONTH, country="", fetcher=fetcher)

    assert error.value.code == "99" and "hsSgn or cntyCd" in str(error.value)
    assert sleeps == [] and len(live_env.hits(ITEM_PATH)) == 1


def test_gateway_error_fails_the_month_and_loads_nothing(live_env, fetcher, sleeps, landing_root):
    live_env.route(ITEM_PATH, serve(month_records(), {"NA": Reply(body=GATEWAY_ERROR)}))

    with pytest.raises(ApiError, match="key not registered") as error:
        fetch(fetcher)

    assert error.value.code == "30" and sleeps == []
    assert not (landing_root / kcs_api.ITEM_TRADE / MONTH / kcs_api.COMPLETE_MARKER).exists()
    with pytest.raises(ApiError, match="not complete"):
        kcs_api.landed_item_month(MONTH, landing_root=landing_root)


def test_quota_code_22_is_retried(live_env, fetcher, sleeps, tmp_path):
    replies = [
        Reply(body=kcs_error("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR")),
        Reply(body=kcs_item_response(month_records()["US"])),
    ]
    live_env.route(ITEM_PATH, lambda query: replies.pop(0) if len(replies) > 1 else replies[0])

    month = fetch(fetcher, partners=["US"])

    assert sleeps == [1.0] and len(live_env.hits(ITEM_PATH)) == 2
    assert load(tmp_path / "w.duckdb", month.landed)[0].row_count == 2


def test_an_interrupted_month_resumes_where_it_stopped(live_env, fetcher, landing_root, tmp_path):
    live_env.route(ITEM_PATH, serve(month_records(), {"NA": Reply(503)}))
    with pytest.raises(ApiError, match="HTTP 503"):
        fetch(fetcher)
    assert [hit.query["cntyCd"] for hit in live_env.hits(ITEM_PATH)] == ["CN", "NA", "NA", "NA"]

    live_env.seen.clear()
    live_env.route(ITEM_PATH, serve(month_records()))
    month = fetch(fetcher)

    assert [hit.query["cntyCd"] for hit in live_env.hits(ITEM_PATH)] == ["NA", "US"]  # CN is not asked again
    assert (month.calls_made, month.resumed) == (2, 1)
    # The complete month replays offline, with the same rows.
    replayed = kcs_api.landed_item_month(MONTH, landing_root=landing_root)
    assert [item.path for item in replayed] == [item.path for item in month.landed]
    assert load(tmp_path / "w.duckdb", replayed)[0].row_count == 5


def test_the_daily_call_budget_stops_before_the_quota_and_the_next_day_resumes(live_env, fetcher, landing_root):
    live_env.route(ITEM_PATH, serve(month_records()))
    with pytest.raises(ApiError, match="daily budget of 2 calls"):
        fetch(fetcher, budget=kcs_api.CallBudget(landing_root, 2, today="2026-01-01"))
    assert len(live_env.hits(ITEM_PATH)) == 2

    month = fetch(fetcher, budget=kcs_api.CallBudget(landing_root, 2, today="2026-01-02"))

    assert (month.calls_made, month.resumed, len(live_env.hits(ITEM_PATH))) == (1, 2, 3)


def test_total_row_mismatch_fails_the_load_naming_the_file(live_env, fetcher, tmp_path):
    body = kcs_item_response(month_records()["US"], total={"impDlr": "1100"})  # records sum to 1160
    live_env.route(ITEM_PATH, serve(month_records(), {"US": Reply(body=body)}))
    month = fetch(fetcher)

    with pytest.raises(kcs_api.TotalMismatchError, match="field impDlr: records sum to 1,160") as error:
        load(tmp_path / "w.duckdb", month.landed)

    assert error.value.file.endswith(".xml") and "2024-03" in error.value.file
    assert query(
        tmp_path / "w.duckdb",
        "select count(*) from information_schema.tables where table_name = 'kcs_trade_by_item_country'",
    ) == [(0,)]


def test_a_non_numeric_amount_fails_naming_file_record_and_field(live_env, fetcher, tmp_path):
    records = month_records()
    records["CN"][1] = {**records["CN"][1], "impDlr": "12x"}
    body = kcs_item_response(records["CN"], total={"impDlr": "3400"})
    live_env.route(ITEM_PATH, serve(records, {"CN": Reply(body=body)}))
    month = fetch(fetcher)

    with pytest.raises(item_load.ItemLoadError, match="record 2, field impDlr: '12x' is not a whole number"):
        load(tmp_path / "w.duckdb", month.landed)


def test_an_amount_beyond_the_64_bit_range_fails_naming_file_record_and_field(live_env, fetcher, tmp_path):
    """It matched the whole-number check and became NULL in the BIGINT cast: a figure lost without an error."""
    records = month_records()
    records["CN"][1] = {**records["CN"][1], "expDlr": "99999999999999999999"}
    body = kcs_item_response(records["CN"], total={"expDlr": "40"})  # the other records' sum: NULL passed it
    live_env.route(ITEM_PATH, serve(records, {"CN": Reply(body=body)}))
    month = fetch(fetcher)

    with pytest.raises(
        item_load.ItemLoadError,
        match="record 2, field expDlr: '99999999999999999999' is a whole number beyond the 64-bit range",
    ):
        load(tmp_path / "w.duckdb", month.landed)


def test_rule_breakers_are_quarantined_and_the_rest_loads(live_env, fetcher, tmp_path):
    # The real record of the shipped sample (KOR-US 2020-01, asked for HS 3304: a 4-digit code), beside synthetic ones.
    real = dict(real_kcs_records()[0])
    synthetic = kcs_item_record("2020-01", "US", "8542321010", 10, 4, balPayments="7")  # 10 - 4 is not 7
    good = kcs_item_record("2020-01", "US", "2811111000", 3, 9)
    live_env.route(ITEM_PATH, serve({}, {"US": Reply(body=kcs_item_response([real, synthetic, good]))}))
    month = fetch(fetcher, partners=["US"], month="2020-01")

    result, quarantined = load(tmp_path / "w.duckdb", month.landed, month="2020-01")

    assert (result.row_count, quarantined) == (1, 2)
    rows = query(
        tmp_path / "w.duckdb",
        """select _row_number, column_name, value, reason from raw.quarantine
                                            order by _row_number""",
    )
    assert rows == [
        (1, "hsCd", "3304", "HSK code is not 10 digits"),
        (2, "balPayments", "7", "balPayments is not expDlr - impDlr"),
    ]
    [landed] = month.landed
    assert query(tmp_path / "w.duckdb", "select distinct _source_file, _file_sha256 from raw.quarantine") == [
        (str(landed.path), landed.sidecar["sha256"])
    ]


def test_vintages_unchanged_reload_adds_nothing_and_a_revision_supersedes_the_month(live_env, fetcher, tmp_path):
    path = tmp_path / "w.duckdb"
    live_env.route(ITEM_PATH, serve(month_records()))
    first = load(path, fetch(fetcher).landed)[0]
    again = load(path, kcs_api.landed_item_month(MONTH, landing_root=fetcher.landing_root), load_id="run-2")[0]
    assert first.appended and not again.appended

    revised = month_records()
    revised["US"][1] = kcs_item_record(MONTH, "US", "8542321010", 900, 1150, 1, 1)  # KCS revises the month
    live_env.route(ITEM_PATH, serve(revised))
    # A new fetch: drop the month's landings so every partner is asked again.
    for file in (fetcher.landing_root / kcs_api.ITEM_TRADE / MONTH).iterdir():
        file.unlink()
    third = load(path, fetch(fetcher).landed, load_id="run-3")[0]

    assert third.appended and third.content_sha256 != first.content_sha256
    assert query(
        path,
        """select _load_id, count(*), sum(import_usd) from raw.kcs_trade_by_item_country
                          group by 1 order by 1""",
    ) == [("run-1", 5, 4860), ("run-3", 5, 4910)]
    # the same log as every live source: two new vintages; the unchanged reload is not logged
    assert query(
        path,
        """select status, row_count, source_label from raw.load_vintages
                          where source_table = 'kcs_trade_by_item_country' order by _loaded_at""",
    ) == [("new", 5, "kcs_nitemtrade"), ("new", 5, "kcs_nitemtrade")]


def test_an_empty_month_after_figures_is_logged_empty_and_keeps_the_figures(live_env, fetcher, tmp_path):
    path = tmp_path / "w.duckdb"
    live_env.route(ITEM_PATH, serve(month_records()))
    load(path, fetch(fetcher).landed)
    empty = load(path, [], load_id="run-2")[0]
    assert (empty.status, empty.previous_row_count) == ("empty", 5)
    assert query(path, "select status from raw.load_vintages order by _loaded_at") == [("new",), ("empty",)]
    assert query(path, "select count(*) from raw.kcs_trade_by_item_country") == [(5,)]


def test_the_key_reaches_no_file_log_or_table(live_env, fetcher, landing_root, tmp_path, caplog):
    caplog.set_level("DEBUG")
    live_env.route(ITEM_PATH, serve(month_records(), {"US": Reply(body=GATEWAY_ERROR)}))
    with pytest.raises(ApiError) as error:
        fetch(fetcher)
    live_env.route(ITEM_PATH, serve(month_records()))
    month = fetch(fetcher)
    load(tmp_path / "w.duckdb", month.landed)

    assert all(hit.query["serviceKey"] == SECRET_KEY for hit in live_env.hits(ITEM_PATH))  # it was sent
    texts = {"log": caplog.text, "error": str(error.value)}
    texts.update({str(p): p.read_bytes().decode("cp949", "replace") for p in landing_root.rglob("*") if p.is_file()})
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        texts["table"] = json.dumps(con.execute("select * from raw.kcs_trade_by_item_country").fetchall(), default=str)
        texts["quarantine"] = json.dumps(con.execute("select * from raw.quarantine").fetchall(), default=str)
    forms = [SECRET_KEY, "SyNtHeTiC%2BtEsT%2FkEy0123456789%3D%3D", "SyNtHeTiC+tEsT"]
    for where, text in texts.items():
        assert not any(form in text for form in forms), where


def test_partner_list_is_the_kcs_code_list_with_namibia_and_without_the_total():
    partners = kcs_api.item_partners()
    assert "NA" in partners and "00" not in partners and "US" in partners
    assert len(partners) == len(set(partners)) > 200


def test_entity_expansion_is_refused(live_env, fetcher):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<response><header><resultCode>00</resultCode></header><body><items><item><statKor>&b;</statKor>"
        b"</item></items><totalCount>1</totalCount></body></response>"
    )
    live_env.route(ITEM_PATH, Reply(body=bomb))

    with pytest.raises(ApiError, match="entity declarations"):
        fetch(fetcher, partners=["US"])
