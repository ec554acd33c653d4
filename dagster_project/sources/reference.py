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

SPECS = (COUNTRY_CODES, REFERENCE_FIGURES)
