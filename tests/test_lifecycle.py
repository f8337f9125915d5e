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
