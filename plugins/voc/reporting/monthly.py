"""The monthly quality report: one HTML page per month, `$VOC_REPORTS_DIR/YYYY-MM/report.html`.

`render_monthly_report()` refuses to write anything unless the quality gate passed. It reads the month's rows of
`marts.kpi_channel_monthly` (with the channel names and response targets of `marts.dim_channel`), formats them —
blank values as "—", rates as percentages, durations in hours and minutes — draws complaints against complaints
responded within 24 h per channel (matplotlib, SVG inlined in the page, so the file stands alone), and stamps the
page with the data-quality result, the run id and the generation time. The page is written atomically: a reader sees
the previous version or the new one, never half of one.

Each KPI cell also carries the mart's exact value in `data-value` (and its column in `data-metric`), so the page can
be checked against the mart mechanically.
"""

from __future__ import annotations

import calendar
import io
import logging
import os
import re
import tempfile
import textwrap
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from voc.reporting.errors import ReportError, ReportRefused
from voc.reporting.freshness import Freshness, check_publishable
from voc.settings import Settings

log = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATE_NAME = "report.html.j2"
SOURCE_TABLE = "marts.kpi_channel_monthly"
BLANK = "—"

# Channel names and response targets come from dim_channel; the figures only from the KPI mart.
KPI_QUERY = """
select
    kpi.channel,
    coalesce(channels.channel_name, kpi.channel) as channel_name,
    channels.first_response_target_minutes,
    channels.sla_clock,
    kpi.contacts,
    kpi.complaints,
    kpi.complaints_responded,
    kpi.response_rate,
    kpi.complaints_responded_within_24h,
    kpi.responded_within_24h_rate,
    kpi.complaints_responded_within_sla,
    kpi.responded_within_sla_rate,
    kpi.median_first_response_minutes,
    kpi.complaints_resolved,
    kpi.resolved_within_target_rate,
    kpi.complaints_reopened,
    kpi.backlog_at_month_end,
    kpi.survey_responses,
    kpi.csat,
    kpi.nps
from marts.kpi_channel_monthly as kpi
left join marts.dim_channel as channels
    on kpi.channel = channels.channel
where kpi.month_start_date = %(month_start_date)s
order by channels.channel_kind nulls last, coalesce(channels.channel_name, kpi.channel)
"""

# How the month's contact types were decided, and the classifier that decided the rest (its measured figures).
CLASSIFICATION_QUERY = """
select
    count(*) filter (where contacts.is_complaint) as complaints,
    count(*) filter (where contacts.is_complaint and contacts.classified_by = 'model') as complaints_by_model,
    count(*) filter (where contacts.is_complaint and contacts.classified_by = 'disposition') as complaints_by_disposition,
    count(*) filter (where contacts.is_complaint and contacts.classified_by = 'override') as complaints_by_override,
    count(*) filter (where contacts.classified_by = 'override') as overrides,
    count(*) filter (where contacts.is_low_confidence) as low_confidence,
    count(*) filter (where contacts.classified_by = 'model') as classified_by_model
from marts.fct_contacts as contacts
where contacts.month_start_date = %(month_start_date)s
"""
CLASSIFIER_QUERY = """
select model_name, model_version, review_threshold, test_messages, test_macro_f1,
       test_complaint_f1_es, test_complaint_f1_en, test_accuracy_es, test_accuracy_en
from classifier.models
"""
# The versions the marts were built with: the report refuses to state figures of another version.
CLASSIFIED_VERSIONS_QUERY = """
select distinct classifier_version from marts.fct_contacts where classifier_version is not null
"""

# Values the pipeline could not read (kept, typed column null): counted for the data-quality section.
DATA_ISSUES_QUERY = """
select channel, field_name, issue, count(*) as records
from marts.data_issues
group by channel, field_name, issue
order by channel, field_name, issue
"""

# The KPI tables: (section id, heading, [(mart column, heading, formatter name)]). Order is the order on the page.
KPI_TABLES = [
    (
        "kpis",
        "Contacts, complaints and first responses by channel",
        [
            ("contacts", "Contacts", "count"),
            ("complaints", "Complaints", "count"),
            ("complaints_responded", "Responded", "count"),
            ("response_rate", "Response rate", "rate"),
            ("complaints_responded_within_24h", "Within 24 h", "count"),
            ("responded_within_24h_rate", "Within 24 h rate", "rate"),
            ("responded_within_sla_rate", "Within SLA rate", "rate"),
            ("median_first_response_minutes", "Median first response", "minutes"),
        ],
    ),
    (
        "resolution",
        "Resolution, backlog and satisfaction by channel",
        [
            ("complaints_resolved", "Resolved", "count"),
            ("resolved_within_target_rate", "Resolved within target rate", "rate"),
            ("complaints_reopened", "Reopened", "count"),
            ("backlog_at_month_end", "Open at month end", "count"),
            ("survey_responses", "Survey responses", "count"),
            ("csat", "CSAT", "rate"),
            ("nps", "NPS", "nps"),
        ],
    ),
]
KPI_COLUMNS = [column for _, _, columns in KPI_TABLES for column in columns]

# The complaints open at the end of the month's latest backlog day, by channel and age band.
AGE_BANDS = ["0-1", "1-3", "3-7", "7-30", ">30"]
BACKLOG_QUERY = """
select
    backlog.snapshot_date,
    backlog.channel,
    coalesce(channels.channel_name, backlog.channel) as channel_name,
    backlog.age_band,
    sum(backlog.open_complaints) as open_complaints
from marts.fct_complaint_backlog_daily as backlog
left join marts.dim_channel as channels
    on backlog.channel = channels.channel
where backlog.snapshot_date = (
    select max(snapshot_date) from marts.fct_complaint_backlog_daily where month_start_date = %(month_start_date)s
)
group by backlog.snapshot_date, backlog.channel, channels.channel_name, channels.channel_kind, backlog.age_band
order by channels.channel_kind nulls last, coalesce(channels.channel_name, backlog.channel), backlog.age_band
"""

# The corrective actions opened by the month's end, with their status and effect as of the data's latest day.
ACTIONS_QUERY = """
select
    action_id, root_cause, description, owner_role, opened_on, due_on, closed_on, effectiveness_check_on,
    as_of_date, action_status, required_reduction, complaints_before, complaints_after, effectiveness
from marts.fct_corrective_actions
where opened_on <= %(month_end)s
order by opened_on, action_id
"""


@dataclass(frozen=True)
class Cell:
    metric: str
    value: Any
    text: str

    @property
    def data_value(self) -> str:
        """The mart's value as text, exactly (decimals in positional notation)."""
        return mart_value_text(self.value)


def mart_value_text(value: Any) -> str:
    """How a mart value is written in a cell's `data-value`: blank for NULL, decimals without exponent."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def report_path(settings: Settings, month: date) -> Path:
    """Where the report of `month` is (or will be) written."""
    return settings.reports_dir / f"{month:%Y-%m}" / "report.html"


def withdraw_report(settings: Settings, month: date, reason: str) -> Path | None:
    """Set aside the month's published report, so that it no longer looks current after a failed gate or refused
    publication: it is renamed `report.withdrawn-<UTC time>.html` beside a `WITHDRAWN.txt` saying why. Returns the
    new path, or None when the month had no report."""
    path = report_path(settings, month)
    if not path.is_file():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    withdrawn = path.with_name(f"report.withdrawn-{stamp}.html")
    path.rename(withdrawn)
    note = path.with_name("WITHDRAWN.txt")
    note.write_text(f"{stamp}: {withdrawn.name} was withdrawn: {reason}\n", encoding="utf-8")
    log.warning("report of %s withdrawn to %s: %s", f"{month:%Y-%m}", withdrawn, reason)
    return withdrawn


def render_monthly_report(
    settings: Settings,
    *,
    month: date,
    gate: dict,
    run_id: str,
    generated_at: datetime,
) -> Path:
    """Render the report of `month` (any day of it) and return its path.

    `gate` is the summary `voc.quality.run_gate` returned; unless its `success` is true the report is refused
    (`ReportRefused`) before anything is read or written. `generated_at` must be timezone-aware.
    """
    if not isinstance(gate, dict) or gate.get("success") is not True:
        run = gate.get("run_id") if isinstance(gate, dict) else None
        raise ReportRefused(
            f"the quality gate{f' of run {run}' if run else ''} did not pass, so the report of {month:%Y-%m} is not "
            "published and nothing was written; fix the failed expectations (see the gate's message and Data Docs) "
            "and run the gate again"
        )
    if not run_id:
        raise ValueError("render_monthly_report needs the run_id the report is stamped with")
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise ValueError(f"generated_at must be timezone-aware (got {generated_at.isoformat()})")

    month_start = date(month.year, month.month, 1)
    org_zone = ZoneInfo(settings.timezone)
    freshness = check_publishable(settings, month_start)
    rows = _read_rows(settings, KPI_QUERY, {"month_start_date": month_start})
    if not rows:
        raise ReportError(
            f"{SOURCE_TABLE} has no rows for {month_start:%Y-%m}: nothing to report and nothing was written; "
            "check that the month has been landed and `dbt build` has run"
        )

    classification = _read_classification(settings, month_start)
    html = _render_html(
        settings=settings,
        month_start=month_start,
        rows=rows,
        classification=classification,
        freshness=freshness,
        data_issues=_read_rows(settings, DATA_ISSUES_QUERY),
        backlog=_read_rows(settings, BACKLOG_QUERY, {"month_start_date": month_start}),
        actions=_read_rows(settings, ACTIONS_QUERY, {"month_end": _month_end(month_start)}),
        gate=gate,
        run_id=run_id,
        generated_at=generated_at,
        org_zone=org_zone,
    )
    path = report_path(settings, month_start)
    _write_atomically(path, html)
    log.info("report of %s written to %s (%d channels, run %s)", f"{month_start:%Y-%m}", path, len(rows), run_id)
    return path


# --------------------------------------------------------------------------------------------------- reading


def _read_rows(settings: Settings, query: str, parameters: dict | None = None) -> list[dict]:
    """The rows of ``query``, read as the reader role in a read-only transaction."""
    from psycopg.rows import dict_row

    from voc import warehouse

    with warehouse.connect(settings, duty="reader") as conn:
        conn.read_only = True
        with conn.cursor(row_factory=dict_row) as cursor:
            cursor.execute(query, parameters or {})
            return cursor.fetchall()


def _read_classification(settings: Settings, month_start: date) -> dict:
    """The month's classification counts and the classifier models' versions and measured figures."""
    from psycopg.rows import dict_row

    from voc import warehouse

    with warehouse.connect(settings, duty="reader") as conn:
        conn.read_only = True
        with conn.cursor(row_factory=dict_row) as cursor:
            cursor.execute(CLASSIFICATION_QUERY, {"month_start_date": month_start})
            counts = cursor.fetchone()
            cursor.execute(CLASSIFIER_QUERY)
            models = {row["model_name"]: row for row in cursor.fetchall()}
            cursor.execute(CLASSIFIED_VERSIONS_QUERY)
            built_with = {row["classifier_version"] for row in cursor.fetchall()}
    if "contact_type" not in models or "sentiment" not in models:
        raise ReportError(
            "classifier.models lacks the contact_type or sentiment model: run `voc setup` first; nothing was written"
        )
    stale = built_with - {models["contact_type"]["model_version"]}
    if stale:
        raise ReportError(
            f"the marts were classified by {', '.join(sorted(stale))}, not by the installed "
            f"{models['contact_type']['model_version']}: run `voc dbt build` first; nothing was written"
        )
    return {"counts": counts, "models": models}


# --------------------------------------------------------------------------------------------------- formatting


def format_count(value: Any) -> str:
    return BLANK if value is None else f"{int(value):,}"


def format_rate(value: Any) -> str:
    """A share (0–1) as a percentage with one decimal."""
    return BLANK if value is None else f"{float(value) * 100:.1f} %"


def format_nps(value: Any) -> str:
    """NPS with its sign, a typographic minus for negatives (−36.0, +14.0)."""
    return BLANK if value is None else f"{float(value):+.1f}".replace("-", "\u2212")


def format_minutes(value: Any) -> str:
    """A duration in minutes, as minutes, hours and minutes, or days and hours."""
    if value is None:
        return BLANK
    minutes = float(value)
    if minutes < 9.95:
        return f"{minutes:.1f} min"
    if round(minutes) < 60:
        return f"{round(minutes)} min"
    hours, rest = divmod(round(minutes), 60)
    if hours < 48:
        return f"{hours} h {rest:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def format_hours(value: Any) -> str:
    if value is None:
        return BLANK
    hours = Decimal(str(value))
    return f"{hours.normalize():f} h"


def format_target(minutes: Any, clock: str | None) -> str | None:
    """A first-response target as readers say it: "1 h", "8 business h", "90 min"; None without a target."""
    if minutes is None:
        return None
    minutes = Decimal(str(minutes))
    amount = format_hours(minutes / 60) if minutes % 60 == 0 else f"{minutes.normalize():f} min"
    return amount.replace(" h", " business h").replace(" min", " business min") if clock == "business" else amount


def format_share(value: Any) -> str:
    """A share (0–1) as a whole percentage when it is one (20 %), else with one decimal."""
    if value is None:
        return BLANK
    percent = float(value) * 100
    return f"{percent:.0f} %" if percent == round(percent) else f"{percent:.1f} %"


FORMATTERS = {"count": format_count, "rate": format_rate, "nps": format_nps, "minutes": format_minutes}


def _cells(row: dict) -> list[Cell]:
    return [Cell(metric=column, value=row[column], text=FORMATTERS[kind](row[column])) for column, _, kind in KPI_COLUMNS]


# --------------------------------------------------------------------------------------------------- chart


CHART_STYLE = {
    "svg.fonttype": "none",  # text stays text: crisp in print, sized by the page's fonts
    "svg.hashsalt": "voc-monthly-report",  # stable element ids: the same data gives the same page
    "font.family": "sans-serif",
    "font.size": 9,
}


def _chart_figure(rows: list[dict]):
    """Complaints and complaints responded within 24 h, per channel (a matplotlib Figure; no pyplot, no global backend)."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = [textwrap.fill(str(row["channel_name"]), 14) for row in rows]
    complaints = [int(row["complaints"] or 0) for row in rows]
    within_24h = [int(row["complaints_responded_within_24h"] or 0) for row in rows]
    positions = range(len(rows))
    width = 0.38

    figure = Figure(figsize=(9.0, 3.4), layout="constrained")
    FigureCanvasSVG(figure)
    axes = figure.add_subplot()
    complaint_bars = axes.bar([p - width / 2 for p in positions], complaints, width, label="Complaints", color="#3b4a6b")
    responded_bars = axes.bar(
        [p + width / 2 for p in positions], within_24h, width, label="Responded within 24 h", color="#2a9d8f"
    )
    axes.bar_label(complaint_bars, padding=2, fontsize=8)
    axes.bar_label(responded_bars, padding=2, fontsize=8)
    axes.set_xticks(list(positions), labels)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(0, max([*complaints, *within_24h, 1]) * 1.15)
    axes.set_ylabel("Complaints")
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    figure.legend(frameon=False, loc="outside upper left", ncols=2)
    return figure


def _chart_svg(rows: list[dict], month_label: str) -> Markup:
    """The chart as an inline SVG: no image files beside the page, no font downloads."""
    import matplotlib

    with matplotlib.rc_context(CHART_STYLE):
        figure = _chart_figure(rows)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop the XML declaration and doctype: the SVG is inlined in HTML
    title = f"Complaints and complaints responded within 24 h by channel, {month_label}"
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{_attribute(title)}" ', 1)
    svg = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", svg, count=1)  # sized by CSS
    return Markup(svg)


def _attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------------------------------- page


def _render_html(
    *,
    settings: Settings,
    month_start: date,
    rows: list[dict],
    classification: dict,
    freshness: Freshness,
    data_issues: list[dict],
    backlog: list[dict],
    actions: list[dict],
    gate: dict,
    run_id: str,
    generated_at: datetime,
    org_zone: ZoneInfo,
) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = environment.get_template(TEMPLATE_NAME)

    month_label = f"{calendar.month_name[month_start.month]} {month_start.year}"
    last_day = calendar.monthrange(month_start.year, month_start.month)[1]
    generated_utc = generated_at.astimezone(UTC)
    generated_local = generated_at.astimezone(org_zone)

    channels = [
        {
            "channel": row["channel"],
            "name": row["channel_name"],
            "sla_target": format_target(row["first_response_target_minutes"], row["sla_clock"]),
            "cells": _cells(row),
        }
        for row in rows
    ]
    suites = [
        {
            "name": suite.get("name"),
            "table": suite.get("table"),
            "success": suite.get("success") is True,
            "evaluated": suite.get("evaluated_expectations"),
            "successful": suite.get("successful_expectations"),
        }
        for suite in gate.get("suites", [])
    ]
    docs_index = gate.get("data_docs_index")
    return template.render(
        month_label=month_label,
        month_key=f"{month_start:%Y-%m}",
        period_label=f"1–{last_day} {month_label}",
        timezone=settings.timezone,
        tables=[
            {
                "id": table_id,
                "heading": heading,
                "columns": [{"metric": column, "heading": title} for column, title, _ in columns],
                "channels": [
                    {**channel, "cells": [cell for cell in channel["cells"] if cell.metric in {c for c, _, _ in columns}]}
                    for channel in channels
                ],
            }
            for table_id, heading, columns in KPI_TABLES
        ],
        backlog=_backlog_view(backlog),
        actions=_actions_view(actions),
        chart_svg=_chart_svg(rows, month_label),
        classification=_classification_view(classification),
        coverage={
            "cut_off": _format_timestamp(freshness.cut_off, org_zone),
            "last_load": _format_timestamp(freshness.last_load, org_zone),
            "built_at": _format_timestamp(freshness.built_at, org_zone),
            "channels": [
                {
                    "channel": channel.channel,
                    "latest_record": _format_timestamp(channel.latest_record_at, org_zone),
                    "last_load": _format_timestamp(channel.last_loaded_at, org_zone),
                }
                for channel in freshness.channels
            ],
        },
        data_issues=[{**row, "records": format_count(row["records"])} for row in data_issues],
        data_issue_total=format_count(sum(row["records"] for row in data_issues)),
        gate={
            "run_id": gate.get("run_id"),
            "checked_at": _format_timestamp(gate.get("checked_at"), org_zone),
            "checkpoint": gate.get("checkpoint"),
            "evaluated": gate.get("evaluated_expectations", sum(s["evaluated"] or 0 for s in suites)),
            "suites": suites,
            "docs_href": _href(docs_index),
            "docs_location": docs_index,
        },
        run_id=run_id,
        generated_utc=f"{generated_utc:%Y-%m-%d %H:%M:%S} UTC",
        generated_local=f"{generated_local:%Y-%m-%d %H:%M:%S} {generated_local.tzname()} ({settings.timezone})",
        generated_iso=generated_utc.isoformat(),
        source_table=SOURCE_TABLE,
        blank=BLANK,
    )


def _month_end(month_start: date) -> date:
    return month_start.replace(day=calendar.monthrange(month_start.year, month_start.month)[1])


def _backlog_view(rows: list[dict]) -> dict:
    """The month-end backlog as a table: one row per channel, one cell per age band and a total."""
    by_channel: dict[str, dict] = {}
    for row in rows:
        channel = by_channel.setdefault(row["channel"], {"channel": row["channel"], "name": row["channel_name"], "bands": {}})
        channel["bands"][row["age_band"]] = row["open_complaints"]
    channels = [
        {
            **channel,
            "cells": [
                Cell(metric=band, value=channel["bands"].get(band, 0), text=format_count(channel["bands"].get(band, 0)))
                for band in AGE_BANDS
            ]
            + [Cell(metric="total", value=sum(channel["bands"].values()), text=format_count(sum(channel["bands"].values())))],
        }
        for channel in by_channel.values()
    ]
    totals = [sum(row["open_complaints"] for row in rows if row["age_band"] == band) for band in AGE_BANDS]
    return {
        "snapshot_date": rows[0]["snapshot_date"].isoformat() if rows else None,
        "bands": AGE_BANDS,
        "channels": channels,
        "totals": [format_count(total) for total in [*totals, sum(totals)]],
    }


def _actions_view(rows: list[dict]) -> dict:
    """The corrective actions as the report lists them, with the day their status and effect are as of."""

    def day(value: date | None) -> str:
        return value.isoformat() if value else BLANK

    return {
        "as_of": day(rows[0]["as_of_date"]) if rows else None,
        "required_reduction": format_share(rows[0]["required_reduction"]) if rows else None,
        "rows": [
            {
                **row,
                "opened": day(row["opened_on"]),
                "due": day(row["due_on"]),
                "closed": day(row["closed_on"]),
                "check": day(row["effectiveness_check_on"]),
                "before": format_count(row["complaints_before"]),
                "after": format_count(row["complaints_after"]),
            }
            for row in rows
        ],
    }


# the template's name for each count of CLASSIFICATION_QUERY
CLASSIFICATION_COUNTS = {
    "complaints": "complaints",
    "by_model": "complaints_by_model",
    "by_disposition": "complaints_by_disposition",
    "by_override": "complaints_by_override",
    "overrides": "overrides",
    "low_confidence": "low_confidence",
    "classified_by_model": "classified_by_model",
}


def _classification_view(classification: dict) -> dict:
    counts, models = classification["counts"], classification["models"]
    types, sentiment = models["contact_type"], models["sentiment"]
    return {name: format_count(counts[column]) for name, column in CLASSIFICATION_COUNTS.items()} | {
        "low_confidence_value": counts["low_confidence"],
        "version": types["model_version"],
        "sentiment_version": sentiment["model_version"],
        "review_threshold": f"{float(types['review_threshold']):.2f}",
        "test_messages": format_count(types["test_messages"]),
        "complaint_f1_es": _score(types["test_complaint_f1_es"]),
        "complaint_f1_en": _score(types["test_complaint_f1_en"]),
        "macro_f1": _score(types["test_macro_f1"]),
        "sentiment_accuracy_es": format_rate(sentiment["test_accuracy_es"]),
        "sentiment_accuracy_en": format_rate(sentiment["test_accuracy_en"]),
    }


def _score(value: Any) -> str:
    return BLANK if value is None else f"{float(value):.2f}"


def _format_timestamp(value: Any, org_zone: ZoneInfo) -> str | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    local = moment.astimezone(org_zone)
    return f"{utc:%Y-%m-%d %H:%M:%S} UTC ({local:%H:%M} {local.tzname()})"


def _href(location: str | None) -> str | None:
    """A link to the Data Docs index: a file path becomes a file:// URL; URLs are kept."""
    if not location:
        return None
    if re.match(r"^[a-z][a-z0-9+.-]*://", location):
        return location
    path = Path(location)
    return path.as_uri() if path.is_absolute() else location


# --------------------------------------------------------------------------------------------------- writing


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
