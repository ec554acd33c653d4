"""Validated reading of shipped CSV files: bytes in, typed rows out, or an error that names file, row and column.

No Dagster imports: the loaders in `defs/assets/` call this, and unit tests call it directly.

Three outcomes for bad input, by kind:
- the file cannot be trusted (missing/unexpected column, undecodable bytes, a value of the wrong type, a missing or
  duplicated key): SourceFileError, the asset fails, nothing is written;
- one row breaks a domain rule of its source (RowRule: unknown partner, negative value, month 13, malformed code):
  the row is quarantined with the reason and the rest loads;
- a known, unambiguous damage is repaired and flagged on the row (Repair: an HS code that lost its leading zero).

Row numbers are 1-based data rows; `line` is the file line a record starts on (header = line 1): row + 1, unless
blank lines or a quoted value spanning lines come before it. An error's line is found by reading the file again
(`with_line`), so a load that passes counts no lines.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

# pandas and numpy (~0.4 s to import) are imported where rows are read: a run whose files are unchanged (every
# file-backed asset keeps its load) and the definitions never need them.
if TYPE_CHECKING:
    import pandas as pd

ColumnKind = Literal["text", "int", "decimal", "date"]


class SourceFileError(ValueError):
    """A raw file that cannot be loaded as it is. The message names the file, and the row and column if known."""

    def __init__(
        self,
        file: str | Path,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        line: int | None = None,
    ) -> None:
        self.file = str(file)
        self.problem = problem
        self.row = row
        self.column = column
        self.line = line
        where = [self.file]
        if row is not None:
            where.append(f"row {row} (line {line if line is not None else row + 1})")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {problem}")


@dataclass(frozen=True)
class Column:
    """One source column as the file spells it, and what a valid value looks like."""

    name: str
    kind: ColumnKind = "text"
    nullable: bool = True
    # Tokens that mean "missing" in this file. Empty by default: `NA` is Namibia in KOSIS code lists.
    null_tokens: tuple[str, ...] = ()
    # For text columns: the whole value must match (after nulls are handled).
    pattern: str | None = None


@dataclass(frozen=True)
class RowRule:
    """A domain rule of one source: rows for which `breaks` is True are quarantined with `reason`."""

    column: str
    reason: str
    breaks: Callable[[pd.DataFrame], pd.Series]
    # The same rule as a SQL boolean over the typed (and repaired) columns, for the DuckDB-native load path
    # (warehouse/native_load.py); a callable is evaluated at load time (e.g. a code list read from a seed).
    sql: str | Callable[[], str] | None = None


@dataclass(frozen=True)
class Repair:
    """A known, unambiguous damage: `apply` returns the repaired column and a mask of the repaired rows.
    Repaired rows are flagged in the boolean column `flag`."""

    column: str
    flag: str
    apply: Callable[[pd.DataFrame], tuple[pd.Series, pd.Series]]
    # The same repair in SQL for the DuckDB-native load path: (repaired value, mask of repaired rows).
    sql: tuple[str, str] | None = None


@dataclass(frozen=True)
class ParsedFile:
    """Typed rows that load, rows quarantined with their reasons, and how many rows were repaired."""

    rows: pd.DataFrame
    quarantined: pd.DataFrame
    repaired: int


QUARANTINE_COLUMNS = ("_source_file", "_file_sha256", "_row_number", "column_name", "value", "reason", "record")


@dataclass(frozen=True)
class CsvSpec:
    """What a shipped CSV file must contain to be loaded into raw.<table>."""

    table: str
    relative_path: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    encoding: str = "utf-8"
    # "error": a column the spec does not know fails the load (schema drift is loud);
    # "text": such columns are kept as text (wide reference files whose other columns we only carry along).
    undeclared_columns: Literal["error", "text"] = "error"
    units: str = ""
    repairs: tuple[Repair, ...] = ()
    row_rules: tuple[RowRule, ...] = ()
    # "duckdb": loaded by warehouse/native_load.py (parse and validate in SQL; for large files); "pandas": by
    # parse_csv. Both apply the same columns, repairs and rules and fail with the same messages.
    engine: Literal["pandas", "duckdb"] = "pandas"
    # True where the publisher ends some records before their last fields: those are read as missing. Otherwise a
    # record with fewer fields than the header fails the file, as one with more always does.
    short_records: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode(data: bytes, file: str | Path, encoding: str) -> str:
    """Decode with the file's declared encoding; a BOM is dropped; an undecodable byte is an error, not a guess."""
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = line_breaks(data[: exc.start]) + 1
        raise SourceFileError(
            file, f"cannot decode byte {data[exc.start : exc.start + 1]!r} at line {line} as {encoding}"
        ) from None


_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Whole-number columns are 64-bit (Int64, BIGINT): a value that, read as a double, is 2^63 or more in size is out
# of range on both load paths.
INT64_LIMIT = 2.0**63


def line_breaks(data: bytes) -> int:
    """Line breaks in `data`, of any kind: \r\n, \n alone or \r alone (pandas and csv.reader take all three).
    The bytes \r and \n are never part of a multi-byte character in UTF-8 or CP949, so raw bytes can be counted."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def number_problem(original: str, number: float | None, kind: str) -> str:
    """Why a value of a number column is refused (both load paths say it alike): not a number, not whole, or a
    whole number beyond the 64-bit range."""
    whole = number is not None and math.isfinite(number) and number == math.floor(number)
    if kind == "int" and whole and abs(number) >= INT64_LIMIT:
        return f"'{original}' is a whole number beyond the 64-bit range"
    return f"'{original}' is not {'a whole number' if kind == 'int' else 'a number'}"


def ragged_record_problem(line: int, fields: int, header_fields: int) -> str:
    """A record with more or fewer fields than the header (both load paths say it alike)."""
    return f"not a readable CSV file: line {line} has {fields} fields where the header has {header_fields}"


def _records_with_lines(reader, file: str) -> Iterator[tuple[int, list[str]]]:
    """The records a strict csv.reader has left after the header, each with the line it starts on; blank lines are
    skipped, as pandas and DuckDB skip them. Text after a closing quote (`"K"R"`, which pandas reads as `KR"`) and
    a quote never closed fail the file, naming the line."""
    end = reader.line_num
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "end of data" in str(exc):
                problem = f"line {end + 1}: a quoted value is not closed before the end of the file"
            else:  # csv: "',' expected after '\"'"
                problem = (
                    f"line {reader.line_num}: text after the closing quote of a value ({exc}; a quote inside a "
                    'quoted value is written "")'
                )
            raise SourceFileError(file, f"not a readable CSV file: {problem}") from None
        start, end = end + 1, reader.line_num  # a quoted value may span lines
        if record:
            yield start, record


def check_header(header: list[str] | None, file: str, spec: CsvSpec) -> list[str]:
    """The header (csv.reader's first record) has every declared column, no undeclared one unless the spec allows
    it, and no name twice (pandas would rename the second `year` to `year.1`). Both load paths call this."""
    if header is None:
        raise SourceFileError(file, "not a readable CSV file: the file is empty")
    if not header:
        raise SourceFileError(file, "not a readable CSV file: line 1 is blank where the header should be")
    declared = [c.name for c in spec.columns]
    missing = [name for name in declared if name not in header]
    if missing:
        raise SourceFileError(file, f"missing column(s) {', '.join(map(repr, missing))}; the header has {header}")
    undeclared = [name for name in header if name not in declared]
    if undeclared and spec.undeclared_columns == "error":
        raise SourceFileError(
            file,
            f"unexpected column(s) {', '.join(map(repr, undeclared))}: the source changed its layout; "
            f"update the spec of raw.{spec.table}",
        )
    dupes = sorted({name for name in header if header.count(name) > 1})
    if dupes:
        raise SourceFileError(file, f"duplicated column name(s) {dupes}")
    return header


_SPACES_AFTER_QUOTE = re.compile(r'"[ ]+(?=,|\r|\n|$)')


def strict_reader(stream: TextIO):
    """csv.reader in strict mode (RFC 4180's quoting) over `stream`. DuckDB reads spaces between a closing quote
    and the next comma as nothing, strict mode refuses them: they are dropped here, for the checks only (the rows
    are read from the text as it is). What strict mode then refuses is other text after a closing quote, which
    pandas would append to the value (`"K"R"` read as `KR"`)."""
    return csv.reader((_SPACES_AFTER_QUOTE.sub('"', line) if '" ' in line else line for line in stream), strict=True)


def check_layout(stream: TextIO, file: str, spec: CsvSpec) -> None:
    """The header (check_header), then every record parses (RFC 4180's quoting) and has as many fields as the header
    (fewer if the spec allows `short_records`); the first that has not fails, naming the line it starts on. pandas
    itself would read a first record with one field too many as an index, every value one column to the left, and
    pad a short record with empty values. `stream`: text opened with newline="" (csv.reader takes every kind of
    line end)."""
    reader = strict_reader(stream)
    try:
        first = next(reader, None)
    except csv.Error as exc:
        raise SourceFileError(file, f"not a readable CSV file: the header does not parse ({exc})") from None
    header = check_header(first, file, spec)
    for line, record in _records_with_lines(reader, file):
        if len(record) > len(header) or (len(record) < len(header) and not spec.short_records):
            raise SourceFileError(file, ragged_record_problem(line, len(record), len(header)))


def with_line(error: SourceFileError, open_text: Callable[[], TextIO]) -> SourceFileError:
    """`error` with the line its data row starts on, read from the file's text again (`open_text`: opened with
    newline=""); an error without a row, or whose row the text does not hold, is returned as it is."""
    if error.row is None or error.line is not None:
        return error
    with open_text() as stream:
        reader = strict_reader(stream)
        next(reader, None)
        for row, (line, _) in enumerate(_records_with_lines(reader, error.file), start=1):
            if row == error.row:
                return SourceFileError(error.file, error.problem, row=error.row, column=error.column, line=line)
    return error


def _typed(series: pd.Series, col: Column, file: str) -> pd.Series:
    """Check every value of one column and return it typed. The first bad value raises with its row."""
    import numpy as np
    import pandas as pd

    stripped = series.str.strip()
    is_null = stripped.eq("") | stripped.isin(col.null_tokens)
    if not col.nullable and is_null.any():
        row = int(is_null.idxmax()) + 1
        raise SourceFileError(file, f"value is missing ('{series.iloc[row - 1]}')", row=row, column=col.name)

    if col.kind == "text":
        if col.pattern is not None:
            bad = ~is_null & ~stripped.str.fullmatch(col.pattern)
            if bad.any():
                row = int(bad.idxmax()) + 1
                raise SourceFileError(
                    file,
                    f"'{series.iloc[row - 1]}' does not match the expected form {col.pattern}",
                    row=row,
                    column=col.name,
                )
        return series.where(~is_null, None).astype("string")

    if col.kind in ("int", "decimal"):
        # Vectorised: anything to_numeric cannot read, or reads as inf/NaN text, is not a number.
        numbers = pd.to_numeric(stripped.where(~is_null), errors="coerce")
        bad = ~is_null & (numbers.isna() | ~np.isfinite(numbers.fillna(0)))
        if col.kind == "int":
            bad |= ~is_null & ((numbers.fillna(0) % 1 != 0) | (numbers.astype("float64").abs() >= INT64_LIMIT))
        if bad.any():
            row = int(bad.idxmax()) + 1
            number = numbers.iloc[row - 1]
            problem = number_problem(series.iloc[row - 1], None if pd.isna(number) else float(number), col.kind)
            raise SourceFileError(file, problem, row=row, column=col.name)
        if col.kind == "int":
            return numbers.astype("Int64")
        # + 0.0 turns -0.0 into 0.0: to_numeric reads '-0' as -0.0 or as 0 depending on the column's other values
        return numbers.astype("Float64") + 0.0

    values = stripped.where(~is_null, None)
    bad = ~is_null & ~stripped.str.match(_DATE_RE)
    if bad.any():
        row = int(bad.idxmax()) + 1
        raise SourceFileError(file, f"'{series.iloc[row - 1]}' is not a date YYYY-MM-DD", row=row, column=col.name)
    parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    bad = ~is_null & parsed.isna()
    if bad.any():
        row = int(bad.idxmax()) + 1
        raise SourceFileError(file, f"'{series.iloc[row - 1]}' is not a valid date", row=row, column=col.name)
    return parsed.dt.date


def parse_csv(data: bytes, spec: CsvSpec, file: str | Path) -> ParsedFile:
    """Parse and validate one CSV file's bytes against its spec.

    Returns the source's own columns, typed, plus `_row_number` (1-based data row), `_source_file`, `_file_sha256`
    and one boolean flag column per repair; rows that break a RowRule are in `quarantined`. Raises SourceFileError
    for a missing or unexpected column, an empty file, a value of the wrong type, a missing required value or a
    duplicated key.
    """
    file = str(file)
    text = decode(data, file, spec.encoding)
    check_layout(io.StringIO(text, newline=""), file, spec)
    try:
        return _parse_text(text, data, spec, file)
    except SourceFileError as exc:
        if exc.file != file:
            raise
        raise with_line(exc, lambda: io.StringIO(text, newline="")) from None


def _parse_text(text: str, data: bytes, spec: CsvSpec, file: str) -> ParsedFile:
    """parse_csv once the text decoded and every record has its fields."""
    import pandas as pd

    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, skipinitialspace=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceFileError(file, f"not a readable CSV file: {exc}") from None

    declared = [c.name for c in spec.columns]
    if frame.empty:
        raise SourceFileError(file, "the file has a header but no data rows")

    frame.index = pd.RangeIndex(len(frame))
    typed = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        col = spec.column(name) if name in declared else Column(name)
        typed[name] = _typed(frame[name], col, file)
    typed["_row_number"] = pd.array(range(1, len(typed) + 1), dtype="Int64")
    typed["_source_file"] = file
    typed["_file_sha256"] = sha256_of(data)

    repaired = 0
    for repair in spec.repairs:
        typed[repair.column], mask = repair.apply(typed)
        typed[repair.flag] = mask.astype(bool)
        repaired += int(mask.sum())

    quarantined, typed = _quarantine(typed, frame, spec.row_rules)
    assert_unique_key(typed, spec.key)
    return ParsedFile(rows=typed.reset_index(drop=True), quarantined=quarantined, repaired=repaired)


def _quarantine(typed: pd.DataFrame, text: pd.DataFrame, rules: tuple[RowRule, ...]):
    """Split off the rows that break a rule; each quarantined row keeps its first broken rule and its raw text."""
    import pandas as pd

    reasons = []
    remaining = pd.Series(True, index=typed.index)
    for rule in rules:
        broken = rule.breaks(typed).fillna(False).astype(bool) & remaining
        for index in broken[broken].index:
            reasons.append(
                {
                    "_source_file": typed.at[index, "_source_file"],
                    "_file_sha256": typed.at[index, "_file_sha256"],
                    "_row_number": int(typed.at[index, "_row_number"]),
                    "column_name": rule.column,
                    "value": str(text.at[index, rule.column]),
                    "reason": rule.reason,
                    # compact, as DuckDB's json_object writes it on the native path: one text for one record
                    "record": json.dumps(text.loc[index].to_dict(), ensure_ascii=False, separators=(",", ":")),
                }
            )
        remaining &= ~broken
    quarantined = pd.DataFrame(reasons, columns=list(QUARANTINE_COLUMNS))
    quarantined["_row_number"] = quarantined["_row_number"].astype("Int64")
    return quarantined, typed[remaining]


def assert_unique_key(rows: pd.DataFrame, key: tuple[str, ...]) -> None:
    """No key value is repeated (empty optional parts count as equal); the error names both places (file and row).
    Required key parts are declared nullable=False and checked while typing."""
    if not key:
        return
    duplicated = rows.duplicated(subset=list(key), keep=False)
    if duplicated.any():
        candidates = rows[duplicated]
        first = candidates.iloc[0]
        second = candidates[(candidates[list(key)] == first[list(key)]).all(axis=1)].iloc[1]
        key_value = ", ".join(f"{k}={str(first[k])!r}" for k in key)
        where = f"row {second['_row_number']}" + (
            "" if second["_source_file"] == first["_source_file"] else f" of {second['_source_file']}"
        )
        raise SourceFileError(
            first["_source_file"],
            f"duplicated key ({key_value}) also on {where}",
            row=int(first["_row_number"]),
            column=",".join(key),
        )


def read_csv_file(path: Path, spec: CsvSpec, display_name: str | None = None) -> ParsedFile:
    """Read and parse one file from disk; rows carry `_source_file`, `_file_sha256` and `_row_number`."""
    name = display_name or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceFileError(name, "file not found") from None
    return parse_csv(data, spec, name)


def read_csv_files(paths: list[tuple[Path, str]], spec: CsvSpec) -> ParsedFile:
    """Several files of one layout loaded as one table: (path, display name) pairs; keys unique across files."""
    import pandas as pd

    if not paths:
        raise SourceFileError(spec.relative_path, "no file matches")
    parts = [read_csv_file(path, spec, name) for path, name in paths]
    rows = pd.concat([part.rows for part in parts], ignore_index=True)
    try:
        assert_unique_key(rows, spec.key)
    except SourceFileError as exc:  # a key of an earlier file repeated in a later one: the earlier file's line
        path = next((path for path, name in paths if name == exc.file), None)
        if path is None:
            raise
        text = decode(path.read_bytes(), exc.file, spec.encoding)
        raise with_line(exc, lambda: io.StringIO(text, newline="")) from None
    return ParsedFile(
        rows=rows,
        quarantined=pd.concat([part.quarantined for part in parts], ignore_index=True),
        repaired=sum(part.repaired for part in parts),
    )
