"""parse_csv: typed rows from good files, and errors naming file, row and column for bad ones."""

import dataclasses
import math

import pytest

from dagster_project.sources import kosis
from dagster_project.sources.files import Column, CsvSpec, SourceFileError, parse_csv
from dagster_project.warehouse import native_load
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


@pytest.mark.parametrize(
    ("body", "line", "fields"),
    [
        # the first record one field too long: pandas read it as an index, every value one column to the left
        ("KR,2022,1,9\nCN,2022,2\n", 2, 4),
        ("KR,2022,1\nCN,2022,2,9\n", 3, 4),
        ("KR,2022,1\n\nCN,2022\n", 4, 2),  # short: pandas padded it with empty values; blank lines are skipped
        ("KR,2022,1,\nCN,2022,2,\n", 2, 4),  # a delimiter at the end of every line
    ],
    ids=["long_first", "long_later", "short", "trailing_delimiter"],
)
def test_a_record_whose_field_count_differs_from_the_header_fails_the_file_naming_its_line(body, line, fields):
    with pytest.raises(SourceFileError) as error:
        parse("code,year,value\n" + body)
    assert str(error.value) == (
        f"raw/t.csv: not a readable CSV file: line {line} has {fields} fields where the header has 3"
    )


def test_a_spec_that_allows_short_records_reads_their_missing_fields_as_missing():
    spec = dataclasses.replace(SPEC, short_records=True)
    frame = parse("code,year,value\nKR,2022\nCN,2022,2\n", spec)
    assert frame["value"].isna().tolist() == [True, False]
    with pytest.raises(SourceFileError, match="line 2 has 4 fields where the header has 3"):
        parse("code,year,value\nKR,2022,1,9\n", spec)  # a long one still fails


@pytest.mark.parametrize(
    ("record", "column", "problem"),
    [
        ("CN,1_000,2", "year", "'1_000' is not a whole number"),  # DuckDB's cast reads 1000, pandas does not
        ("CN,2022,1_000.5", "value", "'1_000.5' is not a number"),
        ("CN,9223372036854775808,2", "year", "'9223372036854775808' is a whole number beyond the 64-bit range"),
        ("CN,-1e19,2", "year", "'-1e19' is a whole number beyond the 64-bit range"),
        ("CN,2019.5,2", "year", "'2019.5' is not a whole number"),
    ],
    ids=["underscore_int", "underscore_decimal", "beyond_int64", "beyond_int64_negative", "fraction"],
)
def test_a_number_column_refuses_what_the_pandas_reader_does_not_read(record, column, problem):
    """Before, the native path loaded '1_000' and both paths stopped on a 20-digit year with an error that named
    neither file, row nor column."""
    with pytest.raises(SourceFileError) as error:
        parse(f"code,year,value\nKR,2022,1\n{record}\n")
    assert str(error.value) == f"raw/t.csv, row 2 (line 3), column '{column}': {problem}"


def test_the_largest_whole_numbers_a_double_tells_apart_load():
    frame = parse("code,year,value\nKR,9007199254740992,1\nCN,-9007199254740992,2\n")
    assert frame["year"].tolist() == [2**53, -(2**53)]


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


@pytest.mark.parametrize("spec_columns", ["error", "text"], ids=["undeclared_fail", "undeclared_kept"])
def test_a_column_named_twice_fails_the_file(spec_columns):
    """pandas renames the second `extra` to `extra.1`: the pandas path then named a column the file does not have,
    or, where undeclared columns are kept, loaded both."""
    spec = CsvSpec(**{**SPEC.__dict__, "undeclared_columns": spec_columns})
    with pytest.raises(SourceFileError) as error:
        parse("code,year,value,value\nKR,2023,1,2\n", spec)
    assert str(error.value) == "raw/t.csv: duplicated column name(s) ['value']"
    if spec_columns == "text":
        with pytest.raises(SourceFileError, match=r"^raw/t.csv: duplicated column name\(s\) \['extra'\]$"):
            parse("code,year,value,extra,extra\nKR,2023,1,a,b\n", spec)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "the file is empty"),
        ("\ufeff", "the file is empty"),  # a byte order mark alone
        ("\ncode,year,value\nKR,2023,1\n", "line 1 is blank where the header should be"),
        (
            'code,year,value\nKR,2023,1\n"CN,2023,2\nUS,2023,3\n',
            "line 3: a quoted value is not closed before the end of the file",
        ),
        *(
            (
                f"code,year,value\nKR,2023,1\n{record}\n",
                "line 3: text after the closing quote of a value (',' expected after '\"'; "
                'a quote inside a quoted value is written "")',
            )
            for record in ('"K"R",2023,2', '"CN"x,2023,2', 'CN,"2023"\t,2')
        ),
        ('"code"x,year,value\nKR,2023,1\n', "the header does not parse (',' expected after '\"')"),
    ],
    ids=[
        "empty",
        "bom_only",
        "blank_first_line",
        "unclosed_quote",
        "quote_in_quoted",
        "text_after",
        "tab_after",
        "text_after_in_header",
    ],
)
def test_a_file_without_a_readable_layout_fails_alike_on_both_paths(text, problem):
    with pytest.raises(SourceFileError) as error:
        parse(text)
    assert str(error.value) == f"raw/t.csv: not a readable CSV file: {problem}"


def test_spaces_after_a_closing_quote_are_not_text_after_it():
    """DuckDB reads `"2023" ,` as 2023; so does the pandas path (csv.reader's strict mode alone would refuse it)."""
    frame = parse('code,year,value\n"KR" ,"2023"  ,"1" \n')
    assert (frame.loc[0, "year"], frame.loc[0, "value"]) == (2023, 1.0)


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


LINE_ENDS = {
    "crlf": ["\r\n"] * 4,
    "cr": ["\r"] * 4,  # classic Mac OS
    "crlf_header_lf_rows": ["\r\n", "\n", "\n", "\n"],  # saved on Windows, appended to on Unix
    "lf_and_cr": ["\n", "\r", "\n", "\r"],
}


def with_line_ends(records: list[str], ends: list[str]) -> str:
    return "".join(record + end for record, end in zip(records, ends, strict=True))


@pytest.fixture
def chunk(request, monkeypatch):
    """The native path reads a file in chunks of this many bytes (None: its own size); small ones put a \r\n
    across two reads."""
    if request.param is not None:
        monkeypatch.setattr(native_load, "_CHUNK", request.param)


@pytest.mark.parametrize("chunk", [None, 1, 2, 5], ids=["one_chunk", "chunk1", "chunk2", "chunk5"], indirect=True)
@pytest.mark.parametrize("ends", LINE_ENDS.values(), ids=LINE_ENDS.keys())
def test_any_line_ends_read_as_the_same_file_with_newlines(ends, chunk):
    """DuckDB's reader takes one kind of line end per file and failed on a file that mixes them, which pandas reads;
    a file with \r alone failed the native path with a bare csv.Error naming no file."""
    records = ["code,year,value", "KR,2022,1.5", "CN,2023,", "NA,2024,3"]
    expected = parse(with_line_ends(records, ["\n"] * 4)).drop(columns="_file_sha256")  # the bytes differ
    assert expected["code"].tolist() == ["KR", "CN", "NA"]
    assert parse(with_line_ends(records, ends)).drop(columns="_file_sha256").equals(expected)


@pytest.mark.parametrize("chunk", [None, 1, 2, 5], ids=["one_chunk", "chunk1", "chunk2", "chunk5"], indirect=True)
@pytest.mark.parametrize("ends", LINE_ENDS.values(), ids=LINE_ENDS.keys())
def test_errors_in_a_file_with_any_line_ends_name_the_same_line(ends, chunk):
    ragged = with_line_ends(["code,year,value", "KR,2022,1", "CN,2022,2", "NA,2022,3,9"], ends)
    with pytest.raises(SourceFileError, match=r"^raw/t.csv: not a readable CSV file: line 4 has 4 fields"):
        parse(ragged)
    undecodable = with_line_ends(["code,year,value", "KR,2022,1", "CN,2022,2", "NA,2022,\udcff"], ends)
    with pytest.raises(SourceFileError, match=r"^raw/t.csv: cannot decode byte b'\\xff' at line 4 as utf-8$"):
        parse_csv(undecodable.encode("utf-8", "surrogateescape"), SPEC, "raw/t.csv")


@pytest.mark.parametrize(
    ("before", "line"),
    [
        ("KR,2022,1\n", 3),
        ("KR,2022,1\n\n\n", 5),  # blank lines: skipped by both readers, but lines of the file
        ('"K\nR",2022,1\n', 4),  # a quoted value that spans two lines
    ],
    ids=["plain", "blank_lines", "quoted_line_break"],
)
def test_an_error_names_the_line_its_record_starts_on(before, line):
    """The line was row + 1 on both paths, and DuckDB named a record's number as its line: wrong below a blank line
    or a quoted line break."""
    spec = dataclasses.replace(SPEC, columns=(Column("code", nullable=False), *SPEC.columns[1:]))  # any code
    with pytest.raises(SourceFileError) as error:
        parse(f"code,year,value\n{before}CN,20x2,2\n", spec)
    assert str(error.value) == f"raw/t.csv, row 2 (line {line}), column 'year': '20x2' is not a whole number"
    with pytest.raises(SourceFileError) as error:
        parse(f"code,year,value\n{before}CN,2022,2,9\n", spec)
    assert str(error.value) == f"raw/t.csv: not a readable CSV file: line {line} has 4 fields where the header has 3"
    with pytest.raises(SourceFileError) as error:
        parse(f"code,year,value\n{before}CN,2022,2\nCN,2022,3\n", spec)
    assert str(error.value).startswith(f"raw/t.csv, row 2 (line {line}), column 'code,year': duplicated key")


def test_kosis_month_13_is_rejected():
    text = '"Country","Date",Exports,Imports\n"China, peoples\' republic of","2019.13",1,2\n'
    with pytest.raises(SourceFileError) as error:
        parse_csv(text.encode(), kosis.TRADE_CHINA_MONTHLY, "raw/m.csv")
    assert (error.value.row, error.value.column) == (1, "Date")


def test_a_negative_zero_loads_as_zero():
    """'-0' read as -0.0 on the native path and, with pandas, as 0.0 or -0.0 depending on the column's other values."""
    frame = parse("code,year,value\nKR,2022,-0\nCN,2022,-0.0\nUS,2022,0.5\n")
    assert [math.copysign(1, value) for value in frame["value"]] == [1, 1, 1]
    assert parse("code,year,value\nKR,2022,-0\n")["value"].tolist() == [0.0]
