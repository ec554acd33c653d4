"""The trade report: PNG charts (a module per chart in `charts/`) and one self-contained HTML page (`page.py`), read
from the warehouse marts. No Dagster imports."""

from dagster_project.reports.common import Chart
from dagster_project.reports.page import ReportResult, build_report

__all__ = ["Chart", "ReportResult", "build_report"]
