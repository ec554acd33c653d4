"""Bank of Korea ECOS monthly trade by partner (tables 901Y011 exports, 901Y012 imports), as shipped in raw/."""

from __future__ import annotations

from .files import Column, CsvSpec

TRADE_BY_PARTNER_MONTHLY = CsvSpec(
    table="ecos_trade_by_partner_monthly",
    relative_path="ecos_monthly_by_partner/korea_trade_by_partner_monthly.csv",
    description=(
        "Korea's monthly exports (901Y011) and imports (901Y012) by partner, 2020-01 to 2025-06, Bank of Korea ECOS "
        "(Korea Customs Service data): selected partners and world exports only (no world imports; Viet Nam, Japan, "
        "Hong Kong … absent). THOUSAND USD as published; staging converts to USD."
    ),
    columns=(
        Column("period", pattern=r"\d{4}-(0[1-9]|1[0-2])", nullable=False),
        Column("partner_iso3", pattern=r"[A-Z]{3}", nullable=False),
        Column("partner_name", nullable=False),
        Column("flow", pattern=r"export|import", nullable=False),
        Column("value_thousand_usd", "int", nullable=False),
        Column("ecos_table", pattern=r"901Y01[12]", nullable=False),
    ),
    key=("period", "partner_iso3", "flow"),
    units="thousand USD",
)

SPECS = (TRADE_BY_PARTNER_MONTHLY,)
