"""The yearly live sources into the country-level mirror mart, through the real `refresh_yearly` job against a
server on 127.0.0.1, and the yearly schedule.

What the shipped IMF sample gives: it is the real IMTS response for USA-reported exports to World (G001) and G998,
2023-2024 (tests/fixtures/live/README.md). It has **no Korea counterpart**, so it cannot make a mirror pair on its
own. The test serves it, byte for byte, inside the partner-reported answer, and adds SYNTHETIC series in the same
SDMX shape for the Korea counterparts (USA's exports to and imports from KOR, and one Korea-reported IMF figure).
Every synthetic figure is labelled SYNTHETIC below; Korea's side of each pair is the real KOSIS figure, read here
straight from the shipped CSV.
"""

import csv
from datetime import datetime
from decimal import Decimal

import dagster as dg
import pytest

from dagster_project import settings

from ..live_payloads import IMF_SAMPLE_XML, Reply
from .conftest import query, served_path_for, step_failure_messages

IMF_PREFIX = "/data/dataflow/IMF.STA/IMTS/+/"
KOREA_REPORTED_PATH = IMF_PREFIX + "KOR.XG_FOB_USD+MG_CIF_USD.*.A"
PARTNER_REPORTED_PATH = IMF_PREFIX + "*.XG_FOB_USD+MG_CIF_USD.KOR.A"

# SYNTHETIC figures (USD), not statistics: chosen to give one pair inside and one outside the 25 % line.
SYNTHETIC_USA_EXPORTS_TO_KOR_2023 = 61_234_567_890
SYNTHETIC_USA_IMPORTS_FROM_KOR_2023 = 198_765_432_109
SYNTHETIC_KOR_IMPORTS_FROM_USA_2023_IMF = 71_300_000_000  # loses to KOSIS on precedence
# The IMF DOTS convention (a uniform 10 % CIF/FOB margin) and the project's 25 % flag line.
CIF_FOB_FACTOR = Decimal("1.10")
THRESHOLD = Decimal("0.25")


def synthetic_series(country: str, indicator: str, counterpart: str, value: int, year: str = "2023") -> str:
    return (
        f'<Series COUNTRY="{country}" INDICATOR="{indicator}" COUNTERPART_COUNTRY="{counterpart}" '
        f'FREQUENCY="A" OVERLAP="OL" SCALE="6"><Obs OBS_VALUE="{value}" DERIVATION_TYPE="M" '
        f'TIME_PERIOD="{year}"/></Series>'
    )


def imf_body(series: list[str], *, keep_sample_series: bool) -> bytes:
    """The real sample's SDMX message, with its own two series kept or removed, plus SYNTHETIC series (marked by
    an XML comment inside the body)."""
    text = IMF_SAMPLE_XML.read_text(encoding="utf-8")
    head, rest = text.split("<Series ", 1)
    sample_series = "<Series " + rest[: rest.rindex("</Series>")] + "</Series>"
    tail = text[text.rindex("</message:DataSet>") :]
    imports_group = (
        '<Group INDICATOR="MG_CIF_USD" ns1:type="GROUP_INDICATOR"><Comp id="UNIT"><Value>USD</Value></Comp></Group>'
    )
    added = "<!-- SYNTHETIC series added by the test, not statistics -->" + imports_group + "".join(series)
    return (head + (sample_series if keep_sample_series else "") + added + tail).encode("utf-8")


def kosis_2023(partner: str) -> tuple[Decimal, Decimal]:
    """Korea's exports to and imports from a partner in 2023 (USD), straight from the shipped KOSIS file."""
    with open(settings.DEFAULT_RAW_DIR / "kosis_kdiplo/trade_data.csv", encoding="utf-8", newline="") as handle:
        (row,) = [r for r in csv.DictReader(handle) if r["iso3c"] == partner and r["year"] == "2023"]
    return Decimal(row["export_kosis"]), Decimal(row["import_kosis"])


@pytest.fixture
def imf_server(live_env, monkeypatch):
    monkeypatch.setenv(settings.IMF_LIVE_ENV, "1")
    monkeypatch.delenv(settings.COMTRADE_SUBSCRIPTION_KEY_ENV, raising=False)  # this test is about IMF
    state = {"usa_exports": SYNTHETIC_USA_EXPORTS_TO_KOR_2023}
    live_env.route(
        KOREA_REPORTED_PATH,
        lambda q: Reply(
            body=imf_body(
                [synthetic_series("KOR", "MG_CIF_USD", "USA", SYNTHETIC_KOR_IMPORTS_FROM_USA_2023_IMF)],
                keep_sample_series=False,
            ),
            content_type="application/xml",
        ),
    )
    live_env.route(
        PARTNER_REPORTED_PATH,
        lambda q: Reply(
            body=imf_body(
                [
                    synthetic_series("USA", "XG_FOB_USD", "KOR", state["usa_exports"]),
                    synthetic_series("USA", "MG_CIF_USD", "KOR", SYNTHETIC_USA_IMPORTS_FROM_KOR_2023),
                ],
                keep_sample_series=True,
            ),
            content_type="application/xml",
        ),
    )
    live_env.state = state
    return live_env


def mirror_rows(warehouse):
    rows = query(
        warehouse,
        """select importer_iso3, exporter_iso3, import_cif_usd, export_fob_usd, import_source,
        export_source, import_source_count, gap_usd, import_fob_equivalent_usd, adjusted_gap_usd, adjusted_gap_ratio,
        is_discrepant from marts.fct_country_mirror_trade where period_start = date '2023-01-01'
        order by importer_iso3""",
    )
    names = (
        "importer",
        "exporter",
        "imports",
        "exports",
        "import_source",
        "export_source",
        "import_sources",
        "gap",
        "fob_equivalent",
        "adjusted_gap",
        "ratio",
        "flag",
    )
    return [dict(zip(names, row, strict=True)) for row in rows]


@pytest.mark.runs(2)
def test_the_country_mirror_mart_on_the_imf_sample(imf_server, warehouse_copy, run_job):
    result = run_job("refresh_yearly", warehouse_copy, partition_key="2023")
    assert result.success, step_failure_messages(result)
    # both sides were asked for, each once
    assert len(imf_server.hits(KOREA_REPORTED_PATH)) == 1 and len(imf_server.hits(PARTNER_REPORTED_PATH)) == 1

    # The real sample arrives as published: USA's exports to World in 2023, in USD units (SCALE="6" not applied);
    # G998 is an IMF group (no ISO3); its 2024 observations stay out of the 2023 partition's figures.
    flows = query(
        warehouse_copy,
        """select partner_code, partner_iso3, value_usd, value_basis
        from intermediate.int_country_trade_flows where reporter_iso3 = 'USA' and flow = 'export'
        order by partner_code""",
    )
    assert [(code, iso3, int(value), basis) for code, iso3, value, basis in flows] == [
        ("G001", "WLD", 2_019_551_635_133, "fob"),
        ("G998", None, 369_756_760_426, "fob"),
        ("KOR", "KOR", SYNTHETIC_USA_EXPORTS_TO_KOR_2023, "fob"),
    ]
    assert query(warehouse_copy, "select count(*) from staging.stg_imf__imts_trade where time_period = '2024'") == [
        (2,)
    ]

    kor_exports_to_usa, kor_imports_from_usa = kosis_2023("USA")
    korea_imports, usa_imports = mirror_rows(warehouse_copy)

    # Korea's imports from the USA (KOSIS, CIF) against the USA's exports to Korea (IMF, FOB; SYNTHETIC), by hand:
    # 71,272,030,000 / 1.10 = 64,792,754,545.45; - 61,234,567,890 = 3,558,186,655.45 = 5.81 % < 25 %.
    assert (korea_imports["importer"], korea_imports["exporter"]) == ("KOR", "USA")
    assert (korea_imports["import_source"], korea_imports["export_source"]) == ("kosis_annual", "imf_imts_api")
    assert korea_imports["import_sources"] == 2  # KOSIS and the IMF's Korea-reported figure: KOSIS wins
    assert korea_imports["imports"] == kor_imports_from_usa == Decimal("71272030000")
    assert korea_imports["exports"] == SYNTHETIC_USA_EXPORTS_TO_KOR_2023
    assert korea_imports["gap"] == Decimal("10037462110")
    fob_equivalent = kor_imports_from_usa / CIF_FOB_FACTOR
    assert korea_imports["fob_equivalent"] == pytest.approx(float(fob_equivalent), rel=1e-12)
    assert korea_imports["adjusted_gap"] == pytest.approx(3_558_186_655.45, abs=0.01)
    assert korea_imports["ratio"] == pytest.approx(0.058107, abs=1e-6)
    assert korea_imports["flag"] is False

    # The USA's imports from Korea (IMF, CIF; SYNTHETIC) against Korea's exports to the USA (KOSIS, FOB), by hand:
    # 198,765,432,109 / 1.10 = 180,695,847,371.82; - 115,696,334,000 = 64,999,513,371.82 = 56.18 % > 25 %.
    assert (usa_imports["importer"], usa_imports["exporter"]) == ("USA", "KOR")
    assert (usa_imports["import_source"], usa_imports["export_source"]) == ("imf_imts_api", "kosis_annual")
    assert usa_imports["exports"] == kor_exports_to_usa == Decimal("115696334000")
    assert usa_imports["adjusted_gap"] == pytest.approx(64_999_513_371.82, abs=0.01)
    assert usa_imports["ratio"] == pytest.approx(0.561811, abs=1e-6)
    assert abs(Decimal(str(usa_imports["adjusted_gap"]))) > THRESHOLD * kor_exports_to_usa
    assert usa_imports["flag"] is True

    # The served file has the mart too (the run passed the gate).
    assert len(mirror_rows(served_path_for(warehouse_copy))) == 2

    # IMF revises the USA's exports: the year's new vintage replaces the old one in the mart.
    imf_server.state["usa_exports"] = SYNTHETIC_USA_EXPORTS_TO_KOR_2023 + 1_000_000
    assert run_job("refresh_yearly", warehouse_copy, partition_key="2023").success
    assert query(warehouse_copy, "select count(distinct _loaded_at) from raw.imf_imts_trade") == [(2,)]
    korea_imports_revised, _ = mirror_rows(warehouse_copy)
    assert korea_imports_revised["exports"] == SYNTHETIC_USA_EXPORTS_TO_KOR_2023 + 1_000_000
    assert korea_imports_revised["gap"] == korea_imports["gap"] - 1_000_000


@pytest.mark.runs(1)
def test_a_live_korea_figure_in_the_wrong_unit_fails_the_run(imf_server, warehouse_copy, run_job):
    """The IMF's Korea-reported imports from the USA in thousand USD (SYNTHETIC, 1,000 times too small): the data
    test against KOSIS fails, so nothing is promoted or served."""
    imf_server.route(
        KOREA_REPORTED_PATH,
        lambda q: Reply(
            body=imf_body([synthetic_series("KOR", "MG_CIF_USD", "USA", 71_272_030)], keep_sample_series=False),
            content_type="application/xml",
        ),
    )
    served = served_path_for(warehouse_copy)
    before = served.read_bytes() if served.exists() else None
    result = run_job("refresh_yearly", warehouse_copy, partition_key="2023")
    assert not result.success
    assert "assert_korea_reported_live_figures_agree_with_kosis" in "\n".join(step_failure_messages(result))
    assert query(warehouse_copy, "select count(*) from raw.imf_imts_trade") == [(0,)]  # work file unchanged
    assert (served.read_bytes() if served.exists() else None) == before


def test_the_yearly_schedule_repulls_the_last_three_years(definitions):
    schedule = definitions.resolve_schedule_def("yearly_refresh_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 6 1 11 *", "Asia/Seoul")
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2025, 11, 1, 6, 0), repository_def=definitions.get_repository_def()
    )
    # one run over the three complete years before the tick: one dbt build, one publish
    [request] = schedule.evaluate_tick(context).run_requests
    assert request.job_name in (None, "refresh_yearly")
    assert (request.tags["dagster/asset_partition_range_start"], request.tags["dagster/asset_partition_range_end"]) == (
        "2022",
        "2024",
    )
