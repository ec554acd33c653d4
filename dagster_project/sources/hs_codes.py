"""HS code rules shared by the product-level loaders. HS codes are text: leading zeros matter."""

import pandas as pd


def restore_lost_leading_zero(codes: pd.Series, expected_length: pd.Series | int) -> tuple[pd.Series, pd.Series]:
    """Codes that are all digits and exactly one digit short of their expected length lost a leading zero
    (a spreadsheet read `010619` as the number 10619): put it back. Returns (codes, mask of repaired rows)."""
    codes = codes.astype("string")
    repaired = codes.str.fullmatch(r"\d+").fillna(False) & (
        codes.str.len() == pd.Series(expected_length, index=codes.index) - 1
    )
    return codes.where(~repaired, "0" + codes), repaired.astype(bool)


def is_malformed(codes: pd.Series, expected_length: pd.Series | int) -> pd.Series:
    """True where a code is not all digits of its expected length (after any repair)."""
    codes = codes.astype("string")
    return ~(
        codes.str.fullmatch(r"\d+").fillna(False) & (codes.str.len() == pd.Series(expected_length, index=codes.index))
    )
