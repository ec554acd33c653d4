"""KITA / Korea Customs HSK-10 monthly trade by partner, as shipped in raw/kita_hsk10_semiconductor_inputs/."""

import csv

from dagster_project import settings

from .files import Column, CsvSpec, Repair, RowRule
from .hs_codes import (
    is_malformed,
    is_malformed_sql,
    not_in_sql,
    restore_lost_leading_zero,
    restore_lost_leading_zero_sql,
)

SOURCE = "kita_hsk10"
HSK_LENGTH = 10
VALUE_COLUMNS = ("Export_dollar", "Export_weight", "Import_dollar", "Import_weight")


def known_partner_names() -> set[str]:
    """Partner names this source may use: the rows of the dbt seed country_name_crosswalk for this source."""
    with (settings.DBT_SEEDS_DIR / "country_name_crosswalk.csv").open(encoding="utf-8", newline="") as file:
        return {row["source_name"] for row in csv.DictReader(file) if row["source"] == SOURCE}


def _negative(column: str):
    return RowRule(column, f"negative value in {column}", lambda rows: rows[column] < 0, sql=f'"{column}" < 0')


TRADE_BY_PARTNER_MONTHLY = CsvSpec(
    table="kita_hsk10_trade_by_partner_monthly",
    relative_path="kita_hsk10_semiconductor_inputs/Trade_all.csv",
    description=(
        "Korea's monthly exports and imports of six HSK-10 semiconductor inputs by partner, 2000-2021 "
        "(KITA / Korea Customs via HJK91/JapanKoreaTradeConflict). USD and kg. Listed partners only: no World row."
    ),
    columns=(
        Column("Item", nullable=False),
        Column("Country"),
        Column("Year", "int", nullable=False),
        Column("Month", "int", nullable=False),
        Column("Export_dollar", "decimal", nullable=False),
        Column("Export_weight", "decimal", nullable=False),
        Column("Import_dollar", "decimal", nullable=False),
        Column("Import_weight", "decimal", nullable=False),
    ),
    key=("Item", "Country", "Year", "Month"),
    units="USD, kg",
    engine="duckdb",
    repairs=(
        Repair(
            "Item",
            "_hs_code_repaired",
            lambda rows: restore_lost_leading_zero(rows["Item"], HSK_LENGTH),
            sql=restore_lost_leading_zero_sql('"Item"', str(HSK_LENGTH)),
        ),
    ),
    row_rules=(
        RowRule(
            "Item",
            "HSK code is not 10 digits",
            lambda rows: is_malformed(rows["Item"], HSK_LENGTH),
            sql=is_malformed_sql('"Item"', str(HSK_LENGTH)),
        ),
        RowRule("Country", "partner missing", lambda rows: rows["Country"].isna(), sql='"Country" IS NULL'),
        RowRule(
            "Country",
            "unknown partner name (not in the dbt seed country_name_crosswalk)",
            lambda rows: ~rows["Country"].isin(known_partner_names()),
            sql=lambda: not_in_sql('"Country"', known_partner_names()),
        ),
        RowRule(
            "Month",
            "month outside 1-12",
            lambda rows: ~rows["Month"].between(1, 12),
            sql='"Month" NOT BETWEEN 1 AND 12',
        ),
        *(_negative(column) for column in VALUE_COLUMNS),
    ),
)

SPECS = (TRADE_BY_PARTNER_MONTHLY,)
