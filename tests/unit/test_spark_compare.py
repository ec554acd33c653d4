"""The DuckDB-vs-Spark comparison (warehouse/compare.py) and the raw Parquet export (warehouse/export.py), on small
real DuckDB tables and Parquet files, without Spark.

ALL FIGURES HERE ARE SYNTHETIC: a few hand-made rows whose only purpose is to differ in one measure at a time.
"""

from decimal import Decimal

import duckdb
import pytest

from dagster_project.warehouse.compare import (
    CHECKSUM,
    EXACT,
    FLOAT,
    column_kind,
    compare_builds,
    compare_tables,
    format_comparisons,
    profile_relation,
)
from dagster_project.warehouse.export import export_tables

ROWS = """
    select * from (values
        (1, cast(10.25 as decimal(18, 2)), 0.1::double, 'KOR', date '2023-01-01', true),
        (2, cast(20.50 as decimal(18, 2)), 0.2::double, 'CHN', date '2023-02-01', false),
        (3, cast(null as decimal(18, 2)), 0.3::double, 'NA', date '2023-03-01', null)
    ) as t(partner_count, value_usd, share, partner, period_start, is_flagged)
"""


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        connection.execute(f"create table reference as {ROWS}")
        yield connection


def profile(con, sql: str):
    con.execute(f"create or replace table compared as {sql}")
    return profile_relation(con, "compared", "fct_example")


def differences(con, sql: str) -> list[str]:
    expected = profile_relation(con, "reference", "fct_example")
    return [d.measure for d in compare_tables(expected, profile(con, sql)).differences]


def test_column_kinds():
    assert [column_kind(t) for t in ("BIGINT", "DECIMAL(38,6)", "DOUBLE", "VARCHAR", "DATE", "BOOLEAN")] == [
        EXACT,
        EXACT,
        FLOAT,
        CHECKSUM,
        CHECKSUM,
        CHECKSUM,
    ]


def test_identical_tables_are_equal(con):
    assert differences(con, "select * from reference") == []


def test_rows_in_another_order_and_doubles_summed_in_another_order_are_equal(con):
    # 0.1 + 0.2 + 0.3 differs in the last bit from 0.3 + 0.2 + 0.1: within the 1e-9 relative tolerance
    assert differences(con, "select * from reference order by partner_count desc") == []


def test_a_missing_row_differs(con):
    found = differences(con, "select * from reference where partner_count < 3")
    assert found[0] == "rows"
    # the row's NULLs (value_usd, is_flagged) change no measure; each of its values changes a count and a sum
    assert set(found[1:]) == {
        f"{column}: {measure}"
        for column, sum_name in (
            ("partner_count", "sum"),
            ("share", "sum"),
            ("partner", "checksum"),
            ("period_start", "checksum"),
        )
        for measure in ("non-null", sum_name)
    }


def test_a_decimal_off_by_one_cent_differs(con):
    found = differences(
        con,
        "select * replace (case when partner_count = 1 then value_usd + 0.01 "
        "else value_usd end as value_usd) from reference",
    )
    assert found == ["value_usd: sum"]


def test_a_double_off_beyond_the_tolerance_differs_and_within_it_does_not(con):
    beyond = (
        "select * replace (case when partner_count = 1 then share * (1 + 1e-6) else share end as share) from reference"
    )
    within = (
        "select * replace (case when partner_count = 1 then share * (1 + 1e-13) else share end as share) from reference"
    )
    assert differences(con, beyond) == ["share: sum"]
    assert differences(con, within) == []


def test_a_changed_text_value_a_shifted_date_and_a_null_differ(con):
    assert differences(
        con, "select * replace (case when partner = 'NA' then 'NAM' else partner end as partner) from reference"
    ) == ["partner: checksum"]
    assert differences(con, "select * replace (period_start + 1 as period_start) from reference") == [
        "period_start: checksum"
    ]
    # the same sum, one value fewer: the non-null count catches a NULL where 0 was
    con.execute("create or replace table reference as select 1 as n, 0 as v union all select 2, 5")
    assert differences(con, "select 1 as n, null::integer as v union all select 2, 5") == ["v: non-null"]


def test_a_missing_column_and_a_missing_table_differ(con):
    assert differences(con, "select * exclude (share) from reference") == ["share: column"]
    expected = {
        "fct_a": profile_relation(con, "reference", "fct_a"),
        "fct_b": profile_relation(con, "reference", "fct_b"),
    }
    comparisons = compare_builds(expected, {"fct_a": profile_relation(con, "reference", "fct_a")})
    assert [c.equal for c in comparisons] == [True, False]
    assert "table missing in the compared build" in comparisons[1].differences[0].measure
    assert "fct_b" in format_comparisons(comparisons) and "DIFFERENT (1)" in format_comparisons(comparisons)


def test_an_ignored_column_is_not_compared(con):
    con.execute("create or replace table reference as select 1 as n, 'run-a' as dbt_invocation_id")
    con.execute("create or replace table compared as select 1 as n, 'run-b' as dbt_invocation_id")
    expected, actual = (profile_relation(con, t, "t") for t in ("reference", "compared"))
    assert [d.measure for d in compare_tables(expected, actual).differences] == ["dbt_invocation_id: checksum"]
    assert compare_tables(expected, actual, ignore=frozenset({"dbt_invocation_id"})).equal


def test_decimal_sums_are_exact_not_floating(con):
    # two sums equal as doubles but not as decimals: 1e17 + 1 is 1e17 in a double
    con.execute(
        "create or replace table reference as select cast(100000000000000000 as decimal(38, 0)) as v "
        "union all select cast(1 as decimal(38, 0))"
    )
    expected = profile_relation(con, "reference", "t")
    assert expected.columns["v"].total == Decimal(100000000000000001)
    assert differences(
        con, "select cast(100000000000000000 as decimal(38, 0)) as v union all select cast(0 as decimal(38, 0))"
    ) == ["v: sum"]


def test_export_writes_one_folder_per_table_partitioned_by_month_and_is_rerunnable(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    out_dir = tmp_path / "raw-parquet"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.monthly as select * from (values ('2024-01', 'CN', 5), ('2024-02', 'CN', 7), "
            "('2024-02', 'NA', 1)) as t(_partition, country_code, value)"
        )
        con.execute("create table raw.annual as select 2023 as year, 'NA' as partner")
        con.execute("create table raw.empty_monthly (_partition varchar, value bigint)")
        first = export_tables(con, out_dir)
        con.execute("delete from raw.monthly where _partition = '2024-01'")
        con.execute("drop table raw.annual")
        second = export_tables(con, out_dir)
    assert {(t.table, t.row_count, t.partitioned_by) for t in first} == {
        ("annual", 1, None),
        ("empty_monthly", 0, None),
        ("monthly", 3, "_partition"),
    }
    assert sorted(p.name for p in (out_dir / "monthly").iterdir()) == ["_partition=2024-02"]
    assert sorted(p.name for p in out_dir.iterdir()) == ["empty_monthly", "monthly"]  # a dropped table is gone
    assert [t.table for t in second] == ["empty_monthly", "monthly"]
    with duckdb.connect() as con:
        rows = con.execute(
            f"select _partition, country_code, value from read_parquet('{out_dir}/monthly/**/*.parquet', "
            "hive_partitioning = true) order by all"
        ).fetchall()
        empty = con.execute(f"select count(*) from read_parquet('{out_dir}/empty_monthly/*.parquet')").fetchone()
    assert rows == [("2024-02", "CN", 7), ("2024-02", "NA", 1)]
    assert empty == (0,)
    assert not list(tmp_path.glob(".raw-parquet.*"))


def test_export_of_a_warehouse_without_raw_tables_says_so(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con, pytest.raises(ValueError, match="build the warehouse"):
        export_tables(con, tmp_path / "out")
