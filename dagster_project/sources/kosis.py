"""KOSIS (Statistics Korea) trade files as shipped in raw/: table DT_1R11006_FRM101 and its code list."""

from __future__ import annotations

from .files import Column, CsvSpec

# kdiplo writes missing values as the literal NA (its ISO3 codes spell Namibia NAM, so no clash here).
_NA = ("NA",)

TRADE_BY_PARTNER_ANNUAL = CsvSpec(
    table="kosis_trade_by_partner_annual",
    relative_path="kosis_kdiplo/trade_data.csv",
    description=(
        "Korea's exports and imports by partner country, annual 1965-2023, with Korea's reported world totals "
        "(KOSIS DT_1R11006_FRM101, packaged by kjayhan/kdiplo). USD. Missing values are NULL (`NA` in the file)."
    ),
    columns=(
        Column("iso3c", pattern=r"[A-Z]{3}", nullable=False),
        Column("country", nullable=False),
        Column("year", "int", nullable=False),
        Column("export", "decimal", null_tokens=_NA),
        Column("import", "decimal", null_tokens=_NA),
        Column("total_export", "int", null_tokens=_NA),
        Column("total_import", "int", null_tokens=_NA),
        Column("export_kosis", "int", null_tokens=_NA),
        Column("import_kosis", "int", null_tokens=_NA),
        Column("export_cow", "decimal", null_tokens=_NA),
        Column("import_cow", "decimal", null_tokens=_NA),
        Column("export_cons_2015", "decimal", null_tokens=_NA),
        Column("import_cons_2015", "decimal", null_tokens=_NA),
        Column("total_export_cons_2015", "decimal", null_tokens=_NA),
        Column("total_import_cons_2015", "decimal", null_tokens=_NA),
        Column("updated_at", "date", null_tokens=_NA),
    ),
    key=("iso3c", "year"),
    units="USD",
)

TRADE_CHINA_MONTHLY = CsvSpec(
    table="kosis_trade_china_monthly",
    relative_path="kosis_monthly_china/korea-china-trade-data.csv",
    description=(
        "Korea's monthly exports to and imports from China, 2001-01 to 2019-12 (KOSIS DT_1R11006_FRM101). "
        "THOUSAND USD as published; staging converts to USD."
    ),
    columns=(
        Column("Country", nullable=False),
        # KOSIS monthly periods are YYYY.MM; a month 13 or a YYYY.M is a bad row, not a guess.
        Column("Date", pattern=r"\d{4}\.(0[1-9]|1[0-2])", nullable=False),
        Column("Exports", "int", nullable=False),
        Column("Imports", "int", nullable=False),
    ),
    key=("Country", "Date"),
    units="thousand USD",
)

COUNTRY_CODES = CsvSpec(
    table="kosis_country_codes",
    relative_path="kosis_meta/DT_1R11006_FRM101_country_codes.csv",
    description=(
        "KOSIS/KCS partner-country codes of DT_1R11006_FRM101 with Korean and English names: ISO 3166 alpha-2 plus "
        "special codes (00 total, ZZ/ZY others, EU, legacy codes). `NA` is Namibia, kept as text."
    ),
    columns=(
        Column("kosis_itm_id", nullable=False),
        Column("country_code", pattern=r"[0-9A-Z]{2}", nullable=False),
        Column("name_ko", nullable=False),
        Column("name_en", nullable=False),
    ),
    key=("country_code",),
)

SPECS = (TRADE_BY_PARTNER_ANNUAL, TRADE_CHINA_MONTHLY, COUNTRY_CODES)
