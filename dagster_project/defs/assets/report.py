"""serving/report: PNG charts and one HTML page drawn from the served file, attached to the asset's metadata.

It reads the served file read-only (never the work file), so it shows what BI tools see, and it runs only after a
publish succeeded.
"""

import base64
import io
from pathlib import Path

import dagster as dg
from PIL import Image

from dagster_project import settings
from dagster_project.defs.assets.publish import SERVED_WAREHOUSE_KEY
from dagster_project.reports import build_report


@dg.asset(
    key=dg.AssetKey(["serving", "report"]),
    group_name="serving",
    deps=[SERVED_WAREHOUSE_KEY],
    description="Charts of Korea's trade with the US and China and report.html, written beside the served file.",
)
def trade_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    report = build_report(settings.serving_path(), settings.report_dir())
    lines = [f"**{len(report.rendered)} charts**, {len(report.skipped)} skipped. Page: `{report.html_path}`", ""]
    lines += [f"- **{chart.title}** (`{chart.key}.png`): {chart.description}" for chart in report.rendered]
    lines += [f"- *skipped* **{chart.title}**: {chart.description}" for chart in report.skipped]
    context.log.info(f"report written to {report.html_path}")
    return dg.MaterializeResult(
        metadata={
            "report_html": dg.MetadataValue.path(str(report.html_path)),
            "summary": dg.MetadataValue.md("\n".join(lines)),
            "charts_rendered": dg.MetadataValue.int(len(report.rendered)),
            "charts_skipped": dg.MetadataValue.int(len(report.skipped)),
            **{f"chart_{chart.key}": dg.MetadataValue.path(str(chart.path)) for chart in report.rendered},
            # The charts themselves in the UI (asset page, materialization metadata), as Markdown images.
            **{f"preview_{chart.key}": dg.MetadataValue.md(preview_markdown(chart.title, chart.path, chart.caption))
               for chart in report.rendered},
        }
    )


PREVIEW_WIDTH = 800  # px: legible in the UI's metadata panel; with a 64-colour palette the event log stays small


def preview_markdown(title: str, png: Path, caption: str) -> str:
    """The chart as an inline Markdown image (a downscaled copy of the PNG) with its source caption."""
    with Image.open(png) as image:
        image.thumbnail((PREVIEW_WIDTH, PREVIEW_WIDTH))
        image = image.convert("RGB").quantize(colors=64)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"![{title}](data:image/png;base64,{encoded})\n\n{caption}"
