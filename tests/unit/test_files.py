"""parse_csv: typed rows from good files, and errors naming file, row and column for bad ones."""

import pytest

from dagster_project.sources import kosis
from dagster_project.sources.files import Column, CsvSpec, SourceFileError, parse_csv
from tests.unit.native_parse import parse_csv_native

SPEC = CsvSpec(
    table="t",
    relative_path="t.csv",
    description="test spec",
    columns=(
        Column("code", pattern=r"[A-Z]{2}", nullable=False),
        Column("year", "int", nullable=False),
        Column("value", "decimal", null_tokens=("NA",)),
    ),
    key=("code", "year"),
)


@pytest.fixture(autouse=True, params=["pandas", "duckdb"])
def engine(request, monkeypatch):
    """Every test runs against both load paths: parse_csv (pandas) and the DuckDB-native one."""
    if request.param == "duckdb":
        monkeypatch.setitem(globals(), "parse_csv", parse_csv_native)
    return request.param


def parse(text: str, spec: CsvSpec = SPEC, encoding: str = "utf-8"):
    return parse_csv(text.encode(encoding), spec, "raw/t.csv").rows


def test_types_values_and_keeps_namibia():
    frame = parse("code,year,value\nNA,2023,1.5\nKR,2023,NA\n")
    assert frame["code"].tolist() == ["NA", "KR"]  # Namibia is a code, not a missing value
    assert frame["year"].tolist() == [2023, 2023]
    assert frame.loc[0, "value"] == 1.5
    assert frame["value"].isna().tolist() == [False, True]
    assert frame["_row_number"].tolist() == [1, 2]


def test_missing_column_names_file_and_column():
    with pytest.raises(SourceFileError) as error:
        parse("code,year\nKR,2023\n")
    assert error.value.file == "raw/t.csv"
    assert "missing column(s) 'value'" in str(error.value)


def test_non_numeric_value_names_row_and_column():
    with pytest.raises(SourceFileError) as error:
        parse("code,year,value\nKR,2022,1\nKR,2023,12x\n")
    assert (error.value.row, error.value.column) == (2, "value")
    assert str(error.value) == "raw/t.csv, row 2 (line 3), column 'value': '12x' is not a number"


def test_duplicated_key_names_both_rows():
    with pytest.raises(SourceFileError) as error:
        parse("code,year,value\nKR,2023,1\nCN,2023,2\nKR,2023,3\n")
    assert error.value.row == 1
    assert "duplicated key (code='KR', year='2023') also on row 3" in str(error.value)


def test_missing_required_value():
    with pytest.raises(SourceFileError) as error:
        parse("code,year,value\nKR,,1\n")
    assert (error.value.row, error.value.column) == (1, "year")


def test_unexpected_column_is_schema_drift():
    with pytest.raises(SourceFileError, match="unexpected column\\(s\\) 'extra'"):
        parse("code,year,value,extra\nKR,2023,1,x\n")


def test_undeclared_columns_kept_as_text_when_allowed():
    spec = CsvSpec(**{**SPEC.__dict__, "undeclared_columns": "text"})
    frame = parse("code,year,value,extra\nKR,2023,1,NA\n", spec)
    assert frame.loc[0, "extra"] == "NA"


def test_header_only_file_is_an_error():
    with pytest.raises(SourceFileError, match="no data rows"):
        parse("code,year,value\n")


def test_byte_order_mark_is_not_part_of_the_first_column():
    frame = parse_csv("\ufeffcode,year,value\nKR,2023,1\n".encode("utf-8"), SPEC, "raw/t.csv").rows
    assert list(frame.columns[:3]) == ["code", "year", "value"]


def test_cp949_file_decodes_when_declared_and_fails_clearly_when_not():
    spec = CsvSpec(**{**SPEC.__dict__, "columns": (*SPEC.columns, Column("name"))})
    data = "code,year,value,name\nKR,2023,1,총계\n".encode("cp949")
    assert parse_csv(data, CsvSpec(**{**spec.__dict__, "encoding": "cp949"}), "x.csv").rows.loc[0, "name"] == "총계"
    with pytest.raises(SourceFileError, match=r"cannot decode byte .* at line 2 as utf-8"):
        parse_csv(data, spec, "x.csv")


def test_kosis_month_13_is_rejected():
    text = '"Country","Date",Exports,Imports\n"China, peoples\' republic of","2019.13",1,2\n'
    with pytest.raises(SourceFileError) as error:
        parse_csv(text.encode(), kosis.TRADE_CHINA_MONTHLY, "raw/m.csv")
    assert (error.value.row, error.value.column) == (1, "Date")
