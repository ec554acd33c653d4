"""serving/report: PNG charts and one HTML page drawn from the served file, attached to the asset's metadata.

It reads the served file read-only (never the work file), so it shows what BI tools see, and it runs only after a
publish succeeded. When the marts the charts read (REPORT_MARTS) hold what they held when the charts were drawn (by
the same report code), the charts and their UI previews are kept instead of drawn again (~3 s of matplotlib): a run
that published nothing new, or a new month of the item marts.
"""

import base64
import io
import json
from pathlib import Path

import dagster as dg

from dagster_project import settings
from dagster_project.defs.assets.publish import SERVED_WAREHOUSE_KEY
from dagster_project.warehouse.load import code_sha256
from dagster_project.warehouse.publish import generation_info, pointer_target

# Beside report.html: which generation (and which report code) the charts there were drawn from.
REPORT_STAMP = ".report_of.json"
# The layout of that record (3: with each chart's UI preview, keyed by the marts read); another layout is redrawn.
REPORT_RECORD_VERSION = 3
# The marts the charts read (dagster_project/reports/charts/); tests/integration/test_build.py draws the report from
# these alone. A new generation whose marts differ only elsewhere (a month of the item marts) keeps the charts.
REPORT_MARTS = (
    "dim_country",
    "fct_bilateral_trade",
    "fct_dependence_basket_items",
    "fct_import_dependence",
    "fct_partner_shares",
)


def _report_code_sha256() -> str:
    return code_sha256(settings.PACKAGE_DIR, ["reports"])


def _stamp_key(generation: Path | None) -> dict | None:
    """What the charts are drawn from: the content of REPORT_MARTS in the served generation (recorded with its
    fingerprint when it was published), or the generation itself if it has no such record; and the report code."""
    if generation is None:
        return None
    relations = (generation_info(generation).get("fingerprint_parts") or {}).get("relations")
    drawn_from = (
        {"marts": {name: (relations.get(name) or {}).get("digest") for name in REPORT_MARTS}}
        if relations
        else {"generation": str(generation)}
    )
    return {**drawn_from, "report_code": _report_code_sha256(), "record": REPORT_RECORD_VERSION}


def _drawn_report(out_dir: Path, key: dict | None) -> dict | None:
    """The record of the report already in out_dir if it was drawn from exactly this generation by this code (and
    its files are still there), else None. Reading it needs neither matplotlib nor the served file."""
    stamp = out_dir / REPORT_STAMP
    if key is None or not stamp.exists():
        return None
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
        if recorded.get("key") != key:
            return None
        paths = [Path(recorded["html_path"])] + [Path(c["path"]) for c in recorded["charts"] if c["path"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return recorded if all(path.exists() for path in paths) else None


def _record(report) -> dict:
    """What the asset's metadata shows of a drawn report, with each chart's preview image (encoded once)."""
    return {
        "html_path": str(report.html_path),
        "charts": [
            {
                "key": c.key,
                "title": c.title,
                "description": c.description,
                "path": str(c.path) if c.path else None,
                "preview": None if c.skipped else preview_markdown(c.title, c.path, c.caption),
            }
            for c in report.charts
        ],
    }


def _metadata(record: dict, redrawn: bool) -> dict:
    rendered = [c for c in record["charts"] if c["path"]]
    skipped = [c for c in record["charts"] if not c["path"]]
    lines = [f"**{len(rendered)} charts**, {len(skipped)} skipped. Page: `{record['html_path']}`", ""]
    lines += [f"- **{c['title']}** (`{c['key']}.png`): {c['description']}" for c in rendered]
    lines += [f"- *skipped* **{c['title']}**: {c['description']}" for c in skipped]
    return {
        "report_html": dg.MetadataValue.path(record["html_path"]),
        "summary": dg.MetadataValue.md("\n".join(lines)),
        "charts_rendered": dg.MetadataValue.int(len(rendered)),
        "charts_skipped": dg.MetadataValue.int(len(skipped)),
        "redrawn": dg.MetadataValue.bool(redrawn),
        **{f"chart_{c['key']}": dg.MetadataValue.path(c["path"]) for c in rendered},
        # The charts themselves in the UI (asset page, materialization metadata), as Markdown images.
        **{f"preview_{c['key']}": dg.MetadataValue.md(c["preview"]) for c in rendered},
    }


@dg.asset(
    key=dg.AssetKey(["serving", "report"]),
    group_name="serving",
    deps=[SERVED_WAREHOUSE_KEY],
    description="Charts of Korea's trade with the US and China and report.html, written beside the served file.",
)
def trade_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    out_dir, served = settings.report_dir(), settings.serving_path()
    # Generations are never modified once published; their record says what their marts hold. (A plain served file,
    # the layout before generations, has no record: always redrawn.)
    key = _stamp_key(pointer_target(served) if served.is_symlink() else None)
    record = _drawn_report(out_dir, key)
    redrawn = record is None
    if not redrawn:
        context.log.info(f"the served generation is the one the report was drawn from: {record['html_path']} kept")
    else:
        from dagster_project.reports import build_report  # matplotlib: only when drawing

        (out_dir / REPORT_STAMP).unlink(missing_ok=True)
        record = _record(build_report(settings.serving_path(), out_dir))
        if key is not None:
            (out_dir / REPORT_STAMP).write_text(json.dumps({"key": key, **record}), encoding="utf-8")
        context.log.info(f"report written to {record['html_path']}")
    return dg.MaterializeResult(metadata=_metadata(record, redrawn))


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
