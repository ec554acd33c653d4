"""Product-level marts against figures computed here, with pandas, from the raw files."""

import glob
import os
import subprocess

import dagster as dg
import duckdb
import pandas as pd
import pytest

from dagster_project import settings
from dagster_project.sources import kita

from .conftest import check_evaluations, kept_candidate, query, table_contents

RAW = settings.DEFAULT_RAW_DIR


@pytest.fixture(scope="module")
def marts(built):
    warehouse, result = built
    assert result.success
    return warehouse


@pytest.fixture(scope="module")
def comtrade():
    frames = [
        pd.read_csv(path, dtype=str, keep_default_na=False) for path in glob.glob(str(RAW / "comtrade_legacy/*.csv"))
    ]
    frame = pd.concat(frames, ignore_index=True)
    frame["value"] = frame["Trade Value (US$)"].astype(float)
    return frame


@pytest.fixture(scope="module")
def kita_raw():
    return pd.read_csv(RAW / kita.TRADE_BY_PARTNER_MONTHLY.relative_path, dtype={"Item": str}, keep_default_na=False)


def test_hydrogen_fluoride_2014_world_and_china(marts, comtrade):
    hf = comtrade[
        (comtrade["Commodity Code"] == "281111")
        & (comtrade["Reporter ISO"] == "KOR")
        & (comtrade["Year"] == "2014")
        & (comtrade["Trade Flow"] == "Import")
    ].set_index("Partner ISO")["value"]
    [(total, basis, top, top_share, china_share)] = query(
        marts,
        """
        select total_import_usd, total_basis, top_supplier_key, top_supplier_share, china_share
        from marts.fct_import_dependence
        where reporter_iso3 = 'KOR' and product_code = '281111' and period_start = date '2014-01-01'""",
    )
    assert (float(total), basis, top) == (hf["WLD"], "world_row", "CHN")
    assert china_share == pytest.approx(hf["CHN"] / hf["WLD"]) and top_share == china_share
    assert round(hf["WLD"] / 1e4) == 11956 and round(hf["CHN"] / 1e4) == 7272  # the US$119.56 m / 72.72 m


def test_kita_annual_rollup_and_dependence_equal_sums_of_the_raw_months(marts, kita_raw):
    hf = kita_raw[(kita_raw.Item == "2811111000") & (kita_raw.Year == 2018)]
    by_partner = hf.groupby("Country")["Import_dollar"].sum()
    [(from_japan,)] = query(
        marts,
        """
        select value_usd from marts.fct_product_trade where product_code = '2811111000' and partner_iso3 = 'JPN'
        and flow = 'import' and period_grain = 'year' and period_start = date '2018-01-01'""",
    )
    assert float(from_japan) == by_partner["Japan"]
    [(total, basis, china_share, hhi, suppliers)] = query(
        marts,
        """
        select total_import_usd, total_basis, china_share, hhi, supplier_count from marts.fct_import_dependence
        where product_code = '2811111000' and period_grain = 'year' and period_start = date '2018-01-01'""",
    )
    shares = by_partner / by_partner.sum()
    assert (float(total), basis) == (by_partner.sum(), "sum_of_partners")
    assert china_share == pytest.approx(shares["China"])
    assert hhi == pytest.approx((shares**2).sum())
    assert suppliers == (by_partner > 0).sum()


def test_lost_leading_zeros_are_restored_not_dropped(marts, comtrade):
    short = comtrade[comtrade["Commodity Code"].str.len() == 5]
    assert len(short) > 0
    [(repaired, total)] = query(
        marts, "select count(*) filter (where _hs_code_repaired), count(*) from raw.comtrade_legacy_trade"
    )
    assert (repaired, total) == (len(short), len(comtrade))
    malformed = query(marts, "select count(*) from marts.fct_product_trade where length(product_code) not in (6, 10)")
    assert malformed == [(0,)]
    assert query(marts, "select count(*) from marts.fct_product_trade where product_code = '010619'")[0][0] > 0


def test_empty_partner_rows_are_quarantined_with_their_row_numbers(marts, kita_raw):
    expected = sorted(int(i) + 1 for i in kita_raw.index[kita_raw.Country == ""])
    rows = query(
        marts,
        """select _row_number, reason from raw.quarantine
                           where source_table = 'kita_hsk10_trade_by_partner_monthly' order by 1""",
    )
    assert rows == [(row, "partner missing") for row in expected]


def test_basket_items_without_data_are_no_data_not_zero(marts):
    rows = query(
        marts,
        """
        select item_code, data_status, top_supplier_share from marts.fct_dependence_basket_items
        where period_grain = 'year' and period_start = date '2019-01-01' order by item_code""",
    )
    status = {item: (state, share) for item, state, share in rows}
    assert status["310210"] == ("no data", None)  # urea: a 3050 example without shipped data
    assert status["8542321010"][0] == "data" and status["8542321010"][1] > 0.5
    [(count, with_data, without)] = query(
        marts,
        """select item_count, items_with_data, items_without_data
        from marts.fct_dependence_basket where period_grain = 'year' and period_start = date '2019-01-01'""",
    )
    assert (count, with_data + without) == (len(rows), len(rows))


def test_mirror_of_hydrogen_fluoride_japan_to_korea(marts, comtrade):
    hf = comtrade[(comtrade["Commodity Code"] == "281111") & (comtrade["Year"] == "2014")]
    korea_imports = hf[(hf["Reporter ISO"] == "KOR") & (hf["Partner ISO"] == "JPN") & (hf["Trade Flow"] == "Import")]
    japan_exports = hf[(hf["Reporter ISO"] == "JPN") & (hf["Partner ISO"] == "KOR") & (hf["Trade Flow"] == "Export")]
    [(cif, fob, gap)] = query(
        marts,
        """select import_cif_usd, export_fob_usd, gap_usd from marts.fct_mirror_trade
        where importer_iso3 = 'KOR' and exporter_iso3 = 'JPN' and product_code = '281111'""",
    )
    assert (float(cif), float(fob)) == (korea_imports["value"].item(), japan_exports["value"].item())
    assert float(gap) == korea_imports["value"].item() - japan_exports["value"].item()


def test_product_reference_figures_are_reproduced(marts):
    rows = query(marts, "select figure_id, status from marts.fct_product_reference_checks")
    assert rows and all(status == "reproduced" for _, status in rows), rows


def test_unknown_partner_is_quarantined_and_the_rest_loads(warehouse_copy, raw_copy, run_build):
    path = raw_copy / kita.TRADE_BY_PARTNER_MONTHLY.relative_path
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",China,", ",Atlantis,")
    path.write_text("".join(lines), encoding="utf-8")
    key = dg.AssetKey(["raw", "kita_hsk10_trade_by_partner_monthly"])

    result = run_build(warehouse_copy, raw_copy, selection=[key])

    assert result.success  # quarantine warns, it does not fail the load
    [check] = [c for c in check_evaluations(result) if c.asset_key == key]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    # A selection without the gate is never promoted: the load is in the run's kept candidate.
    candidate = kept_candidate(warehouse_copy, result)
    assert query(
        candidate,
        """select _row_number, column_name, value, reason from raw.quarantine
                               where reason like 'unknown%'""",
    ) == [(3, "Country", "Atlantis", "unknown partner name (not in the dbt seed country_name_crosswalk)")]
    assert query(candidate, "select count(*) from raw.kita_hsk10_trade_by_partner_monthly")[0][0] == len(lines) - 1 - 6
    assert query(warehouse_copy, "select count(*) from raw.quarantine where reason like 'unknown%'") == [(0,)]


def test_every_kita_dependence_measure_recomputed_from_the_raw_file(marts, kita_raw):
    """Top supplier and share, HHI and supplier count of every KITA item and complete year, with pandas."""
    rows = kita_raw[kita_raw.Country != ""]
    months = rows.groupby(["Item", "Year"]).Month.nunique()
    complete = months[months == 12].index
    yearly = rows.set_index(["Item", "Year"]).loc[complete].groupby(["Item", "Year", "Country"]).Import_dollar.sum()
    expected = {}
    for (item, year), by_partner in yearly.groupby(level=[0, 1]):
        by_partner = by_partner.droplevel([0, 1])
        if by_partner.sum() <= 0:
            continue
        shares = by_partner / by_partner.sum()
        expected[(item, year)] = (shares.max(), (shares**2).sum(), int((by_partner > 0).sum()))
    got = {
        (item, year): (top, hhi, count)
        for item, year, top, hhi, count in query(
            marts,
            """
        select product_code, year(period_start), top_supplier_share, hhi, supplier_count
        from marts.fct_import_dependence where product_level = 'hsk10' and period_grain = 'year'""",
        )
    }
    assert set(got) == set(expected)
    for key, (top, hhi, count) in expected.items():
        assert got[key][0] == pytest.approx(top, rel=1e-12) and got[key][1] == pytest.approx(hhi, rel=1e-12)
        assert got[key][2] == count, key


def test_basket_means_recomputed_from_the_raw_file(marts, kita_raw):
    """2019's basket: simple and import-weighted mean of the items' top-supplier shares, from the KITA CSV."""
    rows = kita_raw[(kita_raw.Country != "") & (kita_raw.Year == 2019)]
    by_item = rows.groupby(["Item", "Country"]).Import_dollar.sum().groupby(level=0)
    tops = by_item.max() / by_item.sum()
    totals = by_item.sum()
    [(simple, weighted, at_or_above)] = query(
        marts,
        """select mean_top_supplier_share,
        weighted_mean_top_supplier_share, items_at_or_above_target from marts.fct_dependence_basket
        where period_grain = 'year' and period_start = date '2019-01-01'""",
    )
    assert simple == pytest.approx(tops.mean(), rel=1e-12)
    assert weighted == pytest.approx((tops * totals).sum() / totals.sum(), rel=1e-12)
    assert at_or_above == int((tops >= 0.5).sum())


def test_mirror_gap_after_the_cif_fob_factor_by_hand(marts, comtrade):
    """The adjusted gap and the flag, by hand from the Comtrade rows: CIF / 1.10 - FOB, flagged above 25 %."""
    hf = comtrade[(comtrade["Commodity Code"] == "281111") & (comtrade["Year"] == "2014")]
    korea_from_japan = (hf["Reporter ISO"] == "KOR") & (hf["Partner ISO"] == "JPN") & (hf["Trade Flow"] == "Import")
    japan_to_korea = (hf["Reporter ISO"] == "JPN") & (hf["Partner ISO"] == "KOR") & (hf["Trade Flow"] == "Export")
    cif = hf[korea_from_japan]["value"].item()
    fob = hf[japan_to_korea]["value"].item()
    [(adjusted, ratio, flagged)] = query(
        marts,
        """select adjusted_gap_usd, adjusted_gap_ratio, is_discrepant
        from marts.fct_mirror_trade
        where importer_iso3 = 'KOR' and exporter_iso3 = 'JPN' and product_code = '281111'""",
    )
    assert adjusted == pytest.approx(cif / 1.10 - fob, rel=1e-12)
    assert ratio == pytest.approx((cif / 1.10 - fob) / fob, rel=1e-12)
    assert round(ratio, 3) == 0.076 and flagged is False  # the issue's +7.6 %, under the 25 % line


PRODUCT_MARTS = ["fct_product_trade", "fct_import_supplier_shares", "fct_import_dependence"]


def test_a_reloaded_source_rebuilds_only_its_rows_in_the_product_marts(warehouse_copy, tmp_path):
    """The product marts are incremental by source: after the Comtrade table was reloaded (its rows stamped with a
    newer _loaded_at, as a reload of a changed file does), `dbt build` rewrites the Comtrade rows and keeps the
    KITA rows and the build that wrote them; the tables equal what they were (same files, same rows)."""
    per_build = ("vintage_loaded_at", "dbt_invocation_id")
    before = {table: table_contents(warehouse_copy, f"marts.{table}", per_build) for table in PRODUCT_MARTS}
    builds_before = {
        table: dict(query(warehouse_copy, f"select source, any_value(dbt_invocation_id) from marts.{table} group by 1"))
        for table in PRODUCT_MARTS
    }
    with duckdb.connect(str(warehouse_copy)) as con:
        con.execute("update raw.comtrade_legacy_trade set _loaded_at = _loaded_at + interval 1 hour")
    completed = subprocess.run(
        [settings.DBT_EXECUTABLE, "build", "--select", "+fct_import_dependence", "--exclude", "resource_type:seed"],
        env={
            **os.environ,
            "WAREHOUSE_PATH": str(warehouse_copy),
            "DBT_TARGET_PATH": str(tmp_path / "target"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        },
        capture_output=True,
        text=True,
        cwd=settings.DBT_PROJECT_DIR,
    )
    assert completed.returncode == 0, completed.stdout[-3000:]

    for table in PRODUCT_MARTS:
        assert table_contents(warehouse_copy, f"marts.{table}", per_build) == before[table], table
        builds = dict(
            query(
                warehouse_copy,
                f"select source, any_value(dbt_invocation_id) from marts.{table} group by 1 "
                "having count(distinct dbt_invocation_id) = 1",
            )
        )
        assert set(builds) == {"kita_hsk10", "comtrade_legacy"}, f"{table}: a source holds rows of several builds"
        assert builds["kita_hsk10"] == builds_before[table]["kita_hsk10"], f"{table}: the KITA rows were rewritten"
        assert builds["comtrade_legacy"] != builds_before[table]["comtrade_legacy"], f"{table}: Comtrade not rebuilt"
