"""Issue 9: one bilateral fact for every month and year, monthly totals, monthly shares and ranks, crossovers.

Read from the session's build of the shipped raw/ files. A live KCS December 2023 through these marts (a 127.0.0.1
server, SYNTHETIC figures derived from the shipped files) is step 1 of test_live_sources' month story."""

import re

import pytest

from dagster_project import settings

from .conftest import query


@pytest.fixture(scope="module")
def marts(built):
    warehouse, result = built
    assert result.success
    return warehouse


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
