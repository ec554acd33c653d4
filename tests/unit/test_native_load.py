"""The DuckDB-native load path against a real DuckDB file: atomic replace, quarantine, errors across files.
(Parsing, typing and the rules are exercised by test_files.py and test_product_rules.py on both paths.)"""

import json
import sys

import duckdb
import pandas as pd
import pyarrow as pa
import pytest

from dagster_project import settings
from dagster_project.sources import comtrade, kita
from dagster_project.sources.files import SourceFileError, parse_csv, read_csv_files
from dagster_project.warehouse.native_load import load_csv_files
from tests.unit.native_parse import parse_csv_native, parse_files_native

HEADER = "Item,Country,Year,Month,Export_dollar,Export_weight,Import_dollar,Import_weight\n"


def write(path, *lines):
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def load(con, *paths):
    return load_csv_files(con, "raw", kita.TRADE_BY_PARTNER_MONTHLY, [(p, p.name) for p in paths], load_id="run")


def test_reload_replaces_rows_and_quarantine(tmp_path):
    good = write(
        tmp_path / "a.csv", "2811111000,China,2019,1,1,1.0,2,2.0\n", "2811111000,Atlantis,2019,1,1,1.0,2,2.0\n"
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        first, _ = load(con, good)
        second, parsed = load(con, good)
        rows = con.execute(
            "select Item, Country, _row_number, _source_file from raw.kita_hsk10_trade_by_partner_monthly"
        ).fetchall()
        rejects = con.execute("select _row_number, column_name, value from raw.quarantine").fetchall()
    assert (first.row_count, second.row_count, second.quarantined_count) == (1, 1, 1)
    assert rows == [("2811111000", "China", 1, "a.csv")]
    assert rejects == [(2, "Country", "Atlantis")]
    assert parsed.reasons == {"unknown partner name (not in the dbt seed country_name_crosswalk)": 1}


def test_a_bad_file_fails_with_its_location_and_keeps_the_previous_load(tmp_path):
    good = write(tmp_path / "a.csv", "2811111000,China,2019,1,1,1.0,2,2.0\n")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load(con, good)
        bad = write(
            tmp_path / "a.csv", "2811111000,China,2019,1,1,1.0,2,2.0\n", "2811111000,Japan,2019,x,1,1.0,2,2.0\n"
        )
        with pytest.raises(
            SourceFileError, match=r"a.csv, row 2 \(line 3\), column 'Month': 'x' is not a whole number"
        ):
            load(con, bad)
        assert con.execute("select count(*) from raw.kita_hsk10_trade_by_partner_monthly").fetchone() == (1,)


def test_a_key_repeated_across_files_names_both_files(tmp_path):
    first = write(tmp_path / "a.csv", "2811111000,China,2019,1,1,1.0,2,2.0\n")
    second = write(tmp_path / "b.csv", "2811111000,Japan,2019,1,1,1.0,2,2.0\n", "2811111000,China,2019,1,5,1.0,2,2.0\n")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        with pytest.raises(SourceFileError, match=r"a.csv, row 1 \(line 2\), .*also on row 2 of b.csv"):
            load(con, first, second)
        assert con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' "
            "and table_name = 'kita_hsk10_trade_by_partner_monthly'"
        ).fetchone() == (0,)


def test_a_key_repeated_across_files_names_the_first_files_line_on_both_paths(tmp_path):
    """The earlier file's row is named with its own line (a blank line above it), as the pandas path names it."""
    first = write(tmp_path / "a.csv", "\n2811111000,China,2019,1,1,1.0,2,2.0\n")
    second = write(tmp_path / "b.csv", "2811111000,China,2019,1,5,1.0,2,2.0\n")
    expected = r"^a.csv, row 1 \(line 3\), column 'Item,Country,Year,Month': duplicated key .* also on row 1 of b.csv$"
    with pytest.raises(SourceFileError, match=expected):
        read_csv_files([(first, first.name), (second, second.name)], kita.TRADE_BY_PARTNER_MONTHLY)
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con, pytest.raises(SourceFileError, match=expected):
        load(con, first, second)


def test_the_raw_table_keeps_file_order_across_files_and_row_groups(tmp_path):
    """The load writes the rows without sorting them (configure preserves insertion order): 300,000 rows span
    several of DuckDB's row groups, which its threads (settings.duckdb_threads) would otherwise write out of
    order."""
    files = []
    for name, start in (("a.csv", 0), ("b.csv", 150_000)):
        lines = (f"{2800000000 + i},China,2019,1,{i},1.0,2,2.0\n" for i in range(start, start + 150_000))
        files.append(write(tmp_path / name, *lines))
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        load(con, *files)
        order = con.execute(
            "select _source_file, _row_number, Export_dollar from raw.kita_hsk10_trade_by_partner_monthly"
        ).fetchall()
    assert [(f, r) for f, r, _ in order] == [("a.csv", r) for r in range(1, 150_001)] + [
        ("b.csv", r) for r in range(1, 150_001)
    ]
    assert [v for _, _, v in order] == list(range(300_000))


def test_the_fast_strip_is_pythons_str_strip_as_on_the_pandas_path():
    """native_load strips values as the pandas path's str.strip() does (one rule on both paths), with a regexp guard
    in front of trim(value, <the characters>) (faster). Every code point at both ends, each blank at one end and
    inside; neither DuckDB's plain trim() (no tabs, line ends or other controls) nor ' \\t\\r\\n' alone (no
    U+00A0, U+3000) is the same."""
    from dagster_project.warehouse.native_load import _strip

    chars = [chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF]
    values = [f"{c}1{c}" for c in chars]  # each code point at both ends
    blanks = [c for c in chars if c.isspace()]
    values += [f"{c}1" for c in blanks] + [f"1{c}" for c in blanks] + [f"1{c}1" for c in blanks]
    values += ["", " ", " \t ", "a b", " 한국 ", "\u00a0\t1\r\n\u3000", None]
    with duckdb.connect() as con:
        con.register("values_table", pa.table({"value": values}))
        stripped = con.execute(f"select {_strip('value')} from values_table").fetchall()
    wrong = [(v, s) for v, (s,) in zip(values, stripped, strict=True) if s != (None if v is None else v.strip())]
    assert wrong == []


def records(frame) -> list[tuple]:
    """A frame's rows as tuples of plain values (None for missing), whatever the engine's dtypes."""
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.astype(object).itertuples(index=False)]


@pytest.mark.parametrize("spec", [kita.TRADE_BY_PARTNER_MONTHLY, comtrade.LEGACY_TRADE], ids=lambda spec: spec.table)
def test_the_shipped_files_of_a_native_source_load_as_on_the_pandas_path(spec):
    """These sources moved onto the native path with their rules unchanged: on every shipped file of theirs, the
    pandas path (the reference) and the native one give the same typed rows, quarantine and repairs."""
    assert spec.engine == "duckdb"
    paths = [(path, path.name) for path in sorted(settings.DEFAULT_RAW_DIR.glob(spec.relative_path))]
    assert paths, spec.relative_path
    reference, native = read_csv_files(paths, spec), parse_files_native(paths, spec)
    assert list(native.rows.columns) == list(reference.rows.columns)
    assert len(reference.rows) > 0 and records(native.rows) == records(reference.rows)
    assert records(native.quarantined) == records(reference.quarantined)
    assert native.repaired == reference.repaired


def test_a_quarantined_record_is_the_same_json_text_on_both_paths():
    """The raw record kept in raw.quarantine: pandas wrote JSON with spaces after `,` and `:`, DuckDB without."""
    names = ['"At""la\\ntis"', "한국어나라", '"a\tb"', '"\x01z"']  # quote, backslash, tab, control, Korean
    data = (HEADER + "".join(f"2811111000,{name},2019,1,1,1.0,2,2.0\n" for name in names)).encode()
    reference = parse_csv(data, kita.TRADE_BY_PARTNER_MONTHLY, "k.csv").quarantined["record"].tolist()
    assert len(reference) == len(names)
    assert parse_csv_native(data, kita.TRADE_BY_PARTNER_MONTHLY, "k.csv").quarantined["record"].tolist() == reference
    assert json.loads(reference[0])["Country"] == 'At"la\\ntis'
