"""How figures are written for people: the report's captions and the CLI's summary share these (no heavy imports,
so the CLI can use them without loading matplotlib)."""

from decimal import Decimal

USD_PER_BN = 1e9


def usd_bn(value_usd: float | Decimal) -> str:
    """US$ billions, one decimal, thousands separated; a negative figure as −US$18.0 bn (a minus sign, not a
    hyphen, before the currency), as the trade ministry and the press write a deficit."""
    return f"US${float(value_usd) / USD_PER_BN:,.1f} bn".replace("US$-", "−US$")


def percent(share: float, decimals: int = 1) -> str:
    """A share in [0, 1] as a percentage: 0.199 -> '19.9 %'."""
    return f"{share * 100:.{decimals}f} %"
