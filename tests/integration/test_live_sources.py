"""The live monthly sources end to end against a real HTTP server on 127.0.0.1: partitions, a year's backfill,
re-runs, revisions, the schedule and the inbox sensor. All payloads here are SYNTHETIC (generated below), in
the KCS and KOSIS wire formats; no figure in them is a real statistic."""

import json
import shutil
import subprocess
from datetime import datetime

import dagster as dg
import duckdb
import pytest

from dagster_project import settings
from dagster_project.sources import kcs_api

from ..live_payloads import SECRET_KEY, Reply, kcs_envelope, kcs_item_record, kcs_item_response
from .conftest import (
    PARSED_FROM_SCRATCH,
    PARTIAL_PARSE_USED,
    dbt_run_log,
    environment,
    query,
    served_path_for,
    table_contents,
)
from .kcs_december_2023 import december_2023_records

KCS_PATH = "/nationtrade/getNationtradeList"
ITEM_PATH = "/nitemtrade/getNitemtradeList"
KOSIS_PATH = "/Param/statisticsParameterData.do"
PARTNERS = {"US": "미국", "CN": "중국", "NA": "나미비아"}  # NA is Namibia


def synthetic_kcs_month(yymm: str, *, us_bump: int = 0) -> list[dict[str, str]]:
    """SYNTHETIC nationtrade records for one month, numbers with thousands separators, and a consistent 총계 row.
    `us_bump` raises the US's exports."""
    month = int(yymm[4:])
    records = []
    for rank, (code, name) in enumerate(PARTNERS.items(), start=1):
        exports = 1_000_000 * rank + month * 1_000 + (us_bump if code == "US" else 0)
        imports = 700_000 * rank + month * 900
        records.append(
            {
                "year": f"{yymm[:4]}.{yymm[4:]}",
                "statCd": code,
                "statCdCntnKor1": name,
                "expDlr": f"{exports:,}",
                "impDlr": f"{imports:,}",
                "balPayments": f"{exports - imports:,}",
            }
        )
    total = {
        field: f"{sum(int(r[field].replace(',', '')) for r in records):,}"
        for field in ("expDlr", "impDlr", "balPayments")
    }
    return [*records, {"year": "총계", "statCd": "-", "statCdCntnKor1": "-", **total}]


def synthetic_kosis_month(yymm: str) -> bytes:
    """SYNTHETIC KOSIS getList rows (thousand USD) for one month."""
    rows = [
        {
            "ORG_ID": "360",
            "TBL_ID": "DT_1R11006_FRM101",
            "ITM_ID": item,
            "ITM_NM": name,
            "C1": f"13102103829E.{code}",
            "C1_NM": code,
            "PRD_SE": "M",
            "PRD_DE": yymm,
            "UNIT_NM": "천달러",
            "DT": str(value),
            "LST_CHN_DE": "2026-01-16",
        }
        for code, base in (("CN", 11_000_000), ("NA", 1_000))
        for item, name, value in (("13103103829T1", "수출액", base), ("13103103829T2", "수입액", base // 2))
    ]
    return json.dumps(rows, ensure_ascii=False).encode()


def synthetic_kcs_items(query_string) -> Reply:
    """SYNTHETIC nitemtrade records: imports of two HSK-10 items from China, Japan and Namibia only; every other
    partner's response is the 총계 row alone."""
    partner, yymm = query_string["cntyCd"], query_string["strtYymm"]
    month = f"{yymm[:4]}-{yymm[4:]}"
    if partner not in ("CN", "JP", "NA"):
        return Reply(body=kcs_item_response([]))
    records = [
        kcs_item_record(month, partner, "2811111000", 10, 100 * (1 + ["CN", "JP", "NA"].index(partner))),
        kcs_item_record(month, partner, "3801100000", 5, 7),
    ]
    return Reply(body=kcs_item_response(records))


@pytest.fixture
def live_server(live_env):
    us_bumps: dict[str, int] = {}

    def kcs(q):
        month = q["strtYymm"]
        if month == "202312":  # agrees with the shipped 2023 figures (kcs_december_2023)
            return Reply(body=kcs_envelope(december_2023_records(us_bump=us_bumps.get(month, 0))))
        return Reply(body=kcs_envelope(synthetic_kcs_month(month, us_bump=us_bumps.get(month, 0))))

    live_env.route(KCS_PATH, kcs)
    live_env.route(
        KOSIS_PATH,
        lambda q: Reply(body=synthetic_kosis_month(q["startPrdDe"]), content_type="application/json;charset=UTF-8"),
    )
    live_env.us_bumps = us_bumps  # a test sets a month's US bump to make KCS revise that month
    return live_env


MONTHLY_MARTS = ["marts.fct_monthly_trade", "marts.fct_trade_revisions"]
VOLATILE = {
    "marts.fct_monthly_trade": ("vintage_loaded_at", "dbt_invocation_id"),
    "marts.fct_trade_revisions": ("first_loaded_at", "latest_loaded_at"),
}


def usd(text: str) -> int:
    return int(text.replace(",", ""))


def item_vintage(result, month: str = "2023-12") -> str:
    """What a run's KCS item asset recorded for the month: `new`, `unchanged`, ..."""
    [materialization] = result.asset_materializations_for_node("raw__kcs_trade_by_item_country")
    return materialization.metadata["partitions"].data[month]["vintage"]


@pytest.mark.runs(4)
def test_a_month_end_to_end_then_repulled_unchanged_revised_and_superseded_offline(
    live_server, warehouse_copy, raw_copy, run_job, definitions, landing_root, monkeypatch
):
    """One month's life, each step a real gated run of its partition (one story, not several tests: each step starts
    from the state the one before left, and each run is a whole `dbt build`):
    1. the first pull of December 2023, by country and (KCS_ITEMS_LIVE=1) by item, reaches the monthly, bilateral,
       share, crossover, totals and item marts and is served;
    2. the same figures pulled again write no vintage of either and leave the marts identical;
    3. KCS revising the month adds a vintage, and the revision is served;
    4. without a key, a revised response saved into the inbox starts a run (the sensor), supersedes it again offline
       and leaves the inbox, and the landed item month replays without a request.
    December 2023 because its US and China figures must agree with the shipped year (kcs_december_2023). (An empty
    re-pull: the backfill test.)"""
    monkeypatch.setenv(settings.RAW_DIR_ENV, str(raw_copy))
    monkeypatch.setenv(settings.KCS_ITEMS_LIVE_ENV, "1")
    live_server.route(ITEM_PATH, synthetic_kcs_items)
    served = served_path_for(warehouse_copy)
    sent = {r["statCd"]: r for r in december_2023_records()}

    # 1. End to end
    result = run_job("refresh_monthly", warehouse_copy, raw_copy, partition_key="2023-12")
    assert result.success
    rows = query(
        warehouse_copy,
        """select partner_code, partner_iso3, export_usd, import_usd, reported_balance_usd
        from marts.fct_monthly_trade where source = 'kcs_api' and partner_code_category = 'country'
        and period_start = date '2023-12-01' order by partner_code""",
    )
    assert [r[0] for r in rows] == sorted(PARTNERS)  # ZZ (unallocated) is not a country
    for code, _iso3, exports, imports, balance in rows:
        record = sent[code]
        assert (int(exports), int(imports), int(balance)) == tuple(
            usd(record[f]) for f in ("expDlr", "impDlr", "balPayments")
        )
    assert {r[0]: r[1] for r in rows}["NA"] == "NAM"
    [(kosis_cn,)] = query(
        warehouse_copy,
        """select export_usd from marts.fct_monthly_trade
        where source = 'kosis_monthly_api' and partner_code = 'CN' and period_start = date '2023-12-01'""",
    )
    assert int(kosis_cn) == 11_000_000 * 1000  # thousand USD -> USD
    # landed byte-for-byte with the request, never the key
    landed = list(landing_root.rglob("*"))
    assert any(path.name.endswith(".xml") for path in landed)
    for path in landed:
        if path.is_file():
            assert SECRET_KEY.encode() not in path.read_bytes() and b"SyNtHeTiC" not in path.read_bytes()
    # Served: KCS lists every partner, so the whole month is KCS's (ECOS's December rows give way)
    rows = query(
        served,
        """select partner_iso3, export_usd, import_usd, balance_usd, reported_balance_usd, source,
        partner_coverage from marts.fct_bilateral_trade where period_grain = 'month'
        and period_start = date '2023-12-01' order by partner_iso3""",
    )
    assert [r[0] for r in rows] == ["CHN", "NAM", "USA"]
    for iso3, code in (("CHN", "CN"), ("NAM", "NA"), ("USA", "US")):
        row = next(r for r in rows if r[0] == iso3)
        assert (int(row[1]), int(row[2]), int(row[4])) == (
            usd(sent[code]["expDlr"]),
            usd(sent[code]["impDlr"]),
            usd(sent[code]["balPayments"]),
        )
        assert row[5:] == ("kcs_api", "all_partners")
    ranks = query(
        served,
        """select partner_iso3, export_rank, rank_basis from marts.fct_partner_shares
        where period_grain = 'month' and period_start = date '2023-12-01' order by export_rank""",
    )
    assert ranks == [("USA", 1, "all_partners"), ("CHN", 2, "all_partners"), ("NAM", 3, "all_partners")]
    [(above, below, source)] = query(
        served,
        """select value_above_usd, value_below_usd, source_above
        from marts.fct_partner_crossovers where flow = 'export' and period_grain = 'month'
        and period_start = date '2023-12-01' and partner_above = 'USA' and partner_below = 'CHN'""",
    )
    assert (int(above), int(below), source) == (usd(sent["US"]["expDlr"]), usd(sent["CN"]["expDlr"]), "kcs_api")
    # The month's totals are the 총계 row itself (read back from raw), and ZZ is booked as unallocated, not a country
    [(raw_total_exports, raw_total_imports)] = query(
        served,
        """select export_usd, import_usd
        from raw.kcs_trade_by_country where country_code = '총계' and _partition = '2023-12'""",
    )
    [(reported_x, reported_m, partners_x, coded_x, coverage)] = query(
        served,
        """select reported_export_usd,
        reported_import_usd, partner_export_usd, unallocated_coded_export_usd, partner_coverage
        from marts.fct_trade_totals where period_grain = 'month' and period_start = date '2023-12-01'""",
    )
    assert (int(reported_x), int(reported_m)) == (raw_total_exports, raw_total_imports)
    assert int(partners_x) + int(coded_x) == raw_total_exports == usd(sent["-"]["expDlr"])
    assert int(coded_x) == usd(sent["ZZ"]["expDlr"]) and coverage == "all_partners"
    # By item: one call per partner (no paging), Namibia included, and through to the item marts, where Namibia is
    # NAM, not a missing partner: 100 + 200 + 300 of hydrogen fluoride
    item_hits = live_server.hits(ITEM_PATH)
    partners = {hit.query["cntyCd"] for hit in item_hits}
    assert len(item_hits) == len(partners) > 200 and "NA" in partners
    assert query(
        warehouse_copy,
        "select country_code, sum(import_usd) from raw.kcs_trade_by_item_country group by 1 order by 1",
    ) == [("CN", 107), ("JP", 207), ("NA", 307)]
    assert query(
        served,
        """select top_supplier_key, top_supplier_share, supplier_count
        from marts.fct_item_import_dependence where source = 'kcs_nitemtrade' and product_level = 'hsk10'
        and product_code = '2811111000' and period_grain = 'month' and period_start = '2023-12-01'""",
    ) == [("NAM", 300 / 600, 3)]

    # 2. The same month pulled again: no new vintage, the same marts
    before = {table: table_contents(warehouse_copy, table, VOLATILE[table]) for table in MONTHLY_MARTS}
    vintages = query(warehouse_copy, "select count(*) from raw.kcs_trade_by_country")
    again = run_job("refresh_monthly", warehouse_copy, raw_copy, partition_key="2023-12")
    assert again.success
    after = {table: table_contents(warehouse_copy, table, VOLATILE[table]) for table in MONTHLY_MARTS}
    assert after == before
    assert query(warehouse_copy, "select count(*) from raw.kcs_trade_by_country") == vintages  # no new vintage
    assert item_vintage(again) == "unchanged"
    # dbt started from the first run's parse (same work file, same candidate path, same profile), not from scratch
    log = dbt_run_log(again.run_id)
    assert PARSED_FROM_SCRATCH not in log and PARTIAL_PARSE_USED in log, log[:2000]
    # ... and kept its debug log in dbt's text format (JSON only on the stdout dagster-dbt reads)
    lines = log.splitlines()
    assert not any(line.startswith("{") for line in lines) and any("[debug]" in line for line in lines), log[:300]

    # 3. KCS revises December: US exports +88,888 (its 총계 row moves with it); the month is one new vintage
    live_server.us_bumps["202312"] = 88_888
    assert run_job("refresh_monthly", warehouse_copy, raw_copy, partition_key="2023-12").success
    revisions = query(
        served,
        """select partner_code, vintage_count, first_export_usd, latest_export_usd,
        export_revision_usd, import_revision_usd from marts.fct_trade_revisions where source = 'kcs_api'
        and period_start = date '2023-12-01' and partner_code in ('CN', 'NA', 'US') order by partner_code""",
    )
    first = {code: usd(sent[code]["expDlr"]) for code in PARTNERS}
    assert [(code, count, int(f), int(rev), int(imp)) for code, count, f, _, rev, imp in revisions] == [
        (code, 2, first[code], 88_888 if code == "US" else 0, 0) for code in sorted(PARTNERS)
    ]
    assert query(
        served,
        """select export_usd from marts.fct_monthly_trade where source = 'kcs_api'
        and partner_code = 'US' and period_start = date '2023-12-01'""",
    ) == [(first["US"] + 88_888,)]

    # 4. Without a key, a revised response saved into the inbox (CP949, as the portal serves it) starts a run of its
    # month (the inbox sensor), supersedes the revision offline (the earlier landing is not replayed with it), and
    # leaves the inbox once loaded; the landed item month replays without a request.
    monkeypatch.delenv(settings.KCS_SERVICE_KEY_ENV)
    drop = settings.inbox_dir() / kcs_api.NATION_TRADE / "2023-12" / "revised.xml"
    drop.parent.mkdir(parents=True)
    drop.write_bytes(kcs_envelope(december_2023_records(us_bump=100_000)))
    sensor = definitions.resolve_sensor_def("inbox_sensor")
    [request] = list(sensor(dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral())))
    assert request.partition_key == "2023-12"
    kcs_calls = len(live_server.hits(KCS_PATH)) + len(live_server.hits(ITEM_PATH))
    offline = run_job("refresh_monthly", warehouse_copy, raw_copy, partition_key=request.partition_key)
    assert offline.success and not drop.exists()
    assert len(live_server.hits(KCS_PATH)) + len(live_server.hits(ITEM_PATH)) == kcs_calls  # no KCS request
    assert list(sensor(dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral()))) == []
    assert query(
        served,
        """select partner_code, export_usd from marts.fct_monthly_trade where source = 'kcs_api'
        and period_start = date '2023-12-01' and partner_code_category = 'country' order by 1""",
    ) == [
        (r["statCd"], usd(r["expDlr"]))
        for r in sorted(december_2023_records(us_bump=100_000)[:-1], key=lambda r: r["statCd"])
        if r["statCd"] != "ZZ"
    ]
    [(count, revision)] = query(
        served,
        """select vintage_count, export_revision_usd from marts.fct_trade_revisions
        where source = 'kcs_api' and partner_code = 'US' and period_start = date '2023-12-01'""",
    )
    assert (count, int(revision)) == (3, 100_000)
    assert item_vintage(offline) == "unchanged"
    assert query(warehouse_copy, "select count(distinct _load_id) from raw.kcs_trade_by_item_country") == [(1,)]


def kcs_month_rows(warehouse, month: str):
    """KCS's rows of one month in fct_monthly_trade, without the columns a rebuild rewrites."""
    return query(
        warehouse,
        f"""select * exclude ({", ".join(VOLATILE["marts.fct_monthly_trade"])}) from marts.fct_monthly_trade
        where source = 'kcs_api' and period_start = date '{month}' order by all""",
    )


@pytest.mark.runs(2)
def test_a_year_backfill_in_one_run_then_one_month_incrementally(live_server, warehouse_copy, run_job, tmp_path):
    """A year's backfill is one run (one KCS call per month); then a month's refresh whose re-pull comes back empty
    is recorded as such and keeps the month's figures, rewrites the month whose raw data changed and leaves the
    others as they were, and the incremental table equals a full refresh of the same raw data."""
    # 2024: the shipped annual file ends in 2023, so synthetic months cannot contradict it
    assert run_job("refresh_monthly", warehouse_copy, partition_range=("2024-01", "2024-12")).success
    assert query(
        warehouse_copy,
        """select count(distinct period_start) from marts.fct_monthly_trade
        where source = 'kcs_api' and year(period_start) = 2024""",
    ) == [(12,)]
    assert len(live_server.hits(KCS_PATH)) == 12  # one call per month, each within the 12-month limit
    written_by = dict(
        query(
            warehouse_copy,
            """select distinct strftime(period_start, '%Y-%m'), dbt_invocation_id
        from marts.fct_monthly_trade where source = 'kcs_api'""",
        )
    )
    # A new vintage of January arrives straight into raw (as another tool or a replay might write it) ...
    # (US and Namibia revised by +777 USD, China dropped, the 총계 row consistent with them, as KCS would send it) ...
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute("""create temp table vintage as select * replace (export_usd + 777 as export_usd,
                balance_usd + 777 as balance_usd, current_timestamp::timestamp as _loaded_at,
                'straight-into-raw' as _load_id)
            from raw.kcs_trade_by_country where _partition = '2024-01' and country_code not in ('CN', '총계')""")
        con.execute("""insert into vintage by name select any_value(period) as period, '총계' as country_code,
                '총계' as country_name_ko, sum(export_usd) as export_usd, sum(import_usd) as import_usd,
                sum(balance_usd) as balance_usd, any_value(_partition) as _partition,
                any_value(_source_label) as _source_label, any_value(_loaded_at) as _loaded_at,
                any_value(_load_id) as _load_id from vintage""")
        con.execute("insert into raw.kcs_trade_by_country by name select * from vintage")
    # ... and only March is refreshed, and KCS's re-pull comes back empty (code 03).
    march = kcs_month_rows(warehouse_copy, "2024-03-01")
    live_server.route(KCS_PATH, lambda q: Reply(body=kcs_envelope([], code="03", message="NODATA_ERROR")))
    assert run_job("refresh_monthly", warehouse_copy, partition_key="2024-03").success
    assert query(
        warehouse_copy,
        """select status, row_count from raw.load_vintages where source_table = 'kcs_trade_by_country'
        and partition = '2024-03' order by _loaded_at desc limit 1""",
    ) == [("empty", 0)]
    assert kcs_month_rows(warehouse_copy, "2024-03-01") == march  # the month keeps its figures
    incremental = table_contents(warehouse_copy, "marts.fct_monthly_trade", VOLATILE["marts.fct_monthly_trade"])
    after = dict(
        query(
            warehouse_copy,
            """select distinct strftime(period_start, '%Y-%m'), dbt_invocation_id
        from marts.fct_monthly_trade where source = 'kcs_api'""",
        )
    )
    # not rewritten: every month but January, March included (its empty re-pull changed no figure)
    untouched = sorted(set(written_by) - {"2024-01"})
    assert len(untouched) == 11 and all(after[month] == written_by[month] for month in untouched)
    assert after["2024-01"] != written_by["2024-01"]  # its new vintage was picked up
    # The same raw data through a full refresh gives the same table, row for row.
    full = tmp_path / "full.duckdb"
    shutil.copy(warehouse_copy, full)
    with environment(WAREHOUSE_PATH=str(full)):
        subprocess.run(
            [
                settings.DBT_EXECUTABLE,
                "build",
                "--full-refresh",
                "--select",
                "fct_monthly_trade",
                "--target-path",
                str(tmp_path / "target"),
                "--quiet",
            ],
            cwd=settings.DBT_PROJECT_DIR,
            check=True,
        )
    assert table_contents(full, "marts.fct_monthly_trade", VOLATILE["marts.fct_monthly_trade"]) == incremental
    # January's latest vintage has no China row: the month is replaced as a whole.
    assert query(
        warehouse_copy,
        """select partner_code from marts.fct_monthly_trade where source = 'kcs_api'
        and period_start = date '2024-01-01' and partner_code_category = 'country' order by 1""",
    ) == [("NA",), ("US",)]


def test_the_schedule_repulls_the_previous_two_months(definitions):
    schedule = definitions.resolve_schedule_def("monthly_refresh_schedule")
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2024, 4, 16, 6, 0), repository_def=definitions.get_repository_def()
    )
    # one run over both months: one dbt build, one publish
    [request] = schedule.evaluate_tick(context).run_requests
    assert (request.tags["dagster/asset_partition_range_start"], request.tags["dagster/asset_partition_range_end"]) == (
        "2024-02",
        "2024-03",
    )
