"""DuckDB-native vintage load of one month of the KCS item-by-country feed (nitemtrade) into raw.

The landed XML bodies are parsed into Arrow tables of text (as published), and everything after that is SQL in
one connection under the DuckDB memory limit:

- a field that is not a whole number, a record of another month, a missing partner or a repeated
  (item, partner) fails the month, naming the landed file, the record number and the field;
- Σ records = the response's 총계 row, per response and field, within one unit per record (each record is
  rounded to a whole USD / kg), else the month fails: a gateway error or a truncated body never loads as $0;
- a record that breaks a domain rule (an HS code that is not 10 digits, a negative amount, balPayments ≠
  expDlr − impDlr) goes to raw.quarantine with the reason, the rest loads;
- the month's rows are one vintage: a figures-only content hash (codes, USD, kg; not the Korean names) is
  compared with the month's latest vintage, and the rows are inserted only if it differs, in one transaction.

The table, its vintage columns (`_partition`, `_source_label`, `_content_sha256`, `_source_files`, `_loaded_at`,
`_load_id`) and the log `raw.load_vintages` are those of every live source (warehouse/live_tables.py,
warehouse/load.py): the same statuses (new, empty, unchanged) decided by the same function.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from dagster_project.sources import kcs_api
from dagster_project.sources.landing import Landed
from dagster_project.warehouse.live_tables import ensure_live_table
from dagster_project.warehouse.load import (
    LOAD_COLUMNS,
    NEW,
    VintageResult,
    create_quarantine,
    literal,
    quote,
    record_vintage,
)
from dagster_project.warehouse.native_load import configure

_quote, _lit = quote, literal
TABLE = "kcs_trade_by_item_country"
# Every item-by-country figure, fetched or replayed, is one series.
SOURCE_LABEL = "kcs_nitemtrade"
FIELDS = ("year", "statCd", "statCdCntnKor1", "hsCd", "statKor", "expDlr", "impDlr", "balPayments", "expWgt", "impWgt")
AMOUNTS = ("expDlr", "impDlr", "balPayments")
WEIGHTS = ("expWgt", "impWgt")
_STAGE = "_item_stage"
_TOTALS = "_item_totals"
_TYPED = "_item_typed"


class ItemLoadError(ValueError):
    """A month that cannot be loaded as landed: names the partition, file, record and field."""

    def __init__(
        self, partition: str, file: str, problem: str, *, record: int | None = None, field: str | None = None
    ) -> None:
        self.partition, self.file, self.record, self.field = partition, file, record, field
        where = [f"{kcs_api.ITEM_TRADE}, partition {partition}", f"file {file}"]
        if record is not None:
            where.append(f"record {record}")
        if field is not None:
            where.append(f"field {field}")
        super().__init__(f"{', '.join(where)}: {problem}")


def arrow_batches(landed: Sequence[Landed], month: str) -> tuple[pa.Table, pa.Table]:
    """The records of every landed response as one Arrow table of text, with `_source_file` and `_record`
    (1-based in its response), and the 총계 records as another (one per response, or none). Each response's
    records become Arrow columns in C++ (`from_pylist`), not value by value in Python."""
    text = pa.string()
    record_schema = pa.schema([pa.field(n, text) for n in FIELDS])
    parts = []
    totals: dict[str, list] = {name: [] for name in (*AMOUNTS, *WEIGHTS, "_source_file", "_records", "_sha256")}
    for item in landed:
        records, total = kcs_api.item_records(item, month)
        file = str(item.path)
        part = pa.Table.from_pylist(records, schema=record_schema)
        part = part.append_column("_source_file", pa.array([file] * len(records), text))
        parts.append(part.append_column("_record", pa.array(range(1, len(records) + 1), pa.int64())))
        # one row per response (an empty 총계 when the response has none), so every file's sha256 is at hand
        for name in (*AMOUNTS, *WEIGHTS):
            totals[name].append(total.get(name) if total is not None else None)
        totals["_source_file"].append(file)
        totals["_records"].append(len(records))
        totals["_sha256"].append(item.sidecar.get("sha256", ""))
    schema = record_schema.append(pa.field("_source_file", text)).append(pa.field("_record", pa.int64()))
    total_schema = pa.schema(
        [
            *(pa.field(n, text) for n in (*AMOUNTS, *WEIGHTS)),
            pa.field("_source_file", text),
            pa.field("_records", pa.int64()),
            pa.field("_sha256", text),
        ]
    )
    records_table = pa.concat_tables(parts) if parts else schema.empty_table()
    return records_table, pa.Table.from_pydict(totals, schema=total_schema)


def _number(field: str, prefix: str = "") -> str:
    """Whole numbers as published ('1,234', '-5'); '' and '-' are missing."""
    return (
        f"CASE WHEN trim(replace({prefix}{_quote(field)}, ',', '')) IN ('', '-') THEN NULL "
        f"ELSE TRY_CAST(trim(replace({prefix}{_quote(field)}, ',', '')) AS BIGINT) END"
    )


def _fail_first(con, month: str, condition: str, problem, field: str | None) -> None:
    found = con.execute(
        f"SELECT _source_file, _record, {_quote(field) if field else 'NULL'} FROM {_STAGE} WHERE {condition} "
        f"ORDER BY _source_file, _record LIMIT 1"
    ).fetchone()
    if found:
        raise ItemLoadError(month, found[0], problem(found[2]), record=int(found[1]), field=field)


def _validate(con, month: str) -> None:
    period = f"{month[:4]}.{month[5:]}"
    _fail_first(
        con, month, f"year IS DISTINCT FROM '{period}'", lambda v: f"the record is for {v!r}, not {period}", "year"
    )
    _fail_first(con, month, "coalesce(trim(statCd), '') = ''", lambda v: "the partner code is missing", "statCd")
    _fail_first(con, month, "coalesce(trim(hsCd), '') = ''", lambda v: "the HS code is missing", "hsCd")
    for field in (*AMOUNTS, *WEIGHTS):
        text = f"trim(replace({_quote(field)}, ',', ''))"
        bad = f"NOT ({text} IN ('', '-') OR regexp_full_match({text}, '[+-]?[0-9]+'))"
        if field in AMOUNTS:
            bad = f"({_quote(field)} IS NULL OR {text} IN ('', '-') OR {bad})"
        else:
            bad = f"({_quote(field)} IS NOT NULL AND {bad})"
        _fail_first(con, month, bad, lambda v: f"{v!r} is not a whole number", field)
        # amounts and weights are BIGINT: a longer number would become NULL in the cast, not an error
        beyond = f"regexp_full_match({text}, '[+-]?[0-9]+') AND TRY_CAST({text} AS BIGINT) IS NULL"
        _fail_first(con, month, beyond, lambda v: f"{v!r} is a whole number beyond the 64-bit range", field)
    duplicate = con.execute(
        f"""SELECT s._source_file, s._record, s.hsCd, s.statCd FROM {_STAGE} s JOIN (
                SELECT hsCd, statCd FROM {_STAGE} GROUP BY hsCd, statCd HAVING count(*) > 1) d
              ON s.hsCd = d.hsCd AND s.statCd = d.statCd ORDER BY s._source_file, s._record LIMIT 2"""
    ).fetchall()
    if duplicate:
        (file, record, hs, partner), (file2, record2, *_) = duplicate
        raise ItemLoadError(
            month,
            file,
            f"item {hs!r} with partner {partner!r} also in record {record2}"
            + ("" if file2 == file else f" of {file2}"),
            record=int(record),
            field="hsCd,statCd",
        )
    sums = ", ".join(f"sum({_number(f)}) AS {_quote(f)}" for f in (*AMOUNTS, *WEIGHTS))
    for field in (*AMOUNTS, *WEIGHTS):
        found = con.execute(
            f"""WITH summed AS (SELECT _source_file, count(*) AS n, {sums} FROM {_STAGE} GROUP BY _source_file)
                SELECT t._source_file, coalesce(s.{_quote(field)}, 0), {_number(field, "t.")}
                FROM {_TOTALS} t LEFT JOIN summed s USING (_source_file)
                WHERE {_number(field, "t.")} IS NOT NULL
                  AND abs(coalesce(s.{_quote(field)}, 0) - {_number(field, "t.")}) > greatest(1, coalesce(s.n, 0))
                ORDER BY t._source_file LIMIT 1"""
        ).fetchone()
        if found:
            file, summed, expected = found
            raise kcs_api.TotalMismatchError(
                kcs_api.ITEM_TRADE,
                month,
                f"field {field}: records sum to {int(summed):,} but the {kcs_api.TOTAL_LABEL} row says "
                f"{int(expected):,} (difference {int(summed - expected):+,})",
                file=file,
            )


_RULES = (  # (field, reason, SQL true where the record breaks the rule); a record keeps its first broken rule
    ("hsCd", "HSK code is not 10 digits", "NOT regexp_full_match(trim(hsCd), '[0-9]{10}')"),
    *((f, f"negative value in {f}", f"{_number(f)} < 0") for f in ("expDlr", "impDlr", *WEIGHTS)),
    (
        "balPayments",
        "balPayments is not expDlr - impDlr",
        f"{_number('balPayments')} <> {_number('expDlr')} - {_number('impDlr')}",
    ),
)


def append_item_month(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    landed: Sequence[Landed],
    *,
    month: str,
    load_id: str,
    table: str = TABLE,
    source_label: str = SOURCE_LABEL,
) -> tuple[VintageResult, int]:
    """Validate the month's landed responses in DuckDB and append them as a vintage of `schema.table` unless the
    month's latest vintage has the same figures. Returns the result and the number of quarantined records."""
    configure(con)
    records, totals = arrow_batches(landed, month)
    files = sorted({str(item.path) for item in landed})
    # A month is ~280 responses in one landing folder: the column names the folder (a list of every file on each
    # of ~100,000 rows would cost GBs); the sidecars there list the requests.
    source_files = sorted({str(Path(file).parent) + "/" for file in files})
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    try:
        con.register("_item_records", records)
        con.register("_item_total_records", totals)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_STAGE} AS SELECT * FROM _item_records")
        con.execute(f"CREATE OR REPLACE TEMP TABLE {_TOTALS} AS SELECT * FROM _item_total_records")
    finally:
        con.unregister("_item_records")
        con.unregister("_item_total_records")
    try:
        _validate(con, month)
        reject = (
            "CASE " + " ".join(f"WHEN coalesce({sql}, false) THEN {i}" for i, (_, _, sql) in enumerate(_RULES)) + " END"
        )
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {_TYPED} AS
            SELECT year AS period, statCd AS country_code, statCdCntnKor1 AS country_name_ko, trim(hsCd) AS hs_code,
                   statKor AS item_name_ko, {_number("expDlr")} AS export_usd, {_number("impDlr")} AS import_usd,
                   {_number("balPayments")} AS balance_usd, {_number("expWgt")} AS export_kg,
                   {_number("impWgt")} AS import_kg, '{kcs_api.VALUE_UNIT}' AS value_unit,
                   '{kcs_api.WEIGHT_UNIT}' AS weight_unit, _source_file, _record, {reject} AS _reject
            FROM {_STAGE}""")
        (fingerprint, row_count) = con.execute(
            f"""SELECT sha256(coalesce(string_agg(concat_ws('|', period, country_code, hs_code, export_usd,
                       import_usd, balance_usd, coalesce(CAST(export_kg AS VARCHAR), ''),
                       coalesce(CAST(import_kg AS VARCHAR), '')), chr(10)
                       ORDER BY period, country_code, hs_code), '')), count(*)
                FROM {_TYPED} WHERE _reject IS NULL"""
        ).fetchone()
        target = f"{_quote(schema)}.{_quote(table)}"
        quarantine = f"{_quote(schema)}.quarantine"
        ensure_live_table(con, schema, table, kcs_api.KcsTradeRow)
        create_quarantine(con, schema)
        stamp = (
            f"'{month}' AS _partition, {_lit(source_label)} AS _source_label, "
            f"'{fingerprint}' AS _content_sha256, "
            f"{_lit(json.dumps(source_files))} AS _source_files, CAST('{loaded_at.isoformat(sep=' ')}' AS TIMESTAMP)"
            f" AS _loaded_at, {_lit(load_id)} AS _load_id"
        )
        columns = (
            "period, country_code, country_name_ko, hs_code, item_name_ko, export_usd, import_usd, "
            "balance_usd, export_kg, import_kg, value_unit, weight_unit"
        )
        con.execute("BEGIN TRANSACTION")
        try:
            status, previous_row_count = record_vintage(
                con,
                schema,
                table,
                source_label=source_label,
                partition=month,
                fingerprint=fingerprint,
                row_count=int(row_count),
                source_files=source_files,
                loaded_at=loaded_at,
                load_id=load_id,
            )
            if status == NEW:
                con.execute(
                    f"INSERT INTO {target} BY NAME SELECT {columns}, {stamp} FROM {_TYPED} "
                    f"WHERE _reject IS NULL ORDER BY hs_code, country_code"
                )
            # The month's quarantine is replaced: its landed files are this load's files.
            for folder in source_files:
                con.execute(
                    f"DELETE FROM {quarantine} WHERE source_table = ? AND starts_with(_source_file, ?)", [table, folder]
                )
            field = "CASE _reject " + " ".join(f"WHEN {i} THEN '{f}'" for i, (f, _, _) in enumerate(_RULES)) + " END"
            reason = (
                "CASE _reject " + " ".join(f"WHEN {i} THEN {_lit(r)}" for i, (_, r, _) in enumerate(_RULES)) + " END"
            )
            value = (
                "CASE _reject "
                + " ".join(f"WHEN {i} THEN s.{_quote(f)}" for i, (f, _, _) in enumerate(_RULES))
                + " END"
            )
            record = "json_object(" + ", ".join(f"'{f}', s.{_quote(f)}" for f in FIELDS) + ")"
            con.execute(
                f"""INSERT INTO {quarantine} (source_table, _source_file, _file_sha256, _row_number, column_name,
                        value, reason, record, {", ".join(LOAD_COLUMNS)})
                    SELECT {_lit(table)}, t._source_file, f._sha256, t._record, {field}, {value}, {reason},
                           CAST({record} AS VARCHAR), CAST('{loaded_at.isoformat(sep=" ")}' AS TIMESTAMP),
                           {_lit(load_id)}
                    FROM {_TYPED} t JOIN {_STAGE} s USING (_source_file, _record)
                    JOIN {_TOTALS} f ON f._source_file = t._source_file
                    WHERE t._reject IS NOT NULL"""
            )
            (quarantined,) = con.execute(f"SELECT count(*) FROM {_TYPED} WHERE _reject IS NOT NULL").fetchone()
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        for name in (_STAGE, _TOTALS, _TYPED):
            con.execute(f"DROP TABLE IF EXISTS {name}")
    result = VintageResult(
        table=f"{schema}.{table}",
        partition=month,
        source_label=source_label,
        row_count=int(row_count),
        status=status,
        content_sha256=fingerprint,
        loaded_at=loaded_at,
        previous_row_count=previous_row_count,
    )
    return result, int(quarantined)
