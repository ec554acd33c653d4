"""Row rules of the product-level loaders: which bad input is repaired, quarantined or fails the file."""

import pytest

from dagster_project.sources import comtrade, kita
from dagster_project.sources.files import SourceFileError, parse_csv
from tests.unit.native_parse import parse_csv_native

KITA_HEADER = "Item,Country,Year,Month,Export_dollar,Export_weight,Import_dollar,Import_weight\n"


@pytest.fixture(autouse=True, params=["pandas", "duckdb"])
def engine(request, monkeypatch):
    """Every test runs against both load paths: parse_csv (pandas) and the DuckDB-native one."""
    if request.param == "duckdb":
        monkeypatch.setitem(globals(), "parse_csv", parse_csv_native)
    return request.param


def parse_kita(*lines: str):
    return parse_csv((KITA_HEADER + "".join(lines)).encode(), kita.TRADE_BY_PARTNER_MONTHLY, "raw/kita.csv")


def test_kita_hsk_code_that_lost_its_leading_zero_is_restored_and_flagged():
    parsed = parse_kita("281111100,China,2019,1,1,1.0,2,2.0\n", "2811111000,Japan,2019,1,1,1.0,2,2.0\n")
    assert parsed.rows["Item"].tolist() == ["0281111100", "2811111000"]
    assert parsed.rows["_hs_code_repaired"].tolist() == [True, False]
    assert parsed.repaired == 1 and parsed.quarantined.empty


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        (
            "2811111000,Atlantis,2019,1,1,1.0,2,2.0\n",
            "Country",
            "unknown partner name (not in the dbt seed country_name_crosswalk)",
        ),
        ("2811111000,,2019,1,1,1.0,2,2.0\n", "Country", "partner missing"),
        ("2811111000,China,2019,13,1,1.0,2,2.0\n", "Month", "month outside 1-12"),
        ("2811111000,China,2019,1,1,1.0,-2,2.0\n", "Import_dollar", "negative value in Import_dollar"),
        ("28111110,China,2019,1,1,1.0,2,2.0\n", "Item", "HSK code is not 10 digits"),
    ],
    ids=["unknown_partner", "missing_partner", "month_13", "negative_value", "short_code"],
)
def test_kita_rows_that_break_a_rule_are_quarantined_with_the_reason(line, column, reason):
    parsed = parse_kita("2811111000,Japan,2019,1,1,1.0,2,2.0\n", line)
    assert parsed.rows["Country"].tolist() == ["Japan"]  # the good row still loads
    [rejected] = parsed.quarantined.to_dict("records")
    assert (rejected["_row_number"], rejected["column_name"], rejected["reason"]) == (2, column, reason)
    assert rejected["_source_file"] == "raw/kita.csv"
    assert line.rstrip("\n").split(",")[0] in rejected["record"]


def test_kita_numbers_padded_with_unicode_spaces_load_as_the_clean_numbers():
    """Cells copied from web pages carry no-break (U+00A0) and ideographic (U+3000) spaces: both paths strip a number
    of what str.strip() strips, so one file loads the same on either (text is kept as published on both)."""
    padded = parse_kita("2811111000,China,\u00a02019,1\u3000,\u00a01,1.0 ,\t2\u3000,\u20002.0\n")
    clean = parse_kita("2811111000,China,2019,1,1,1.0,2,2.0\n")
    different_bytes = ["_file_sha256"]
    assert padded.rows.drop(columns=different_bytes).to_dict("records") == clean.rows.drop(
        columns=different_bytes
    ).to_dict("records")
    assert padded.quarantined.empty and padded.repaired == 0


def test_kita_non_numeric_value_still_fails_the_file():
    with pytest.raises(SourceFileError, match="row 1 \\(line 2\\), column 'Import_dollar': 'n/a' is not a number"):
        parse_kita("2811111000,China,2019,1,1,1.0,n/a,2.0\n")


COMTRADE_HEADER = (
    "Classification,Year,Period,Period Desc.,Aggregate Level,Is Leaf Code,Trade Flow Code,Trade Flow,Reporter Code,"
    "Reporter,Reporter ISO,Partner Code,Partner,Partner ISO,2nd Partner Code,2nd Partner,2nd Partner ISO,"
    "Customs Proc. Code,Customs,Mode of Transport Code,Mode of Transport,Commodity Code,Commodity,Qty Unit Code,"
    "Qty Unit,Qty,Alt Qty Unit Code,Alt Qty Unit,Alt Qty,Netweight (kg),Gross weight (kg),Trade Value (US$),"
    "CIF Trade Value (US$),FOB Trade Value (US$),Flag\n"
)


def comtrade_row(partner="392", code="281111", level="6", value="100"):
    return (
        f"H5,2018,2018,2018,{level},1,1,Import,410,Rep. of Korea,KOR,{partner},P,,,,,,,,,{code},c,8,kg,1,,,,"
        f"5,,{value},,,0\n"
    )


def parse_comtrade(*rows: str):
    return parse_csv((COMTRADE_HEADER + "".join(rows)).encode(), comtrade.LEGACY_TRADE, "raw/comtrade.csv")


def test_comtrade_code_one_digit_short_of_its_aggregate_level_is_restored():
    parsed = parse_comtrade(comtrade_row(code="10619"), comtrade_row(code="281111"))
    assert parsed.rows["Commodity Code"].tolist() == ["010619", "281111"]
    assert parsed.rows["_hs_code_repaired"].tolist() == [True, False]


@pytest.mark.parametrize(
    ("row", "column", "reason_start"),
    [
        (comtrade_row(partner="999999"), "Partner Code", "unknown partner code"),
        (comtrade_row(code="2811"), "Commodity Code", "commodity code does not have the digits"),
        (comtrade_row(value="-5"), "Trade Value (US$)", "negative value"),
    ],
    ids=["unknown_partner_code", "code_two_digits_short", "negative_value"],
)
def test_comtrade_rows_that_break_a_rule_are_quarantined(row, column, reason_start):
    parsed = parse_comtrade(comtrade_row(partner="156"), row)
    assert parsed.rows["Partner Code"].tolist() == ["156"]
    [rejected] = parsed.quarantined.to_dict("records")
    assert rejected["column_name"] == column and rejected["reason"].startswith(reason_start)


def test_comtrade_override_codes_are_known_partners():
    # 490 ("Other Asia, nes" = Taiwan) is in the shipped crosswalk; 531 (Curaçao) only in the override seed.
    assert {"490", "531", "842", "0"} <= comtrade.known_partner_codes()
