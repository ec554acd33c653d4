"""Issue 9: one bilateral fact for every month and year, monthly totals, monthly shares and ranks, crossovers.

Real Dagster runs with real dbt; the KCS source is a 127.0.0.1 server serving a SYNTHETIC December 2023 whose US and
China figures are derived from the shipped files (tests/integration/kcs_december_2023.py)."""

import re

import pytest

from dagster_project import settings

from .conftest import query, served_path_for
from .kcs_december_2023 import december_2023_records
from .test_live_sources import live_server  # noqa: F401 (fixture)


@pytest.fixture(scope="module")
def marts(built):
    warehouse, result = built
    assert result.success
    return warehouse


def usd(text):
    return int(text.replace(",", ""))


def test_every_mart_the_readme_lists_exists_after_a_fresh_build(marts):
    readme = (settings.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## The marts") :]
    section = section[: section.index("\n## ", 4)]
    listed = set(re.findall(r"^\| `marts\.(\w+)`", section, flags=re.M))
    assert {"fct_bilateral_trade", "fct_monthly_trade", "fct_trade_revisions", "fct_partner_crossovers"} <= listed
    present = {name for (name,) in query(marts, "select table_name from duckdb_tables() where schema_name = 'marts'")}
    assert listed <= present, f"listed in the README but not built: {sorted(listed - present)}"


def test_the_shipped_annual_data_shows_china_passing_the_us(marts):
    rows = query(
        marts,
        """select flow, year(period_start), previous_period_start, last_above_period_start
        from marts.fct_partner_crossovers where period_grain = 'year' and partner_above = 'CHN'
        and partner_below = 'USA' order by flow, period_start""",
    )
    assert ("export", 2003) in [(flow, year) for flow, year, _, _ in rows]
    assert ("import", 2004) in [(flow, year) for flow, year, _, _ in rows]
    # and never again since: no US-over-China crossover after 2003 in the annual exports
    assert query(
        marts,
        """select count(*) from marts.fct_partner_crossovers where period_grain = 'year'
        and flow = 'export' and partner_above = 'USA' and partner_below = 'CHN' and period_start > date '2003-01-01'""",
    ) == [(0,)]


def test_the_real_december_2023_crossover_from_the_shipped_ecos_months(marts):
    [(above, below, previous, last_above)] = query(
        marts,
        """select value_above_usd, value_below_usd,
        previous_period_start, last_above_period_start from marts.fct_partner_crossovers
        where flow = 'export' and period_grain = 'month' and period_start = date '2023-12-01'
        and partner_above = 'USA' and partner_below = 'CHN'""",
    )
    assert (int(above), int(below)) == (11_280_989_000, 10_864_298_000)  # ECOS 901Y011, thousand USD x 1000
    assert str(previous) == "2023-11-01" and last_above is None  # not above since the series starts (2020-01)
    [(rank, basis, share)] = query(
        marts,
        """select export_rank, rank_basis, export_share from marts.fct_partner_shares
        where partner_iso3 = 'USA' and period_grain = 'month' and period_start = date '2023-12-01'""",
    )
    assert (rank, basis) == (1, "listed_partners")  # ECOS lists selected partners: a rank among them
    assert round(share, 3) == 0.196  # of ECOS's world exports; MOTIE's preliminary release said 19.6 %


def test_a_kcs_december_2023_reaches_the_bilateral_fact_ranks_totals_and_crossovers(
    live_server,  # noqa: F811 (the fixture, imported from test_live_sources)
    warehouse_copy,
    run_job,
):
    assert run_job("refresh_monthly", warehouse_copy, partition_key="2023-12").success
    served = served_path_for(warehouse_copy)
    sent = {r["statCd"]: r for r in december_2023_records()}
    rows = query(
        served,
        """select partner_iso3, export_usd, import_usd, balance_usd, reported_balance_usd, source,
        partner_coverage from marts.fct_bilateral_trade where period_grain = 'month'
        and period_start = date '2023-12-01' order by partner_iso3""",
    )
    # KCS lists every partner, so the whole month is KCS's: ECOS's December rows give way; ZZ is not a country
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
