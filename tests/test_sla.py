"""Service levels on business time: the SQL clock (macro business_minutes, model int_contact_sla) against an
independent count in Python on every sample contact, and the holidays seed against the `holidays` package.
The hand-built edge cases (weekends, holidays, DST, before opening) are dbt unit tests in int_contact_sla.yml."""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"


def _calendars() -> dict[str, dict]:
    calendars: dict[str, dict] = {}
    with (SEEDS / "business_calendars.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            entry = calendars.setdefault(row["calendar"], {"subdivision": row["subdivision"] or None, "hours": {}})
            entry["hours"][int(row["iso_weekday"])] = (time.fromisoformat(row["opens_at"]), time.fromisoformat(row["closes_at"]))
    return calendars


def _business_minutes(start: datetime, end: datetime, calendar: dict, zone: ZoneInfo) -> float:
    """Walk the local days from start to end; add each working day's overlap with [start, end]."""
    if end <= start:
        return 0.0
    days_off = holidays.country_holidays("ES", subdiv=calendar["subdivision"], years=range(start.year, end.year + 1))
    total = 0.0
    day = start.astimezone(zone).date()
    while day <= end.astimezone(zone).date():
        hours = calendar["hours"].get(day.isoweekday())
        if hours and day not in days_off:
            opens = datetime.combine(day, hours[0], tzinfo=zone)
            closes = datetime.combine(day, hours[1], tzinfo=zone)
            overlap = (min(end, closes) - max(start, opens)).total_seconds()
            total += max(0.0, overlap) / 60
        day += timedelta(days=1)
    return total


def test_the_sla_clock_equals_an_independent_count_on_every_sample_contact(built_warehouse):
    from voc import warehouse

    zone = ZoneInfo(built_warehouse.timezone)
    calendars = _calendars()
    with warehouse.connect(built_warehouse) as conn:
        rows = conn.execute(
            "select contact_id, clock, calendar, received_at, first_response_at, first_response_elapsed_minutes, "
            "first_response_target_minutes, first_response_sla_status from intermediate.int_contact_sla"
        ).fetchall()
    checked = {"business": 0, "calendar": 0}
    statuses = set()
    for contact_id, clock, calendar, received, responded, elapsed, target, status in rows:
        statuses.add(status)
        if responded is None:
            assert (elapsed, status) == (None, "open"), contact_id
            continue
        if clock == "business":
            expected = _business_minutes(received, responded, calendars[calendar], zone)
        else:
            expected = max(0.0, (responded - received).total_seconds() / 60)
        assert abs(float(elapsed) - expected) < 0.01, f"{contact_id}: {elapsed} minutes, counted {expected:.2f}"
        assert status == ("met" if expected <= target else "breached"), contact_id
        checked[clock] += 1
    assert checked["business"] > 500 and checked["calendar"] > 500, checked
    assert statuses == {"met", "breached", "open"}


def test_the_holidays_seed_is_what_the_holidays_package_gives():
    from voc.calendar import HOLIDAYS, holidays_csv

    assert HOLIDAYS.read_text(encoding="utf-8") == holidays_csv(), "regenerate it: uv run voc holidays"
    assert "Madrid Day" in HOLIDAYS.read_text(encoding="utf-8")
