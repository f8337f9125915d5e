"""Reporting: the periodic Voice-of-the-Customer quality report, rendered from the marts after the quality gate passed.

The report computes no metric: every figure is read from `marts.kpi_channel_monthly` (where the metric is defined,
documented and tested) and only formatted here.
"""

from voc.reporting.monthly import ReportError, ReportRefused, render_monthly_report, report_path

__all__ = ["ReportError", "ReportRefused", "render_monthly_report", "report_path"]
