"""The item marts, the 3050 proxy basket and the threshold counts on a small SYNTHETIC fixture (made-up figures in
raw.kcs_trade_by_item_country) whose answers are computed by hand below; and a one-month incremental run."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from .conftest import gated_at_work_path, once_per_session, query

# SYNTHETIC (period, partner ISO2, HSK-10, export USD, import USD). Hand-computed answers in the tests below.
JANUARY_2022 = [
    ("2022.01", "CN", "2811111000", 50, 600),  # hydrogen fluoride: D = 0.6 (China), deficit with China
    ("2022.01", "JP", "2811111000", 0, 300),
    ("2022.01", "US", "2811111000", 0, 100),
    ("2022.01", "CN", "3102101000", 0, 9_500_000),  # urea: US$10 m, D = 0.95 (China), deficit
    ("2022.01", "VN", "3102101000", 0, 500_000),
    ("2022.01", "JP", "8505111000", 0, 500),  # magnets: a tie at 0.5, exports to China above imports from it
    ("2022.01", "CN", "8505111000", 700, 500),
    ("2022.01", "CN", "2504101000", 0, 80),  # natural graphite 2504.10: D = 1 (China), deficit
    ("2022.01", "MZ", "2504901000", 0, 120),  # natural graphite 2504.90: D = 1 (Mozambique)
]


def insert(warehouse, rows, load_id="synthetic-1"):
    """Rows as one vintage per month of raw.kcs_trade_by_item_country (which every warehouse has, empty), loaded
    now (as a loader stamps them: after the marts were last built)."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    with duckdb.connect(str(warehouse)) as con:
        for period, partner, hs, exp, imp in rows:
            con.execute(
                """insert into raw.kcs_trade_by_item_country by name select ? as period,
                ? as country_code, 'synthetic' as country_name_ko, ? as hs_code, 'synthetic' as item_name_ko,
                ? as export_usd, ? as import_usd, ? as balance_usd, 0 as export_kg, 0 as import_kg,
                'USD' as value_unit, 'kg' as weight_unit, ? as _partition, 'kcs_nitemtrade' as _source_label,
                'synthetic' as _content_sha256, '[]' as _source_files, cast(? as timestamp) as _loaded_at,
                ? as _load_id""",
                [period, partner, hs, exp, imp, exp - imp, period.replace(".", "-"), loaded_at, load_id],
            )


@pytest.fixture(scope="module")
def fixture_marts(built, run_job, tmp_path_factory):
    """The gate alone (whole dbt build, promote) on a copy of the built warehouse with the fixture in raw, once per
    session for every worker; read only by the tests (test_one_new_month_incrementally works on its own copy)."""
    source, result = built
    assert result.success, "the baseline build failed; see test_build"

    def prepare(work: Path) -> None:
        shutil.copy(source, work)
        insert(work, JANUARY_2022)

    def make(folder: Path) -> str:
        run = gated_at_work_path(
            tmp_path_factory, folder, prepare, lambda work, served: run_job("publish_warehouse", work, served=served)
        )
        return str(run.success)

    folder, success = once_per_session(tmp_path_factory, "item_fixture", make)
    assert success == "True", "the gated build of the item fixture failed"
    return folder / "warehouse.duckdb"


def test_threshold_counts_on_the_fixture(fixture_marts):
    [row] = query(
        fixture_marts,
        """
        select item_count, kita_items_top_share_at_least_80, kita_share_of_items_top_share_at_least_80,
               motie_items_10m_top_share_at_least_75, motie_items_10m_top_share_at_least_90,
               kiet_watch_items, kiet_vulnerable_items
        from marts.fct_item_dependence_thresholds
        where source = 'kcs_nitemtrade' and product_level = 'hsk10' and period_grain = 'month'""",
    )
    # 5 items with imports; D >= 80 %: urea 0.95, 2504.10 1.0, 2504.90 1.0; US$10 m and D >= 75 %/90 %: urea;
    # China >= 50 % with a deficit: HF 0.6, urea 0.95, 2504.10 1.0 (magnets: no deficit); >= 70 %: urea, 2504.10.
    assert row == (5, 3, pytest.approx(3 / 5), 1, 1, 3, 2)


def test_item_dependence_and_tie_on_the_fixture(fixture_marts):
    rows = {
        code: rest
        for code, *rest in query(
            fixture_marts,
            """
        select product_code, top_supplier_key, top_supplier_share, hhi, supplier_count, total_import_usd
        from marts.fct_item_import_dependence
        where source = 'kcs_nitemtrade' and product_level in ('hsk10', 'hs4') and period_grain = 'month'""",
        )
    }
    assert rows["2811111000"] == ["CHN", pytest.approx(0.6), pytest.approx(0.36 + 0.09 + 0.01), 3, 1000]
    assert rows["8505111000"][:2] == ["CHN", pytest.approx(0.5)]  # a tie: the alphabetically first
    # HS4 2504 rolls up both graphite codes: 120 of 200 from Mozambique.
    assert rows["2504"] == ["MOZ", pytest.approx(0.6), pytest.approx(0.36 + 0.16), 2, 200]


def test_proxy_basket_on_the_fixture(fixture_marts):
    items = dict(
        query(
            fixture_marts,
            """
        select family_id, top_supplier_share from marts.fct_proxy_3050_basket_items
        where source = 'kcs_nitemtrade' and period_grain = 'month' and data_status = 'data'""",
        )
    )
    # natural graphite is a family of two HS6 codes: 120 of 200 from Mozambique.
    assert items == {
        "hydrogen_fluoride": pytest.approx(0.6),
        "urea": pytest.approx(0.95),
        "permanent_magnets": pytest.approx(0.5),
        "natural_graphite": pytest.approx(0.6),
    }
    [row] = query(
        fixture_marts,
        """
        select family_count, families_with_data, mean_top_supplier_share, weighted_mean_top_supplier_share,
               median_top_supplier_share, families_above_target
        from marts.fct_proxy_3050_basket where source = 'kcs_nitemtrade' and period_grain = 'month'""",
    )
    weighted = (0.6 * 1000 + 0.95 * 10_000_000 + 0.5 * 1000 + 0.6 * 200) / (1000 + 10_000_000 + 1000 + 200)
    assert row == (12, 4, pytest.approx((0.6 + 0.95 + 0.5 + 0.6) / 4), pytest.approx(weighted), pytest.approx(0.6), 3)


@pytest.mark.runs(2)
def test_one_new_month_incrementally(fixture_marts, run_job, work_dir):
    """February arrives as a vintage; the next build rebuilds February and the year 2022 only: January's rows
    (and every KITA row) keep the dbt_invocation_id of the build that wrote them."""
    fixture_marts = Path(shutil.copy(fixture_marts, work_dir / "warehouse.duckdb"))
    before = query(
        fixture_marts,
        """select source, period_grain, period_start, dbt_invocation_id, count(*)
        from marts.fct_item_trade_by_partner group by all order by all""",
    )
    january = query(
        fixture_marts,
        "select * from marts.fct_item_trade_by_partner where period_grain = 'month' "
        "and period_start = '2022-01-01' order by all",
    )
    insert(fixture_marts, [("2022.02", "CN", "2811111000", 0, 400)], load_id="synthetic-2")
    assert run_job("publish_warehouse", fixture_marts).success

    assert (
        query(
            fixture_marts,
            "select * from marts.fct_item_trade_by_partner where period_grain = 'month' "
            "and period_start = '2022-01-01' order by all",
        )
        == january
    )
    after = query(
        fixture_marts,
        """select source, period_grain, period_start, dbt_invocation_id, count(*)
        from marts.fct_item_trade_by_partner group by all order by all""",
    )
    rebuilt = {(source, grain, str(start)) for source, grain, start, *_ in set(after) - set(before)}
    assert rebuilt == {("kcs_nitemtrade", "month", "2022-02-01"), ("kcs_nitemtrade", "year", "2022-01-01")}
    [(february_china_share,)] = query(
        fixture_marts,
        """select import_share from marts.fct_item_trade_by_partner
        where source = 'kcs_nitemtrade' and product_code = '2811111000' and period_start = '2022-02-01'""",
    )
    assert february_china_share == 1.0
    # The year 2022 now holds both months: China 600 + 400 of 1400.
    [(year_share, months)] = query(
        fixture_marts,
        """select import_share, months_in_year
        from marts.fct_item_trade_by_partner where source = 'kcs_nitemtrade' and product_level = 'hsk10'
        and product_code = '2811111000' and period_grain = 'year' and partner_key = 'CHN'""",
    )
    assert (year_share, months) == (pytest.approx(1000 / 1400), 2)
    # and the dependence mart followed: the year's D_i for hydrogen fluoride, China 1000 of 1400
    [(year_d,)] = query(
        fixture_marts,
        """select top_supplier_share from marts.fct_item_import_dependence
        where source = 'kcs_nitemtrade' and product_level = 'hsk10' and product_code = '2811111000'
        and period_grain = 'year'""",
    )
    assert year_d == pytest.approx(1000 / 1400)
