"""serving/report: PNG charts and one HTML page drawn from the served file, attached to the asset's metadata.

It reads the served file read-only (never the work file), so it shows what BI tools see, and it runs only after a
publish succeeded.
"""

import dagster as dg

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
        }
    )
