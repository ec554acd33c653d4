"""UN Comtrade files in the legacy (pre-2023 website) CSV export format, as shipped in raw/comtrade_legacy/."""

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


def known_partner_codes() -> set[str]:
    """Comtrade numeric area codes the warehouse can map: the shipped crosswalk plus the dbt seed of overrides."""
    codes: set[str] = set()
    for path, column in (
        (settings.raw_dir() / "reference/comtrade_uncode_to_iso.csv", "unCode"),
        (settings.DBT_SEEDS_DIR / "comtrade_partner_overrides.csv", "un_code"),
    ):
        with path.open(encoding="utf-8-sig", newline="") as file:
            codes |= {row[column] for row in csv.DictReader(file)}
    return codes


def _number(name: str, **kwargs) -> Column:
    return Column(name, "decimal", **kwargs)


def _commodity_length(rows):
    return rows["Aggregate Level"]


LEGACY_TRADE = CsvSpec(
    table="comtrade_legacy_trade",
    relative_path="comtrade_legacy/*.csv",
    description=(
        "UN Comtrade legacy-format extracts: HS 281111 hydrogen fluoride and HS 854232 memories in 2014 (reporters "
        "Japan, Korea, USA, with World rows) and Korea's HS6 imports from Japan 2018-2020 (a Japan-only extract). "
        "USD (imports CIF, exports FOB) and kg."
    ),
    columns=(
        Column("Classification", nullable=False),
        Column("Year", "int", nullable=False),
        Column("Period", pattern=r"\d{4}(\d{2})?", nullable=False),
        Column("Period Desc."),
        Column("Aggregate Level", "int", nullable=False),
        Column("Is Leaf Code", "int"),
        Column("Trade Flow Code", "int", nullable=False),
        Column("Trade Flow"),
        Column("Reporter Code", pattern=r"\d+", nullable=False),
        Column("Reporter"),
        Column("Reporter ISO"),
        Column("Partner Code", pattern=r"\d+", nullable=False),
        Column("Partner"),
        Column("Partner ISO"),
        Column("2nd Partner Code"),
        Column("2nd Partner"),
        Column("2nd Partner ISO"),
        Column("Customs Proc. Code"),
        Column("Customs"),
        Column("Mode of Transport Code"),
        Column("Mode of Transport"),
        Column("Commodity Code", nullable=False),
        Column("Commodity"),
        Column("Qty Unit Code"),
        Column("Qty Unit"),
        _number("Qty"),
        Column("Alt Qty Unit Code"),
        Column("Alt Qty Unit"),
        _number("Alt Qty"),
        _number("Netweight (kg)"),
        _number("Gross weight (kg)"),
        _number("Trade Value (US$)", nullable=False),
        _number("CIF Trade Value (US$)"),
        _number("FOB Trade Value (US$)"),
        Column("Flag"),
    ),
    key=(
        "Classification",
        "Year",
        "Period",
        "Trade Flow Code",
        "Reporter Code",
        "Partner Code",
        "2nd Partner Code",
        "Customs Proc. Code",
        "Mode of Transport Code",
        "Commodity Code",
    ),
    units="USD, kg",
    engine="duckdb",
    repairs=(
        Repair(
            "Commodity Code",
            "_hs_code_repaired",
            lambda rows: restore_lost_leading_zero(rows["Commodity Code"], _commodity_length(rows)),
            sql=restore_lost_leading_zero_sql('"Commodity Code"', '"Aggregate Level"'),
        ),
    ),
    row_rules=(
        RowRule(
            "Commodity Code",
            "commodity code does not have the digits its Aggregate Level says",
            lambda rows: is_malformed(rows["Commodity Code"], _commodity_length(rows)),
            sql=is_malformed_sql('"Commodity Code"', '"Aggregate Level"'),
        ),
        RowRule(
            "Reporter Code",
            "unknown reporter code (not in reference/comtrade_uncode_to_iso.csv nor the override seed)",
            lambda rows: ~rows["Reporter Code"].isin(known_partner_codes()),
            sql=lambda: not_in_sql('"Reporter Code"', known_partner_codes()),
        ),
        RowRule(
            "Partner Code",
            "unknown partner code (not in reference/comtrade_uncode_to_iso.csv nor the override seed)",
            lambda rows: ~rows["Partner Code"].isin(known_partner_codes()),
            sql=lambda: not_in_sql('"Partner Code"', known_partner_codes()),
        ),
        RowRule(
            "Trade Value (US$)",
            "negative value in Trade Value (US$)",
            lambda rows: rows["Trade Value (US$)"] < 0,
            sql='"Trade Value (US$)" < 0',
        ),
        RowRule(
            "Netweight (kg)",
            "negative value in Netweight (kg)",
            lambda rows: rows["Netweight (kg)"] < 0,
            sql='"Netweight (kg)" < 0',
        ),
    ),
)

SPECS = (LEGACY_TRADE,)
