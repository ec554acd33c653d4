"""The raw tables of the live sources: their row types, which columns are figures, and their source labels.

Every live table exists in every candidate warehouse from the start (empty until a source delivers), so the dbt
project builds on a fresh warehouse and the marts that read live data exist, empty, before any refresh.
"""

from __future__ import annotations

import typing
from dataclasses import asdict, dataclass, fields
from decimal import Decimal

import duckdb

from dagster_project.sources import comtrade_api, imf_api, kcs_api, kosis_api

from .load import VINTAGE_LOG, create_vintage_table, table_names

if typing.TYPE_CHECKING:  # pandas is imported where rows are made (~0.4 s): see sources/files.py
    import pandas as pd

_DTYPES = {int: "Int64", Decimal: "Float64", bool: "boolean", str: "string"}


@dataclass(frozen=True)
class LiveTable:
    table: str
    row_type: type
    # The columns a vintage's content hash covers: keys and published figures, not names, units or
    # last-changed stamps, so a re-pull that only renames a country is not a revision.
    figure_columns: tuple[str, ...]


LIVE_TABLES = {
    spec.table: spec
    for spec in (
        LiveTable(
            "kcs_trade_by_country",
            kcs_api.KcsTradeRow,
            ("period", "country_code", "hs_code", "export_usd", "import_usd", "balance_usd", "export_kg", "import_kg"),
        ),
        # HSK-10 x partner x month (loaded DuckDB-natively by warehouse/item_load.py, which hashes these same
        # figures in SQL)
        LiveTable(
            "kcs_trade_by_item_country",
            kcs_api.KcsTradeRow,
            ("period", "country_code", "hs_code", "export_usd", "import_usd", "balance_usd", "export_kg", "import_kg"),
        ),
        LiveTable(
            "kosis_trade_by_country_monthly",
            kosis_api.KosisRow,
            ("item_id", "country_code", "period_type", "period", "value"),
        ),
        LiveTable(
            "comtrade_trade_by_partner",
            comtrade_api.ComtradeRow,
            (
                "type_code",
                "freq_code",
                "period",
                "reporter_code",
                "flow_code",
                "partner_code",
                "partner2_code",
                "cmd_code",
                "customs_code",
                "mot_code",
                "primary_value",
                "cif_value",
                "fob_value",
                "net_weight_kg",
                "qty",
            ),
        ),
        LiveTable(
            "imf_imts_trade",
            imf_api.ImfObservation,
            ("country", "indicator", "counterpart_country", "frequency", "time_period", "value"),
        ),
    )
}


def rows_frame(rows: list, row_type: type) -> pd.DataFrame:
    """Dataclass rows as a frame typed from the dataclass's annotations, so an empty partition creates the same
    table as a full one: text stays text (codes keep their zeros), numbers are numbers."""
    import pandas as pd

    hints = typing.get_type_hints(row_type)
    frame = pd.DataFrame([asdict(row) for row in rows], columns=[f.name for f in fields(row_type)])
    for column in frame.columns:
        kinds = [kind for kind in typing.get_args(hints[column]) or (hints[column],) if kind is not type(None)]
        dtype = _DTYPES[kinds[0]]
        values = frame[column].map(lambda v: float(v) if isinstance(v, Decimal) else v)
        frame[column] = values.astype(dtype)
    return frame


def ensure_live_tables(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    """Create every live raw table that does not exist yet, empty, with its full column set (and the vintage log).
    Every run calls this on its candidate: when all exist, it only asks the catalog (no frames are built)."""
    existing = table_names(con, schema)
    for spec in LIVE_TABLES.values():
        ensure_live_table(con, schema, spec.table, spec.row_type, existing)


def ensure_live_table(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, row_type: type, existing: set[str] | None = None
) -> None:
    """Create `schema.table` for rows of `row_type` (and the vintage log) unless both exist."""
    existing = table_names(con, schema) if existing is None else existing
    if table not in existing or VINTAGE_LOG not in existing:
        create_vintage_table(con, schema, table, rows_frame([], row_type))
