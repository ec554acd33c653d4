"""serving/report: PNG charts and one HTML page drawn from the served file, attached to the asset's metadata.

It reads the served file read-only (never the work file), so it shows what BI tools see, and it runs only after a
publish succeeded. A run that published nothing new serves the same generation: the charts already drawn from it
(by the same report code) are kept instead of drawn again (~3 s of matplotlib).
"""

import base64
import hashlib
import io
import json
from pathlib import Path

import dagster as dg

from dagster_project import settings
from dagster_project.defs.assets.publish import SERVED_WAREHOUSE_KEY

# Beside report.html: which generation (and which report code) the charts there were drawn from.
REPORT_STAMP = ".report_of.json"
REPORT_CODE_DIR = Path(__file__).resolve().parents[2] / "reports"


def _report_code_sha256() -> str:
    digest = hashlib.sha256()
    for path in sorted(REPORT_CODE_DIR.rglob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _stamp_key(generation: Path | None) -> dict | None:
    return None if generation is None else {"generation": str(generation), "report_code": _report_code_sha256()}


def _drawn_report(out_dir: Path, key: dict | None):
    """The ReportResult already in out_dir if it was drawn from exactly this generation by this code, else None."""
    from dagster_project.reports import Chart, ReportResult

    stamp = out_dir / REPORT_STAMP
    if key is None or not stamp.exists():
        return None
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if recorded.get("key") != key:
        return None
    try:
        charts = tuple(
            Chart(
                key=c["key"],
                title=c["title"],
                description=c["description"],
                path=Path(c["path"]) if c["path"] else None,
                caption=c["caption"],
            )
            for c in recorded["charts"]
        )
        html_path = Path(recorded["html_path"])
    except (KeyError, TypeError):
        return None
    if not html_path.exists() or any(c.path is not None and not c.path.exists() for c in charts):
        return None
    return ReportResult(html_path=html_path, charts=charts)


def _record(out_dir: Path, key: dict | None, report) -> None:
    if key is None:
        return
    (out_dir / REPORT_STAMP).write_text(
        json.dumps(
            {
                "key": key,
                "html_path": str(report.html_path),
                "charts": [
                    {
                        "key": c.key,
                        "title": c.title,
                        "description": c.description,
                        "path": str(c.path) if c.path else None,
                        "caption": c.caption,
                    }
                    for c in report.charts
                ],
            }
        ),
        encoding="utf-8",
    )


@dg.asset(
    key=dg.AssetKey(["serving", "report"]),
    group_name="serving",
    deps=[SERVED_WAREHOUSE_KEY],
    description="Charts of Korea's trade with the US and China and report.html, written beside the served file.",
)
def trade_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    from dagster_project.reports import build_report
    from dagster_project.warehouse.publish import pointer_target

    out_dir, served = settings.report_dir(), settings.serving_path()
    # Generations are never modified once published: their path names their content. (A plain served file, the
    # layout before generations, has no such name: always redrawn.)
    key = _stamp_key(pointer_target(served) if served.is_symlink() else None)
    report = _drawn_report(out_dir, key)
    redrawn = report is None
    if not redrawn:
        context.log.info(f"the served generation is the one the report was drawn from: {report.html_path} kept")
    else:
        (out_dir / REPORT_STAMP).unlink(missing_ok=True)
        report = build_report(settings.serving_path(), out_dir)
        _record(out_dir, key, report)
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
            "redrawn": dg.MetadataValue.bool(redrawn),
            **{f"chart_{chart.key}": dg.MetadataValue.path(str(chart.path)) for chart in report.rendered},
            # The charts themselves in the UI (asset page, materialization metadata), as Markdown images.
            **{
                f"preview_{chart.key}": dg.MetadataValue.md(preview_markdown(chart.title, chart.path, chart.caption))
                for chart in report.rendered
            },
        }
    )


PREVIEW_WIDTH = 800  # px: legible in the UI's metadata panel; with a 64-colour palette the event log stays small


def preview_markdown(title: str, png: Path, caption: str) -> str:
    """The chart as an inline Markdown image (a downscaled copy of the PNG) with its source caption."""
    from PIL import Image  # with matplotlib; only when a chart is shown

    with Image.open(png) as image:
        image.thumbnail((PREVIEW_WIDTH, PREVIEW_WIDTH))
        image = image.convert("RGB").quantize(colors=64)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", optimize=True)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"![{title}](data:image/png;base64,{encoded})\n\n{caption}"
