"""Complaint lifecycles against the sample's plan: every helpdesk case's stages (opened, assigned, first and final
resolution, closed, reopenings) as the generator planned them, and every complaint with a case carrying them.
The conversation rules (no case) are dbt unit tests in fct_complaint_lifecycle.yml."""

from __future__ import annotations

import csv
from datetime import datetime

import pytest

STAGES = ("opened_at", "assigned_at", "first_resolved_at", "resolved_at", "closed_at")


@pytest.fixture(scope="module")
def planned_cases(settings, ground_truth) -> dict[str, dict]:
    with (settings.sample_dir / "ground_truth_cases.csv").open(encoding="utf-8", newline="") as handle:
        return {row["case_id"]: row for row in csv.DictReader(handle)}


def _at(text: str) -> datetime | None:
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def test_every_case_has_the_planned_stages(built_warehouse, planned_cases):
    from voc import warehouse

    with warehouse.connect(built_warehouse) as conn:
        cursor = conn.execute(
            f"select case_id, contact_id, {', '.join(STAGES)}, reopen_count from intermediate.int_case_lifecycles"
        )
        built = {row[0]: row for row in cursor.fetchall()}
    assert set(built) == set(planned_cases)
    differences = []
    for case_id, plan in planned_cases.items():
        row = built[case_id]
        want = (case_id, plan["contact_id"], *(_at(plan[stage]) for stage in STAGES), int(plan["reopen_count"]))
        if row != want:
            differences.append(f"{case_id}: built {row} != planned {want}")
    assert not differences, "\n".join(differences[:10])
    reopened = [plan for plan in planned_cases.values() if int(plan["reopen_count"])]
    assert reopened and any(not plan["resolved_at"] for plan in planned_cases.values()), "the sample lacks edge cases"


def test_complaints_with_a_case_carry_its_stages_and_the_others_their_conversation(built_warehouse, planned_cases):
    from voc import warehouse

    with warehouse.connect(built_warehouse) as conn:
        rows = conn.execute(
            "select complaint_id, lifecycle_source, case_id, assigned_at, resolved_at, closed_at, reopen_count, "
            "current_stage, is_resolved_first_time from marts.fct_complaint_lifecycle"
        ).fetchall()
        complaints = {row[0] for row in conn.execute("select complaint_id from marts.fct_complaints")}
    assert {row[0] for row in rows} == complaints
    by_contact = {plan["contact_id"]: plan for plan in planned_cases.values()}
    with_case = 0
    for complaint_id, source, case_id, assigned, resolved, closed, reopens, stage, first_time in rows:
        plan = by_contact.get(complaint_id)
        if plan is None:
            assert (source, case_id) == ("conversation", None), complaint_id
            continue
        with_case += 1
        assert (source, case_id) == ("case", plan["case_id"]), complaint_id
        assert (assigned, resolved, closed, reopens) == (
            _at(plan["assigned_at"]),
            _at(plan["resolved_at"]),
            _at(plan["closed_at"]),
            int(plan["reopen_count"]),
        ), complaint_id
        expected_stage = (
            "closed"
            if plan["closed_at"] and plan["resolved_at"]
            else "resolved"
            if plan["resolved_at"]
            else "assigned"
            if plan["assigned_at"]
            else None
        )
        if expected_stage:
            assert stage == expected_stage, complaint_id
        assert first_time == (bool(plan["resolved_at"]) and plan["reopen_count"] == "0"), complaint_id
    assert with_case > 100


def test_the_backlog_of_case_complaints_is_the_planned_one_day_by_day(built_warehouse, settings, planned_cases):
    """Every day's open complaints that have a case, by channel, category and age band, as the plan has them: each
    case open from the complaint's receipt to its resolution, again from its reopening to its new resolution."""
    from collections import Counter
    from datetime import date, time, timedelta
    from zoneinfo import ZoneInfo

    from voc import warehouse

    zone = ZoneInfo(settings.timezone)
    with warehouse.connect(built_warehouse) as conn:
        built = {
            (day, channel, category, band): count
            for day, channel, category, band, count in conn.execute(
                "select snapshot_date, channel, category, age_band, open_complaints from marts.fct_complaint_backlog_daily "
                "where lifecycle_source = 'case'"
            )
        }
        days = [row[0] for row in conn.execute("select distinct snapshot_date from marts.fct_complaint_backlog_daily order by 1")]
        complaints = {row[0] for row in conn.execute("select complaint_id from marts.fct_complaints")}
    with (settings.sample_dir / "ground_truth_contacts.csv").open(encoding="utf-8", newline="") as handle:
        received = {row["contact_id"]: datetime.fromisoformat(row["received_at"]) for row in csv.DictReader(handle)}
    first_day: date = days[0]
    assert days == [first_day + timedelta(days=n) for n in range(len(days))], "a day is missing"

    expected: Counter = Counter()
    for plan in planned_cases.values():
        if plan["contact_id"] not in complaints:
            continue
        arrived = received[plan["contact_id"]]
        first, final, reopened = _at(plan["first_resolved_at"]), _at(plan["resolved_at"]), _at(plan["reopened_at"])
        for day in days:
            end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
            resolved = (final is not None and final < end) or (
                first is not None and first < end and (reopened is None or reopened >= end)
            )
            if arrived >= end or resolved:
                continue
            age = (end - arrived).total_seconds() / 86400
            band = "0-1" if age < 1 else "1-3" if age < 3 else "3-7" if age < 7 else "7-30" if age < 30 else ">30"
            expected[(day, plan["contact_id"].split(":")[0], plan["category"], band)] += 1
    assert built == dict(expected)
    assert sum(expected.values()) > 1000 and {band for *_, band in expected} >= {"0-1", "1-3", "3-7", "7-30"}


def test_an_incremental_backlog_run_equals_a_full_rebuild(built_warehouse):
    """On the same data, an incremental run (which recomputes only the latest built day) leaves the backlog a full
    rebuild gives. (Earlier tests may have changed the data since the session's build: a snapshot keeps the days it
    built as they were, so the comparison starts from a full rebuild.)"""
    from voc import transform, warehouse

    def backlog():
        with warehouse.connect(built_warehouse) as conn:
            return sorted(conn.execute("select * from marts.fct_complaint_backlog_daily").fetchall())

    transform.run_dbt(["build", "--select", "fct_complaint_backlog_daily", "--full-refresh"], built_warehouse, quiet=True)
    rebuilt = backlog()
    transform.run_dbt(["build", "--select", "fct_complaint_backlog_daily"], built_warehouse, quiet=True)
    assert backlog() == rebuilt and len(rebuilt) > 100


def test_resolution_time_runs_on_the_channel_clock_and_stops_while_the_case_waits(built_warehouse, settings, planned_cases):
    """Case complaints: the minutes from receipt to resolution on the channel's SLA clock, less those the plan had
    the case pending, counted independently (sla_oracle), and whether that met the resolution target."""
    from zoneinfo import ZoneInfo

    from sla_oracle import elapsed_minutes, target
    from voc import warehouse

    zone = ZoneInfo(settings.timezone)
    with warehouse.connect(built_warehouse) as conn:
        built = {
            row[0]: row[1:]
            for row in conn.execute(
                "select complaint_id, resolution_sla_minutes, resolution_paused_minutes, is_resolved_within_target "
                "from marts.fct_complaint_lifecycle where lifecycle_source = 'case' and resolved_at is not null"
            )
        }
    with (settings.sample_dir / "ground_truth_contacts.csv").open(encoding="utf-8", newline="") as handle:
        contacts = {row["contact_id"]: row for row in csv.DictReader(handle)}
    received = {contact_id: datetime.fromisoformat(row["received_at"]) for contact_id, row in contacts.items()}
    checked = paused = high = 0
    for plan in planned_cases.values():
        if plan["contact_id"] not in built:
            continue
        resolved = _at(plan["resolved_at"])
        contact = contacts[plan["contact_id"]]
        sla = target(contact["channel"], contact["disposition_code"])  # the priority of the agent's code
        high += sla["priority"] == "high"
        total = elapsed_minutes(received[plan["contact_id"]], resolved, sla, zone)
        waited = 0.0
        if plan["pending_at"] and _at(plan["pending_at"]) < resolved:
            until = min(_at(plan["pending_until"]) or resolved, resolved)
            waited = elapsed_minutes(_at(plan["pending_at"]), until, sla, zone)
            paused += waited > 0
        net, built_paused, within = built[plan["contact_id"]]
        assert abs(float(net) - (total - waited)) < 0.01, plan["contact_id"]
        assert abs(float(built_paused) - waited) < 0.01, plan["contact_id"]
        assert within == (total - waited <= int(sla["resolution_target_minutes"])), plan["contact_id"]
        checked += 1
    assert checked > 100 and paused > 20 and high > 20


def test_the_kpi_resolution_counts_hold_the_planned_cases(built_warehouse, settings, planned_cases):
    """Per channel and month of receipt, the KPI mart's resolved and reopened complaints are the planned cases'
    (resolved by the sample's end, reopened at least once) plus the conversation-managed ones of the lifecycle mart,
    whose rules have no planned counterpart (they are dbt unit tests)."""
    from collections import Counter
    from zoneinfo import ZoneInfo

    from voc import warehouse

    zone = ZoneInfo(settings.timezone)
    with warehouse.connect(built_warehouse) as conn:
        complaints = {row[0] for row in conn.execute("select complaint_id from marts.fct_complaints")}
        conversation = {
            (channel, month.strftime("%Y-%m")): (resolved, reopened)
            for channel, month, resolved, reopened in conn.execute(
                "select channel, month_start_date, count(*) filter (where resolved_at is not null), "
                "count(*) filter (where is_reopened) from marts.fct_complaint_lifecycle "
                "where lifecycle_source = 'conversation' group by 1, 2"
            )
        }
        kpis = {
            (channel, month.strftime("%Y-%m")): (resolved, reopened)
            for channel, month, resolved, reopened in conn.execute(
                "select channel, month_start_date, complaints_resolved, complaints_reopened from marts.kpi_channel_monthly"
            )
        }
    with (settings.sample_dir / "ground_truth_contacts.csv").open(encoding="utf-8", newline="") as handle:
        received = {row["contact_id"]: datetime.fromisoformat(row["received_at"]) for row in csv.DictReader(handle)}
    resolved: Counter = Counter()
    reopened: Counter = Counter()
    for plan in planned_cases.values():
        if plan["contact_id"] not in complaints:
            continue
        key = (plan["contact_id"].split(":")[0], received[plan["contact_id"]].astimezone(zone).strftime("%Y-%m"))
        resolved[key] += bool(plan["resolved_at"])
        reopened[key] += int(plan["reopen_count"]) > 0
    assert set(resolved) <= set(kpis)
    for key, (kpi_resolved, kpi_reopened) in kpis.items():
        talk_resolved, talk_reopened = conversation.get(key, (0, 0))
        assert (kpi_resolved, kpi_reopened) == (resolved[key] + talk_resolved, reopened[key] + talk_reopened), key
    assert sum(resolved.values()) > 500 and sum(reopened.values()) > 20
