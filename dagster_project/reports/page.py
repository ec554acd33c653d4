"""The report's page: every chart's PNG embedded in one self-contained HTML file, with its description and its
publishers' caption; `build_report` draws the charts and writes it."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path

import duckdb

from dagster_project import settings

from .charts import RENDERERS
from .common import Chart, ChartContext

PAGE_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption, .skipped { color: #444; line-height: 1.45; }
.skipped { font-style: italic; }
"""


@dataclass(frozen=True)
class ReportResult:
    html_path: Path
    charts: tuple[Chart, ...]

    @property
    def rendered(self) -> tuple[Chart, ...]:
        return tuple(chart for chart in self.charts if not chart.skipped)

    @property
    def skipped(self) -> tuple[Chart, ...]:
        return tuple(chart for chart in self.charts if chart.skipped)

    def chart(self, key: str) -> Chart:
        return next(chart for chart in self.charts if chart.key == key)


def build_report(warehouse_path: Path, out_dir: Path) -> ReportResult:
    """Write one PNG per chart and `report.html` into out_dir; return their paths and a description per chart.
    The warehouse is opened read-only: the report never writes it and can run while other readers hold it."""
    warehouse_path, out_dir = Path(warehouse_path), Path(out_dir)
    if not warehouse_path.is_file():
        raise FileNotFoundError(f"warehouse file not found: {warehouse_path} (build the warehouse first)")
    out_dir.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        ctx = ChartContext(
            con, out_dir, settings.dbt_var("reporter_iso3"), float(settings.dbt_var("dependence_target_share"))
        )
        charts = tuple(render(ctx) for render in RENDERERS)
    for chart in charts:
        if chart.skipped:  # a PNG left by an earlier report would contradict this one
            (out_dir / f"{chart.key}.png").unlink(missing_ok=True)
    html_path = out_dir / "report.html"
    html_path.write_text(html_page(charts), encoding="utf-8")
    return ReportResult(html_path=html_path, charts=charts)


def html_page(charts: tuple[Chart, ...]) -> str:
    sections = []
    for chart in charts:
        if chart.skipped:
            body = f'<p class="skipped">Not shown. {html.escape(chart.description)}</p>'
        else:
            encoded = base64.b64encode(chart.path.read_bytes()).decode("ascii")
            body = (
                f'<figure><img src="data:image/png;base64,{encoded}" alt="{html.escape(chart.title)}">'
                f"<figcaption>{html.escape(chart.description)} {html.escape(chart.caption)} "
                f'(<a href="{html.escape(chart.path.name)}">{html.escape(chart.path.name)}</a>)</figcaption></figure>'
            )
        sections.append(f'<section id="{chart.key}">\n<h2>{html.escape(chart.title)}</h2>\n{body}\n</section>')
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            '<head><meta charset="utf-8"><title>Korea trade report</title>',
            f"<style>{PAGE_STYLE}</style></head>",
            "<body>",
            "<h1>South Korea's foreign trade: the United States and China</h1>",
            "<p>Values in US dollars (exports FOB, imports CIF); US$ bn = 10<sup>9</sup> US$. Each chart names the "
            "publishers of the figures it draws.</p>",
            *sections,
            "</body></html>",
            "",
        ]
    )
