"""The KPI mart's arithmetic against the sample's ground truth, channel by channel and month by month.

Two questions kept apart: the classifier's judgement is measured on the labelled corpus (tests/classifier); here the
marts' counting is tested exactly, *given each contact's type*. The per-contact truth (what the generator planned:
when each contact arrived and was first answered, its code and the type its text was written for) is combined with
the type the warehouse gave each contact, and every count must follow.
"""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

COUNTS = [
    "contacts",
    "complaints",
    "complaints_responded",
    "complaints_responded_within_24h",
    "complaints_responded_within_sla",
    "survey_responses",
]


def _mart_rows(warehouse, settings) -> dict[tuple[str, str], dict]:
    with warehouse.connect(settings) as conn:
        cur = conn.execute(
            f"""
            select channel, to_char(month_start_date, 'YYYY-MM') as month, {", ".join(COUNTS)}, csat, nps,
                   response_rate, responded_within_24h_rate
            from marts.kpi_channel_monthly
            """
        )
        names = [column.name for column in cur.description]
        return {(row[0], row[1]): dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _warehouse_types(warehouse, settings) -> dict[str, tuple[str, str]]:
    with warehouse.connect(settings) as conn:
        return {
            contact_id: (contact_type, classified_by)
            for contact_id, contact_type, classified_by in conn.execute(
                "select contact_id, contact_type, classified_by from marts.fct_contacts"
            )
        }


@pytest.fixture(scope="module")
def truth_contacts(settings, ground_truth) -> dict[str, dict]:
    with (settings.sample_dir / "ground_truth_contacts.csv").open(encoding="utf-8", newline="") as handle:
        return {row["contact_id"]: row for row in csv.DictReader(handle)}


def _close(actual, expected) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    return math.isclose(float(actual), float(expected), abs_tol=1e-9)


def test_kpi_mart_has_every_channel_and_month_of_the_ground_truth(built_warehouse, warehouse, ground_truth):
    mart = _mart_rows(warehouse, built_warehouse)
    assert set(mart) == {(row["channel"], row["month"]) for row in ground_truth["kpis"]}


def test_the_warehouse_has_exactly_the_planned_contacts(built_warehouse, warehouse, truth_contacts):
    assert set(_warehouse_types(warehouse, built_warehouse)) == set(truth_contacts)


def test_rules_decide_exactly_where_no_judgement_is_needed(built_warehouse, warehouse, truth_contacts):
    """An agent's code decides its contact's type; a contact without text or code is unclassified."""
    types = _warehouse_types(warehouse, built_warehouse)
    for contact_id, row in truth_contacts.items():
        if row["disposition_code"]:
            assert types[contact_id] == (row["contact_type"], "disposition"), contact_id
        elif not row["text_label"]:
            assert types[contact_id] == ("unclassified", "none"), contact_id
        else:
            assert types[contact_id][1] == "model", contact_id


def test_kpi_counts_follow_from_the_planned_contacts_given_their_types(
    built_warehouse, warehouse, ground_truth, truth_contacts, settings
):
    from sla_oracle import elapsed_minutes, target

    types = _warehouse_types(warehouse, built_warehouse)
    zone = ZoneInfo(settings.timezone)
    expected: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for contact_id, row in truth_contacts.items():
        received = datetime.fromisoformat(row["received_at"])
        key = (row["channel"], received.astimezone(zone).strftime("%Y-%m"))
        expected[key]["contacts"] += 1
        if types[contact_id][0] != "complaint":
            continue
        expected[key]["complaints"] += 1
        if row["first_response_at"]:
            expected[key]["complaints_responded"] += 1
            responded = datetime.fromisoformat(row["first_response_at"])
            if responded - received <= timedelta(hours=24):
                expected[key]["complaints_responded_within_24h"] += 1
            sla = target(row["channel"], row["disposition_code"])
            if sla and elapsed_minutes(received, responded, sla, zone) <= int(sla["first_response_target_minutes"]):
                expected[key]["complaints_responded_within_sla"] += 1
    mart = _mart_rows(warehouse, built_warehouse)
    differences = []
    for truth_row in ground_truth["kpis"]:
        key = (truth_row["channel"], truth_row["month"])
        want = dict(expected[key]) | {"survey_responses": truth_row["survey_responses"]}
        for column in COUNTS:
            if mart[key][column] != want.get(column, 0):
                differences.append(f"{key} {column}: mart {mart[key][column]} != expected {want.get(column, 0)}")
        for column in ("csat", "nps"):
            if not _close(mart[key][column], truth_row[column]):
                differences.append(f"{key} {column}: mart {mart[key][column]} != truth {truth_row[column]}")
    assert not differences, "\n".join(differences)


def test_contacts_per_month_equal_the_ground_truth(built_warehouse, warehouse, ground_truth):
    mart = _mart_rows(warehouse, built_warehouse)
    for row in ground_truth["kpis"]:
        assert mart[(row["channel"], row["month"])]["contacts"] == row["contacts"], (row["channel"], row["month"])


def test_rates_are_the_counts_ratios(built_warehouse, warehouse):
    for row in _mart_rows(warehouse, built_warehouse).values():
        if row["complaints"]:
            assert _close(row["response_rate"], row["complaints_responded"] / row["complaints"])
            assert _close(row["responded_within_24h_rate"], row["complaints_responded_within_24h"] / row["complaints"])
        else:
            assert row["response_rate"] is None and row["responded_within_24h_rate"] is None


def test_sample_has_complaints_in_every_complete_month(ground_truth):
    """Guards the comparison above against an empty sample: figures must be there to compare."""
    months = sorted({row["month"] for row in ground_truth["kpis"]})
    for month in months[:-1]:
        complaints = sum(row["complaints"] for row in ground_truth["kpis"] if row["month"] == month)
        assert complaints > 50, month
