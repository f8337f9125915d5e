"""Reporting: the periodic Voice-of-the-Customer quality report, rendered from the marts after the quality gate passed.

The report computes no metric: every figure is read from `marts.kpi_channel_monthly` (where the metric is defined,
documented and tested) and only formatted here.
"""

from voc.reporting.errors import ReportError, ReportRefused
from voc.reporting.freshness import StaleData
from voc.reporting.monthly import render_monthly_report, report_path, withdraw_report

__all__ = ["ReportError", "ReportRefused", "StaleData", "render_monthly_report", "report_path", "withdraw_report"]
