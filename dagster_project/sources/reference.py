"""Reference files shipped in raw/reference: ISO country codes and the official figures to reproduce."""

from __future__ import annotations

from .files import Column, CsvSpec

COUNTRY_CODES = CsvSpec(
    table="ref_country_codes",
    relative_path="reference/country-codes.csv",
    description=(
        "ISO 3166-1 alpha-2/alpha-3/numeric, UN M49 and names of 249 countries (datasets/country-codes). "
        "Namibia's alpha-2 `NA` is kept as text. Columns not used by the models are carried as text."
    ),
    columns=(
        Column("ISO3166-1-Alpha-3", pattern=r"[A-Z]{3}", nullable=False),
        Column("ISO3166-1-Alpha-2", pattern=r"[A-Z]{2}", nullable=False),
        Column("ISO3166-1-numeric", pattern=r"\d{1,3}", nullable=False),
        Column("M49", "int"),
        Column("official_name_en"),
        Column("CLDR display name"),
        Column("Region Name"),
        Column("Sub-region Name"),
    ),
    key=("ISO3166-1-Alpha-3",),
    undeclared_columns="text",
)

REFERENCE_FIGURES = CsvSpec(
    table="ref_reference_figures",
    relative_path="reference/reference_figures.csv",
    description=(
        "Official headline figures the warehouse must reproduce (trade ministry releases, KOSIS, IMF, UN Comtrade), "
        "with their sources. value_usd is USD, except a ratio for flow = import_dependence."
    ),
    columns=(
        Column("figure_id", pattern=r"[a-z0-9_]+", nullable=False),
        Column("reporter_iso3", pattern=r"[A-Z]{3}", nullable=False),
        Column("partner_iso3", pattern=r"[A-Z]{3}"),
        Column("flow", pattern=r"export|import|balance|import_dependence", nullable=False),
        # YYYY, YYYY-MM, or a multi-year sum like "2023+2024 (sum)".
        Column("period", pattern=r"\d{4}(-(0[1-9]|1[0-2]))?|\d{4}(\+\d{4})+ \(sum\)", nullable=False),
        Column("value_usd", "decimal"),
        Column("source", nullable=False),
        Column("source_location"),
        Column("note"),
    ),
    key=("figure_id",),
)


HS_CODES = CsvSpec(
    table="ref_hs_codes",
    relative_path="reference/harmonized-system.csv",
    description="HS 2022 nomenclature: HS2/HS4/HS6 codes (text, leading zeros kept), descriptions, parent, section.",
    columns=(
        Column("section", nullable=False),
        Column("hscode", pattern=r"\d{2}|\d{4}|\d{6}|TOTAL", nullable=False),
        Column("description", nullable=False),
        Column("parent", pattern=r"TOTAL|\d{2}|\d{4}", nullable=False),
        Column("level", "int", nullable=False),
    ),
    key=("hscode",),
)

HS_SECTIONS = CsvSpec(
    table="ref_hs_sections",
    relative_path="reference/hs-sections.csv",
    description="The 21 sections of the HS nomenclature (Roman numerals) and their names.",
    columns=(Column("section", pattern=r"[IVXL]+", nullable=False), Column("name", nullable=False)),
    key=("section",),
)

COMTRADE_AREA_CODES = CsvSpec(
    table="ref_comtrade_area_codes",
    relative_path="reference/comtrade_uncode_to_iso.csv",
    description=(
        "UN Comtrade numeric area codes with ISO2/ISO3/ISO numeric (UK-BIS-Analysis/trademap). Literal NULL means "
        "no code; known errors are corrected by the dbt seed comtrade_partner_overrides."
    ),
    columns=(
        Column("unCode", pattern=r"\d+", nullable=False),
        Column("name", nullable=False),
        Column("iso2letter"),
        Column("iso3letter"),
        Column("isoNumerical"),
        Column("Notes"),
    ),
    key=("unCode",),
    short_records=True,  # the last record (535, Bonaire) has no Notes field, not even an empty one
)

SPECS = (COUNTRY_CODES, REFERENCE_FIGURES, HS_CODES, HS_SECTIONS, COMTRADE_AREA_CODES)
