"""The monthly report on the built sample warehouse, after a real quality gate: every figure must be the mart's."""

from __future__ import annotations

import calendar
import dataclasses
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from voc import warehouse
from voc.quality import run_gate
from voc.reporting import ReportError, ReportRefused, StaleData, render_monthly_report, report_path
from voc.reporting.monthly import FORMATTERS, KPI_COLUMNS, mart_value_text

GENERATED_AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


class _ReportPage(HTMLParser):
    """The parts of the page the tests read: title, h1, KPI cells by channel and metric, suites, links."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, dict[str, tuple[str, str]]] = {}
        self.suites: list[str] = []
        self.links: list[str] = []
        self.texts: dict[str, str] = {"title": "", "h1": ""}
        self._channel: str | None = None
        self._cell: tuple[str, str] | None = None
        self._cell_text = ""
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "tr" and "data-channel" in attributes:
            self._channel = attributes["data-channel"]
            self.cells.setdefault(self._channel, {})  # a channel has a row in each KPI table
        elif tag == "tr" and "data-suite" in attributes:
            self.suites.append(attributes["data-suite"])
        elif tag == "td" and self._channel and "data-metric" in attributes:
            self._cell = (attributes["data-metric"], attributes.get("data-value", ""))
            self._cell_text = ""
        elif tag == "a":
            self.links.append(attributes.get("href", ""))
        elif tag in self.texts:
            self._in = tag

    def handle_endtag(self, tag):
        if tag == "td" and self._cell:
            metric, value = self._cell
            self.cells[self._channel][metric] = (value, self._cell_text.strip())
            self._cell = None
        elif tag == "tr":
            self._channel = None
        elif tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._cell:
            self._cell_text += data
        if self._in:
            self.texts[self._in] += data


def _parse(html: str) -> _ReportPage:
    page = _ReportPage()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def gate(built_warehouse) -> dict:
    return run_gate(built_warehouse, run_id="test-report-gate")


@pytest.fixture
def report_settings(built_warehouse, tmp_path):
    return dataclasses.replace(built_warehouse, reports_dir=tmp_path / "reports")


@pytest.fixture(scope="module")
def month(built_warehouse, sample_end_month) -> date:
    """The latest month the sample covers whole (it ends inside the month after)."""
    return (sample_end_month - timedelta(days=1)).replace(day=1)


@pytest.fixture(scope="module")
def sample_end_month(ground_truth) -> date:
    """The month the sample ends in (the generator's intended end, not the data's)."""
    end = datetime.fromisoformat(ground_truth["end"]).astimezone(ZoneInfo(ground_truth["timezone"]))
    return date(end.year, end.month, 1)


def _mart_rows(settings, month_start: date) -> dict[str, dict]:
    columns = [column for column, _, _ in KPI_COLUMNS]
    with warehouse.connect(settings) as conn:
        cursor = conn.execute(
            f"select channel, {', '.join(columns)} from marts.kpi_channel_monthly where month_start_date = %s",
            (month_start,),
        )
        names = [column.name for column in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def test_report_shows_every_channel_with_the_mart_values(report_settings, gate, month):
    path = render_monthly_report(report_settings, month=month, gate=gate, run_id="test-report-run", generated_at=GENERATED_AT)

    assert path == report_settings.reports_dir / f"{month:%Y-%m}" / "report.html" == report_path(report_settings, month)
    html = path.read_text(encoding="utf-8")
    page = _parse(html)
    mart = _mart_rows(report_settings, month)

    assert set(page.cells) == set(mart) and len(mart) >= 7  # every contact channel, none invented
    for channel, row in mart.items():
        for column, _, kind in KPI_COLUMNS:
            value, text = page.cells[channel][column]
            assert value == mart_value_text(row[column]), (channel, column)
            assert text == FORMATTERS[kind](row[column]), (channel, column)
            if row[column] is None:
                assert text == "—"

    month_label = f"{calendar.month_name[month.month]} {month.year}"
    assert month_label in page.texts["title"] and page.texts["h1"].strip() == month_label
    assert "<svg" in html and "Complaints" in html  # the chart, inlined
    assert page.suites == [suite["name"] for suite in gate["suites"]]
    assert "Data quality: passed" in html
    assert any(link.startswith("file://") and link.endswith("index.html") for link in page.links)  # Data Docs
    assert "test-report-run" in html and gate["run_id"] in html
    local = GENERATED_AT.astimezone(ZoneInfo(report_settings.timezone))
    assert "2026-11-20 09:30:00 UTC" in html and f"{local:%Y-%m-%d %H:%M:%S}" in html
    assert "How to read" in html and "promoters" in html
    assert sorted(p.name for p in path.parent.iterdir()) == ["report.html"]  # no temporary file left behind


def test_report_states_the_classifier_its_measured_f1_and_the_review_count(report_settings, gate, month):
    """Readers learn the uncertainty of the complaint count: which model, how it measured, how much awaits review."""
    import re

    from voc.classifier.model import load_models

    path = render_monthly_report(report_settings, month=month, gate=gate, run_id="test-report-run", generated_at=GENERATED_AT)
    html = path.read_text(encoding="utf-8")
    model = load_models()["contact_type"]
    assert model.version in html
    for column in ("test_complaint_f1_es", "test_complaint_f1_en", "test_macro_f1"):
        assert f"{float(model.info[column]):.2f}" in html, column
    with warehouse.connect(report_settings) as conn:
        (awaiting,) = conn.execute(
            "select count(*) from restricted.classification_review where month_start_date = %s", (month,)
        ).fetchone()
    assert re.search(rf'data-metric="low_confidence" data-value="{awaiting}"', html)


def test_report_is_rewritten_in_place(report_settings, gate, month):
    first = render_monthly_report(report_settings, month=month, gate=gate, run_id="test-report-first", generated_at=GENERATED_AT)
    second = render_monthly_report(
        report_settings, month=month.replace(day=15), gate=gate, run_id="test-report-second", generated_at=GENERATED_AT
    )
    assert first == second
    html = second.read_text(encoding="utf-8")
    assert "test-report-second" in html and "test-report-first" not in html
    assert sorted(p.name for p in second.parent.iterdir()) == ["report.html"]


@pytest.mark.parametrize(
    "failed_gate",
    [
        {"success": False, "run_id": "test-report-failed-gate", "suites": []},
        {"run_id": "test-report-no-verdict"},
        {"success": "true"},
    ],
)
def test_report_refuses_when_the_gate_did_not_pass_and_writes_nothing(report_settings, gate, month, failed_gate):
    with pytest.raises(ReportRefused, match="did not pass"):
        render_monthly_report(
            report_settings, month=month, gate=failed_gate, run_id="test-report-refused", generated_at=GENERATED_AT
        )
    assert not report_settings.reports_dir.exists()


def test_report_of_a_month_without_data_is_an_error_and_writes_nothing(report_settings, gate):
    with pytest.raises(ReportError, match="no rows for 2001-01"):
        render_monthly_report(
            report_settings, month=date(2001, 1, 1), gate=gate, run_id="test-report-empty", generated_at=GENERATED_AT
        )
    assert not report_settings.reports_dir.exists()


def test_report_needs_an_aware_generation_time(report_settings, gate, month):
    with pytest.raises(ValueError, match="timezone-aware"):
        render_monthly_report(
            report_settings, month=month, gate=gate, run_id="test-report-naive", generated_at=datetime(2026, 11, 20, 9, 30)
        )
    assert not report_settings.reports_dir.exists()


def test_report_refuses_marts_classified_by_another_model_and_writes_nothing(report_settings, gate, month):
    """A new classifier installed but the marts not rebuilt yet: the report would state one model's figures beside
    another model's counts, so it refuses."""
    from voc.classifier.model import load_models

    version = load_models()["contact_type"].version
    with warehouse.connect(report_settings) as conn:
        conn.execute("update classifier.models set model_version = 'contact_type-newer' where model_name = 'contact_type'")
        conn.commit()
        try:
            with pytest.raises(ReportError, match=f"classified by {version}, not by the installed contact_type-newer"):
                render_monthly_report(
                    report_settings, month=month, gate=gate, run_id="test-report-stale", generated_at=GENERATED_AT
                )
        finally:
            conn.execute("update classifier.models set model_version = %s where model_name = 'contact_type'", (version,))
            conn.commit()
    assert not report_settings.reports_dir.exists()


def test_report_of_a_month_the_data_does_not_reach_the_end_of_is_refused(report_settings, gate, sample_end_month):
    """The sample ends inside its last month: that month is incomplete in every channel."""
    incomplete = sample_end_month
    with pytest.raises(
        StaleData, match=rf"its latest record is from .* before the end of {incomplete:%Y-%m}: the month is incomplete"
    ):
        render_monthly_report(report_settings, month=incomplete, gate=gate, run_id="test-incomplete", generated_at=GENERATED_AT)
    assert not report_settings.reports_dir.exists()


def test_report_refuses_marts_built_before_the_last_load(report_settings, gate, month):
    """A record landed after `dbt build`: the marts do not hold it, so their figures are not published."""
    with warehouse.connect(report_settings) as conn:
        key, loaded_at = conn.execute("select record_key, loaded_at from raw.phone_calls order by record_key limit 1").fetchone()
        conn.execute("update raw.phone_calls set loaded_at = now() where record_key = %s", (key,))
        conn.commit()
        try:
            with pytest.raises(
                StaleData, match=r"phone: records were landed at .*, after the marts were built .* run `voc dbt build`"
            ):
                render_monthly_report(report_settings, month=month, gate=gate, run_id="test-stale", generated_at=GENERATED_AT)
        finally:
            conn.execute("update raw.phone_calls set loaded_at = %s where record_key = %s", (loaded_at, key))
            conn.commit()
    assert not report_settings.reports_dir.exists()


def test_report_states_the_data_cut_off_last_load_and_values_not_read(report_settings, gate, month):
    path = render_monthly_report(report_settings, month=month, gate=gate, run_id="test-coverage", generated_at=GENERATED_AT)
    html = path.read_text(encoding="utf-8")
    with warehouse.connect(report_settings) as conn:
        cut_off, last_load = conn.execute(
            "select min(latest_record_at), max(last_loaded_at) from marts.source_freshness"
        ).fetchone()
        issues = conn.execute("select count(*) from marts.data_issues").fetchone()[0]
    assert f"{cut_off.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" in _between(html, 'data-metric="cut_off"', "</dd>")
    assert f"{last_load.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC" in _between(html, 'data-metric="last_load"', "</dd>")
    assert f'data-metric="data_issues" data-value="{issues}"' in html


def test_a_refused_publication_withdraws_the_months_earlier_report(report_settings, gate, month):
    from voc.reporting import withdraw_report

    path = render_monthly_report(report_settings, month=month, gate=gate, run_id="test-first", generated_at=GENERATED_AT)

    withdrawn = withdraw_report(report_settings, month, "the quality gate of run test-second failed")

    assert not path.exists() and withdrawn is not None and withdrawn.read_text(encoding="utf-8").startswith("<!")
    note = (path.parent / "WITHDRAWN.txt").read_text(encoding="utf-8")
    assert withdrawn.name in note and "the quality gate of run test-second failed" in note
    assert withdraw_report(report_settings, month, "again") is None  # nothing current left to withdraw


def test_report_shows_the_month_end_backlog_by_age_and_the_corrective_actions(report_settings, gate, month):
    """The backlog table holds the mart's open complaints of the month's last backlog day by channel and age band,
    adding up to the KPI table's open-at-month-end; the actions table lists the actions opened by the month's end,
    with the mart's verdicts."""
    import re

    path = render_monthly_report(report_settings, month=month, gate=gate, run_id="test-sections", generated_at=GENERATED_AT)
    html = path.read_text(encoding="utf-8")
    month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    with warehouse.connect(report_settings) as conn:
        backlog = conn.execute(
            "select channel, age_band, sum(open_complaints) from marts.fct_complaint_backlog_daily "
            "where snapshot_date = (select max(snapshot_date) from marts.fct_complaint_backlog_daily "
            "where snapshot_date between %s and %s) group by channel, age_band",
            (month, month_end),
        ).fetchall()
        actions = dict(
            conn.execute(
                "select action_id, effectiveness from marts.fct_corrective_actions where opened_on <= %s", (month_end,)
            ).fetchall()
        )
        later = [
            row[0]
            for row in conn.execute("select action_id from marts.fct_corrective_actions where opened_on > %s", (month_end,))
        ]

    section = _between(html, '<section id="backlog">', "</section>")
    shown = {}
    for channel, row in re.findall(r'<tr data-backlog-channel="(\w+)">(.*?)</tr>', section, re.S):
        shown[channel] = dict(re.findall(r'data-age-band="([^"]+)" data-value="(\d+)"', row))
    assert backlog, "the sample's month ends with open complaints"
    expected: dict[str, dict[str, str]] = {}
    for channel, band, count in backlog:
        expected.setdefault(channel, {})[band.replace(">", "&gt;")] = str(count)
    for channel, bands in shown.items():
        assert {band: value for band, value in bands.items() if band != "total" and value != "0"} == expected[channel]
        assert int(bands["total"]) == sum(int(value) for value in expected[channel].values())
        assert bands["total"] == _parse(html).cells[channel]["backlog_at_month_end"][0], channel
    assert set(shown) == set(expected)

    listed = dict(re.findall(r'<tr data-action="([^"]+)" data-effectiveness="([^"]+)">', html))
    assert listed == actions and actions
    assert not set(later) & set(listed)
    assert "effective" in listed.values()  # the sample's action that worked was checked before this month's end


def _between(text: str, start: str, end: str) -> str:
    tail = text[text.index(start) :]
    return tail[: tail.index(end)]


def test_response_targets_read_as_readers_say_them():
    from voc.reporting.monthly import format_target

    assert format_target(60, "calendar") == "1 h"
    assert format_target(480, "business") == "8 business h"
    assert format_target(90, "calendar") == "90 min"
    assert format_target(None, None) is None
