"""What every chart of the report shares: the chart record, the figure style, number formats, and the publishers'
citations by the `source` label the marts carry (a caption names who published the figures drawn, not the mart)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine

from dagster_project import settings

MARTS = settings.MARTS_SCHEMA
PARTNER_NAMES = {"USA": "United States", "CHN": "China"}
PARTNER_COLOURS = {"USA": "#1f4e9c", "CHN": "#c8102e"}
FLOW_COLOURS = {"export_bn": "#1b7f3b", "import_bn": "#b35900"}
SURPLUS_COLOUR, DEFICIT_COLOUR, MARK_COLOUR = "#1b7f3b", "#c8102e", "#333333"
FIGURE_SIZE = (11, 6)
FIGURE_DPI = 130

# Who published the figures behind each `source` label of the marts.
PUBLISHERS = {
    "kosis_annual": "KOSIS table DT_1R11006_FRM101 (Korea Customs Service trade statistics)",
    "kosis_monthly_china": "KOSIS table DT_1R11006_FRM101, monthly (Korea Customs Service)",
    "kosis_shipped_china_monthly": "KOSIS table DT_1R11006_FRM101, monthly (Korea Customs Service)",
    "kosis_monthly_api": "KOSIS open API, table DT_1R11006_FRM101 (Korea Customs Service)",
    "kcs_api": "Korea Customs Service open API (trade by country)",
    "ecos_monthly": "Bank of Korea ECOS 901Y011/901Y012 (Korea Customs Service data)",
    "kita_hsk10": "KITA K-stat HSK-10 trade statistics (Korea Customs Service data)",
    "comtrade_legacy": "UN Comtrade",
    "comtrade_api": "UN Comtrade",
    "imf_imts_api": "IMF International Trade in Goods Statistics",
}
VALUATION = "Exports FOB, imports CIF, current US$."


def source_caption(sources: Iterable[str]) -> str:
    """'Source: <publisher>; <publisher>. Exports FOB, ...' for the source labels of the rows a chart draws."""
    publishers = dict.fromkeys(PUBLISHERS.get(label, label) for label in sorted(set(sources)) if label)
    return f"Source: {'; '.join(publishers) or 'n/a'}. {VALUATION}"


@dataclass(frozen=True)
class Chart:
    """One chart of the report; `path` is None when the chart was skipped, and `description` then says why."""

    key: str
    title: str
    description: str
    path: Path | None = None
    caption: str = ""

    @property
    def skipped(self) -> bool:
        return self.path is None


@dataclass(frozen=True)
class ChartContext:
    """What a chart reads from: the warehouse (read-only), where it writes, and the dbt vars it shares with the
    models (the reporter and the 3050 line: dbt_project.yml is their one home)."""

    con: duckdb.DuckDBPyConnection
    out_dir: Path
    reporter_iso3: str
    target_share: float


def new_figure(title: str, caption: str, *, ncols: int = 1) -> tuple[Figure, list]:
    """A figure with the report's title, source caption and axis style; returns it and its axes, left to right."""
    # The layout keeps clear of the bottom band, where the source caption goes.
    figure = Figure(figsize=FIGURE_SIZE, dpi=FIGURE_DPI, layout=ConstrainedLayoutEngine(rect=(0, 0.05, 1, 0.95)))
    FigureCanvasAgg(figure)
    figure.suptitle(title, fontsize=14, fontweight="bold")
    figure.text(0.01, 0.012, caption, fontsize=8, color="#555555", ha="left", va="bottom")
    axes = list(figure.subplots(1, ncols, squeeze=False).ravel())
    for ax in axes:
        ax.grid(True, color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
    return figure, axes


def save(figure: Figure, out_dir: Path, key: str) -> Path:
    path = out_dir / f"{key}.png"
    figure.savefig(path, format="png")
    return path


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """Column names of marts.<table>; empty if the table does not exist."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [MARTS, table],
    ).fetchall()
    return {name for (name,) in rows}
