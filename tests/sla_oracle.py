"""An independent count of SLA minutes for the tests (Python's zoneinfo and the holidays package, walking local
days), to hold the SQL clock (macro business_minutes, model int_contact_sla) to."""

from __future__ import annotations

import csv
from datetime import datetime, time, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

SEEDS = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds"


@cache
def calendars() -> dict[str, dict]:
    calendars: dict[str, dict] = {}
    with (SEEDS / "business_calendars.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            entry = calendars.setdefault(row["calendar"], {"subdivision": row["subdivision"] or None, "hours": {}})
            entry["hours"][int(row["iso_weekday"])] = (time.fromisoformat(row["opens_at"]), time.fromisoformat(row["closes_at"]))
    return calendars


@cache
def _holidays(subdivision: str | None, first_year: int, last_year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("ES", subdiv=subdivision, years=range(first_year, last_year + 1))


def business_minutes(start: datetime, end: datetime, calendar: dict, zone: ZoneInfo) -> float:
    """Walk the local days from start to end; add each working day's overlap with [start, end]."""
    if end <= start:
        return 0.0
    days_off = _holidays(calendar["subdivision"], start.year, end.year)
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


@cache
def _targets() -> dict[tuple[str, str], dict]:
    with (SEEDS / "sla_targets.csv").open(newline="") as handle:
        return {(row["channel"], row["priority"]): row for row in csv.DictReader(handle)}


@cache
def _priorities() -> dict[str, str]:
    with (SEEDS / "disposition_codes.csv").open(newline="") as handle:
        return {row["disposition_code"]: row["priority"] for row in csv.DictReader(handle)}


def target(channel: str, disposition_code: str | None) -> dict | None:
    """The target row (seed sla_targets) of a contact of ``channel`` whose agent coded it ``disposition_code``: its
    channel's at the code's priority (seed disposition_codes), else at normal priority; None without one."""
    priority = _priorities().get(disposition_code or "", "normal")
    return _targets().get((channel, priority)) or _targets().get((channel, "normal"))


def elapsed_minutes(received: datetime, responded: datetime, target: dict, zone: ZoneInfo) -> float:
    if target["clock"] == "business":
        return business_minutes(received, responded, calendars()[target["calendar"]], zone)
    return max(0.0, (responded - received).total_seconds() / 60)
