"""Validated reading of shipped CSV files: bytes in, typed rows out, or an error that names file, row and column.

No Dagster imports: the loaders in `defs/assets/` call this, and unit tests call it directly.

Row numbers in errors are 1-based data rows; `line` is the file line (header = line 1), which equals
row + 1 for files without quoted line breaks (all files shipped so far).
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

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
    ) -> None:
        self.file = str(file)
        self.problem = problem
        self.row = row
        self.column = column
        where = [self.file]
        if row is not None:
            where.append(f"row {row} (line {row + 1})")
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
    unit_notes: dict[str, str] = field(default_factory=dict)

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
        line = data[: exc.start].count(b"\n") + 1
        raise SourceFileError(
            file, f"cannot decode byte {data[exc.start:exc.start + 1]!r} at line {line} as {encoding}"
        ) from None


_INT_RE = re.compile(r"^[+-]?\d+$")
_DECIMAL_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _typed(series: pd.Series, col: Column, file: str) -> pd.Series:
    """Check every value of one column and return it typed. The first bad value raises with its row."""
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

    regex = {"int": _INT_RE, "decimal": _DECIMAL_RE, "date": _DATE_RE}[col.kind]
    bad = ~is_null & ~stripped.str.match(regex)
    if bad.any():
        row = int(bad.idxmax()) + 1
        expected = {"int": "a whole number", "decimal": "a number", "date": "a date YYYY-MM-DD"}[col.kind]
        raise SourceFileError(
            file, f"'{series.iloc[row - 1]}' is not {expected}", row=row, column=col.name
        )
    values = stripped.where(~is_null, None)
    if col.kind == "int":
        return pd.to_numeric(values).astype("Int64")
    if col.kind == "decimal":
        return pd.to_numeric(values).astype("Float64")
    parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    bad = ~is_null & parsed.isna()
    if bad.any():
        row = int(bad.idxmax()) + 1
        raise SourceFileError(file, f"'{series.iloc[row - 1]}' is not a valid date", row=row, column=col.name)
    return parsed.dt.date


def parse_csv(data: bytes, spec: CsvSpec, file: str | Path) -> pd.DataFrame:
    """Parse and validate one CSV file's bytes against its spec.

    Returns the source's own columns, typed, plus `_row_number` (1-based data row). Raises SourceFileError for a
    missing or unexpected column, an empty file, a value of the wrong type, a missing required value or a
    duplicated key.
    """
    file = str(file)
    text = decode(data, file, spec.encoding)
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False, skipinitialspace=False
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceFileError(file, f"not a readable CSV file: {exc}") from None

    declared = [c.name for c in spec.columns]
    missing = [name for name in declared if name not in frame.columns]
    if missing:
        raise SourceFileError(
            file, f"missing column(s) {', '.join(map(repr, missing))}; the header has {list(frame.columns)}"
        )
    undeclared = [name for name in frame.columns if name not in declared]
    if undeclared and spec.undeclared_columns == "error":
        raise SourceFileError(
            file,
            f"unexpected column(s) {', '.join(map(repr, undeclared))}: the source changed its layout; "
            f"update the spec of raw.{spec.table}",
        )
    dupes = frame.columns[frame.columns.duplicated()].tolist()
    if dupes:
        raise SourceFileError(file, f"duplicated column name(s) {dupes}")
    if frame.empty:
        raise SourceFileError(file, "the file has a header but no data rows")

    frame.index = pd.RangeIndex(len(frame))
    typed = pd.DataFrame(index=frame.index)
    for name in frame.columns:
        col = spec.column(name) if name in declared else Column(name)
        typed[name] = _typed(frame[name], col, file)

    if spec.key:
        for name in spec.key:
            if typed[name].isna().any():
                row = int(typed[name].isna().idxmax()) + 1
                raise SourceFileError(file, "key value is missing", row=row, column=name)
        duplicated = typed.duplicated(subset=list(spec.key), keep=False)
        if duplicated.any():
            rows = (duplicated[duplicated].index[:2] + 1).tolist()
            key_value = ", ".join(f"{k}={frame.at[rows[0] - 1, k]!r}" for k in spec.key)
            raise SourceFileError(
                file,
                f"duplicated key ({key_value}) also on row {rows[1]}",
                row=rows[0],
                column=",".join(spec.key),
            )

    typed["_row_number"] = pd.array(range(1, len(typed) + 1), dtype="Int64")
    return typed


def read_csv_file(path: Path, spec: CsvSpec, display_name: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read a file from disk, returning (typed rows, sha256 of the bytes read)."""
    name = display_name or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceFileError(name, "file not found") from None
    return parse_csv(data, spec, name), sha256_of(data)
