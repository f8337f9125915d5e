"""The corrective-action register and its effectiveness mart against the sample's plan.

The sample plans each action (its dates and how much it reduces its root cause's complaints once closed) and each
helpdesk case (its contact and the root cause recorded by the sample's end). The counts expected here come from
that plan: the planned cases of the action's root cause whose contact arrived in each window, in the organisation's
time zone. Nothing is read back from the warehouse to compute them.
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest


@pytest.fixture(scope="module")
def plan(settings, ground_truth) -> dict:
    zone = ZoneInfo(ground_truth["timezone"])
    with (settings.sample_dir / "ground_truth_contacts.csv").open(encoding="utf-8", newline="") as handle:
        received = {row["contact_id"]: datetime.fromisoformat(row["received_at"]) for row in csv.DictReader(handle)}
    with (settings.sample_dir / "ground_truth_cases.csv").open(encoding="utf-8", newline="") as handle:
        cause_days = [
            (row["root_cause"], received[row["contact_id"]].astimezone(zone).date())
            for row in csv.DictReader(handle)
            if row["root_cause"]
        ]
    end = datetime.fromisoformat(ground_truth["end"])
    return {
        "actions": {action["action_id"]: action for action in ground_truth["corrective_actions"]},
        "cause_days": cause_days,
        "last_day": (end - timedelta(seconds=1)).astimezone(zone).date(),
        "first_day": date.fromisoformat(ground_truth["start"]),
    }


def _mart(built_warehouse) -> dict[str, dict]:
    from voc import warehouse

    with warehouse.connect(built_warehouse) as conn:
        cursor = conn.execute("select * from marts.fct_corrective_actions")
        names = [column.name for column in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def _count(plan: dict, cause: str, start: date, end: date) -> int:
    return sum(1 for planned_cause, day in plan["cause_days"] if planned_cause == cause and start <= day < end)


def test_the_sample_plans_every_kind_of_action(plan):
    actions = plan["actions"].values()
    last = plan["last_day"]
    closed = [a for a in actions if a["closed_on"]]
    checked = [a for a in closed if date.fromisoformat(a["effectiveness_check_on"]) <= last]
    assert any(a["reduction"] >= 0.5 for a in checked), "no action that worked"
    assert any(a["reduction"] == 0 for a in checked), "no action without effect"
    assert any(date.fromisoformat(a["effectiveness_check_on"]) > last for a in closed), "none awaiting its check"
    assert any(not a["closed_on"] and date.fromisoformat(a["due_on"]) < last for a in actions), "none overdue"


def test_every_planned_action_is_in_the_mart_once_as_last_exported(built_warehouse, plan):
    from voc import warehouse

    built = _mart(built_warehouse)
    assert set(built) == set(plan["actions"])
    with warehouse.connect(built_warehouse) as conn:
        raw = conn.execute("select count(*), count(distinct record_key) from raw.corrective_actions").fetchone()
    assert raw == (len(plan["actions"]), len(plan["actions"]))  # weekly exports of the whole register, landed once
    for action_id, action in plan["actions"].items():
        row = built[action_id]
        closed = date.fromisoformat(action["closed_on"]) if action["closed_on"] else None
        assert (row["root_cause"], row["opened_on"], row["due_on"], row["closed_on"]) == (
            action["root_cause"],
            date.fromisoformat(action["opened_on"]),
            date.fromisoformat(action["due_on"]),
            closed,
        ), action_id
        assert row["as_of_date"] == plan["last_day"]
        due = date.fromisoformat(action["due_on"])
        expected_status = "closed" if closed else "overdue" if due < plan["last_day"] else "open"
        assert row["action_status"] == expected_status, action_id
        if closed:
            assert row["is_closed_on_time"] == (closed <= due), action_id


def test_complaints_before_and_after_each_action_are_the_planned_ones(built_warehouse, plan):
    built = _mart(built_warehouse)
    compared = 0
    for action_id, action in plan["actions"].items():
        row = built[action_id]
        if not action["closed_on"]:
            assert (row["complaints_before"], row["complaints_after"], row["effectiveness"]) == (None, None, "action open")
            continue
        opened, closed, check = (date.fromisoformat(action[key]) for key in ("opened_on", "closed_on", "effectiveness_check_on"))
        window = check - closed
        before = _count(plan, action["root_cause"], opened - window, opened)
        assert row["complaints_before"] == before, action_id
        if check > plan["last_day"]:
            assert (row["complaints_after"], row["effectiveness"]) == (None, "awaiting check"), action_id
            continue
        after = _count(plan, action["root_cause"], closed, check)
        assert row["complaints_after"] == after, action_id
        assert opened - window >= plan["first_day"], "the sample's windows lie inside its period"
        compared += 1
        if action["reduction"] >= 0.5:
            # the generator prevented most of the root cause's complaints once the action closed
            assert after < before and row["effectiveness"] == "effective", (action_id, before, after)
        expected = "effective" if after <= before * 0.8 else "not effective"  # the default minimum reduction, 20 %
        assert (row["effectiveness"], row["is_recurrence_reduced"]) == (expected, after < before), action_id
    assert compared >= 2
