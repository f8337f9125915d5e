"""Service levels on business time: the SQL clock (macro business_minutes, model int_contact_sla) against an
independent count in Python on every sample contact, and the holidays seed against the `holidays` package.
The hand-built edge cases (weekends, holidays, DST, before opening) are dbt unit tests in int_contact_sla.yml."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sla_oracle import business_minutes, calendars, target


def test_the_sla_clock_equals_an_independent_count_on_every_sample_contact(built_warehouse):
    from voc import warehouse

    zone = ZoneInfo(built_warehouse.timezone)
    known = calendars()
    with warehouse.connect(built_warehouse) as conn:
        rows = conn.execute(
            "select contact_id, clock, calendar, received_at, first_response_at, first_response_elapsed_minutes, "
            "first_response_target_minutes, first_response_sla_status from intermediate.int_contact_sla"
        ).fetchall()
    checked = {"business": 0, "calendar": 0}
    statuses = set()
    for contact_id, clock, calendar, received, responded, elapsed, target_minutes, status in rows:
        statuses.add(status)
        if responded is None:
            assert (elapsed, status) == (None, "open"), contact_id
            continue
        if clock == "business":
            expected = business_minutes(received, responded, known[calendar], zone)
        else:
            expected = max(0.0, (responded - received).total_seconds() / 60)
        assert abs(float(elapsed) - expected) < 0.01, f"{contact_id}: {elapsed} minutes, counted {expected:.2f}"
        assert status == ("met" if expected <= target_minutes else "breached"), contact_id
        checked[clock] += 1
    assert checked["business"] > 500 and checked["calendar"] > 500, checked
    assert statuses == {"met", "breached", "open"}


def test_each_contact_is_held_to_the_targets_of_its_agents_code(built_warehouse, settings, ground_truth):
    """The priority comes from the disposition code the sample planned for the contact (seeds: the code's priority,
    the channel's targets at it, or at normal priority where the channel has none)."""
    import csv

    from voc import warehouse

    with (settings.sample_dir / "ground_truth_contacts.csv").open(encoding="utf-8", newline="") as handle:
        planned = {row["contact_id"]: row for row in csv.DictReader(handle)}
    with warehouse.connect(built_warehouse) as conn:
        rows = conn.execute(
            "select contact_id, priority, clock, first_response_target_minutes, resolution_target_minutes "
            "from intermediate.int_contact_sla"
        ).fetchall()
    priorities = set()
    for contact_id, priority, clock, first_response, resolution in rows:
        plan = planned[contact_id]
        sla = target(plan["channel"], plan["disposition_code"])
        assert (clock, first_response, resolution) == (
            sla["clock"],
            int(sla["first_response_target_minutes"]),
            int(sla["resolution_target_minutes"]),
        ), contact_id
        priorities.add(priority)
    assert len(rows) > 1000 and priorities == {"normal", "high"}


def test_the_holidays_seed_is_what_the_holidays_package_gives():
    from voc.calendar import HOLIDAYS, holidays_csv

    assert HOLIDAYS.read_text(encoding="utf-8") == holidays_csv(), "regenerate it: uv run voc holidays"
    assert "Madrid Day" in HOLIDAYS.read_text(encoding="utf-8")
