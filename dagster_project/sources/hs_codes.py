"""HS code rules shared by the product-level loaders. HS codes are text: leading zeros matter."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported where rows are made (~0.4 s): see sources/files.py
    import pandas as pd


def restore_lost_leading_zero(codes: pd.Series, expected_length: pd.Series | int) -> tuple[pd.Series, pd.Series]:
    """Codes that are all digits and exactly one digit short of their expected length lost a leading zero
    (a spreadsheet read `010619` as the number 10619): put it back. Returns (codes, mask of repaired rows)."""
    import pandas as pd

    codes = codes.astype("string")
    repaired = codes.str.fullmatch(r"\d+").fillna(False) & (
        codes.str.len() == pd.Series(expected_length, index=codes.index) - 1
    )
    return codes.where(~repaired, "0" + codes), repaired.astype(bool)


def is_malformed(codes: pd.Series, expected_length: pd.Series | int) -> pd.Series:
    """True where a code is not all digits of its expected length (after any repair)."""
    import pandas as pd

    codes = codes.astype("string")
    return ~(
        codes.str.fullmatch(r"\d+").fillna(False) & (codes.str.len() == pd.Series(expected_length, index=codes.index))
    )


# The same rules in SQL, for the DuckDB-native load path (warehouse/native_load.py). `code` and `length` are SQL
# expressions; a NULL code is neither repaired nor well-formed, as above.


def restore_lost_leading_zero_sql(code: str, length: str) -> tuple[str, str]:
    """(repaired code, mask of repaired rows) as SQL."""
    mask = f"coalesce(regexp_full_match({code}, '[0-9]+') AND length({code}) = ({length}) - 1, false)"
    return f"CASE WHEN {mask} THEN '0' || {code} ELSE {code} END", mask


def is_malformed_sql(code: str, length: str) -> str:
    return f"NOT coalesce(regexp_full_match({code}, '[0-9]+') AND length({code}) = ({length}), false)"


def not_in_sql(column: str, values: set[str]) -> str:
    """SQL: the column's value is not in `values`; a missing value is not in them either (as pandas' isin)."""
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in sorted(values))
    return f"({column} IS NULL OR {column} NOT IN ({listed}))"
