"""Compare two builds of the marts table by table: row counts and, per column, the count of non-null values and a
sum (exact for integers and decimals, relative 1e-9 for doubles; for text, dates and booleans an exact checksum).

Both sides are profiled by DuckDB (a table of the work file, or the Parquet files another engine wrote), so the
measures are computed the same way; only the doubles' summation order differs, hence their tolerance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

EXACT = "exact"  # integers, decimals: sum compared exactly
FLOAT = "float"  # doubles: sum within a relative tolerance of the sum of absolute values
CHECKSUM = "checksum"  # text, dates, times, booleans: an exact checksum of the values
DEFAULT_REL_TOL = 1e-9

_INTEGER_TYPES = {
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "UHUGEINT",
}
_FLOAT_TYPES = {"FLOAT", "REAL", "DOUBLE"}


def column_kind(duckdb_type: str) -> str:
    """How a column of this DuckDB type is summed: EXACT, FLOAT or CHECKSUM."""
    base = duckdb_type.upper().split("(")[0].strip()
    if base in _INTEGER_TYPES or base == "DECIMAL":
        return EXACT
    if base in _FLOAT_TYPES:
        return FLOAT
    return CHECKSUM


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _checksum_sql(column: str, duckdb_type: str) -> str:
    base = duckdb_type.upper().split("(")[0].strip()
    if base == "BOOLEAN":
        return f"sum(case when {column} then 1 else 0 end)"
    if base == "DATE":
        return f"sum(date_diff('day', DATE '1970-01-01', {column}))"
    if base.startswith("TIMESTAMP"):
        return f"sum(epoch_us({column}))"
    # text and anything else: an order-independent sum of value hashes (exact, as a HUGEINT)
    return f"sum(hash(cast({column} as varchar))::hugeint)"


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    type: str
    kind: str
    non_null: int
    total: Decimal | int | float | None  # the sum (or checksum); None when the column has no value
    magnitude: float | None = None  # FLOAT: the sum of absolute values, the scale of the tolerance


@dataclass(frozen=True)
class TableProfile:
    table: str
    row_count: int
    columns: dict[str, ColumnProfile] = field(default_factory=dict)  # by lower-case name


def profile_relation(con: duckdb.DuckDBPyConnection, relation_sql: str, table: str) -> TableProfile:
    """Row count and per-column measures of a relation (a table name or a table function such as read_parquet)."""
    described = con.execute(f"describe select * from {relation_sql}").fetchall()
    selects = ["count(*)"]
    for name, duckdb_type, *_ in described:
        column = _quote(name)
        kind = column_kind(duckdb_type)
        selects.append(f"count({column})")
        if kind == EXACT:
            selects.append(f"sum({column})")
        elif kind == FLOAT:
            selects.append(f"sum({column})")
            selects.append(f"sum(abs({column}))")
        else:
            selects.append(_checksum_sql(column, duckdb_type))
    values = list(con.execute(f"select {', '.join(selects)} from {relation_sql}").fetchone())
    row_count = values.pop(0)
    columns = {}
    for name, duckdb_type, *_ in described:
        kind = column_kind(duckdb_type)
        non_null = values.pop(0)
        total = values.pop(0)
        magnitude = values.pop(0) if kind == FLOAT else None
        columns[name.lower()] = ColumnProfile(name.lower(), duckdb_type, kind, non_null, total, magnitude)
    return TableProfile(table, row_count, columns)


@dataclass(frozen=True)
class Difference:
    table: str
    measure: str
    expected: object
    actual: object


@dataclass(frozen=True)
class TableComparison:
    table: str
    expected_rows: int | None
    actual_rows: int | None
    measures: int  # how many measures were compared
    differences: tuple[Difference, ...]

    @property
    def equal(self) -> bool:
        return not self.differences


def _sums_equal(expected: ColumnProfile, actual: ColumnProfile, rel_tol: float) -> bool:
    if expected.total is None or actual.total is None:
        return expected.total is None and actual.total is None
    if FLOAT in (expected.kind, actual.kind):
        scale = max(
            expected.magnitude or 0.0, actual.magnitude or 0.0, abs(float(expected.total)), abs(float(actual.total))
        )
        difference = abs(float(expected.total) - float(actual.total))
        return not math.isnan(difference) and difference <= rel_tol * scale
    return Decimal(expected.total) == Decimal(actual.total)


def compare_tables(
    expected: TableProfile | None,
    actual: TableProfile | None,
    rel_tol: float = DEFAULT_REL_TOL,
    ignore: frozenset[str] = frozenset(),
) -> TableComparison:
    """Every difference between two profiles of one table (a missing side is one difference). Columns in `ignore`
    (lower case) differ between any two builds by design (the id of the dbt run that wrote a row) and are skipped."""
    table = (expected or actual).table
    if expected is None or actual is None:
        missing = "reference build" if expected is None else "compared build"
        return TableComparison(
            table,
            expected and expected.row_count,
            actual and actual.row_count,
            1,
            (Difference(table, f"table missing in the {missing}", expected is not None, actual is not None),),
        )
    differences = []
    measures = 1
    if expected.row_count != actual.row_count:
        differences.append(Difference(table, "rows", expected.row_count, actual.row_count))
    for name in sorted((expected.columns.keys() | actual.columns.keys()) - ignore):
        left, right = expected.columns.get(name), actual.columns.get(name)
        measures += 1
        if left is None or right is None:
            differences.append(Difference(table, f"{name}: column", left and left.type, right and right.type))
            continue
        if (left.kind == CHECKSUM) != (right.kind == CHECKSUM):
            differences.append(Difference(table, f"{name}: type", left.type, right.type))
            continue
        if left.non_null != right.non_null:
            differences.append(Difference(table, f"{name}: non-null", left.non_null, right.non_null))
        measures += 1
        if not _sums_equal(left, right, rel_tol):
            label = "checksum" if left.kind == CHECKSUM else "sum"
            differences.append(Difference(table, f"{name}: {label}", left.total, right.total))
    return TableComparison(table, expected.row_count, actual.row_count, measures, tuple(differences))


def compare_builds(
    expected: dict[str, TableProfile],
    actual: dict[str, TableProfile],
    rel_tol: float = DEFAULT_REL_TOL,
    ignore: frozenset[str] = frozenset(),
) -> list[TableComparison]:
    """Compare every table of the reference build (and any table only the compared build has)."""
    return [
        compare_tables(expected.get(table), actual.get(table), rel_tol, ignore)
        for table in sorted(expected.keys() | actual.keys())
    ]


def format_comparisons(
    comparisons: list[TableComparison], expected_label: str = "duckdb", actual_label: str = "spark"
) -> str:
    """The table of comparisons, one line per table, then every difference."""
    width = max([len(c.table) for c in comparisons] + [5])
    header = (
        f"{'table':<{width}}  {expected_label + ' rows':>12}  {actual_label + ' rows':>12}  {'measures':>8}  result"
    )
    lines = [header, "-" * len(header)]
    for c in comparisons:
        rows = [("-" if n is None else str(n)) for n in (c.expected_rows, c.actual_rows)]
        lines.append(
            f"{c.table:<{width}}  {rows[0]:>12}  {rows[1]:>12}  {c.measures:>8}  "
            f"{'equal' if c.equal else f'DIFFERENT ({len(c.differences)})'}"
        )
    for c in comparisons:
        for d in c.differences:
            lines.append(f"  {d.table}.{d.measure}: {expected_label} {d.expected!r} vs {actual_label} {d.actual!r}")
    return "\n".join(lines)
