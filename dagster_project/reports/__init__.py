"""The trade report: PNG charts and one self-contained HTML page, read from the warehouse marts. No Dagster imports."""

from dagster_project.reports.trade_report import Chart, ReportResult, build_report

__all__ = ["Chart", "ReportResult", "build_report"]
