"""One bad value never stops or skews the build: each is read as null, recorded as a data issue and counted.

Real files, landed into a database of the test's own and built by real dbt: a call export with `N/A` in a number
and a flag, a start time without UTC offset and a disposition code the seed does not know; a survey export with
`N/A` and out-of-range scores; a corrective-action register with an unreadable date, a missing root cause and a
closing day before the opening day. The expected issues are written here from what the files hold, not from the
pipeline's output.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from voc.landing import land_channel
from voc.transform import run_dbt

PHONE_HEADER = (
    "call_id,caller_number,queue,agent_id,started_at,answered_at,ended_at,wait_seconds,talk_seconds,abandoned,"
    "disposition_code,callback_requested,language"
)
PHONE_ROWS = [
    # a good call
    "C-GOOD,+34 600 000 001,billing,ag_01,2026-10-05T09:00:00+02:00,2026-10-05T09:01:00+02:00,2026-10-05T09:05:00+02:00,60,240,false,INQ-BILLING,false,es",
    # N/A in a number and in a flag
    "C-NA,+34 600 000 002,billing,ag_01,2026-10-05T10:00:00+02:00,2026-10-05T10:01:00+02:00,2026-10-05T10:05:00+02:00,N/A,240,N/A,INQ-BILLING,false,es",
    # a start time without offset (10:00 in Madrid is 08:00 UTC in October)
    "C-NAIVE,+34 600 000 003,billing,ag_01,2026-10-05T10:00:00,2026-10-05T10:01:00+02:00,2026-10-05T10:05:00+02:00,60,240,false,INQ-BILLING,false,es",
    # a disposition code the seed does not know, on a call (no text): it cannot be classified
    "C-CODE,+34 600 000 004,billing,ag_01,2026-10-05T11:00:00+02:00,2026-10-05T11:01:00+02:00,2026-10-05T11:05:00+02:00,60,240,false,CMP-NEWCODE,false,es",
]
SURVEY_HEADER = "response_id,submitted_at,contact_channel,contact_ref,csat,nps,comment,language"
SURVEY_ROWS = [
    "S-GOOD,2026-10-05T12:00:00+02:00,phone,C-GOOD,5,9,,es",
    "S-NA,2026-10-05T12:00:00+02:00,phone,C-NA,N/A,8,,es",
    "S-RANGE,2026-10-05T12:00:00+02:00,phone,C-NAIVE,7,11,,es",
]
ACTIONS_HEADER = "action_id,root_cause,description,opened_on,due_on,closed_on,owner_role,effectiveness_check_on"
ACTIONS_ROWS = [
    "CA-GOOD,billing_error,Check tariffs,2026-09-01,2026-09-30,2026-09-20,billing_lead,2026-10-20",
    "CA-DATE,billing_error,Check tariffs,31/09/2026,2026-09-30,,billing_lead,2026-10-20",
    "CA-CAUSE,,Check tariffs,2026-09-01,2026-12-30,,billing_lead,2027-01-20",
    "CA-ORDER,billing_error,Check tariffs,2026-09-10,2026-09-30,2026-09-01,billing_lead,2026-10-20",
]
EXPECTED_ISSUES = {
    ("phone", "C-NA", "wait_seconds", "not a valid integer"),
    ("phone", "C-NA", "abandoned", "not a valid boolean"),
    ("phone", "C-NAIVE", "started_at", "no UTC offset, not read"),
    ("phone", "C-CODE", "disposition_code", "unknown code, contact left unclassified"),
    ("surveys", "S-NA", "csat", "not a valid integer"),
    ("surveys", "S-RANGE", "csat", "outside 1 to 5"),
    ("surveys", "S-RANGE", "nps", "outside 0 to 10"),
    ("actions", "CA-DATE", "opened_on", "not a valid date"),
    ("actions", "CA-CAUSE", "root_cause", "missing"),
    ("actions", "CA-ORDER", "closed_on", "before opened_on, not read"),
}


@pytest.fixture
def bad_values(landing_database, tmp_path):
    own, drop = landing_database
    (drop / "phone").mkdir()
    (drop / "phone" / "calls_2026-10-05.csv").write_text("\n".join([PHONE_HEADER, *PHONE_ROWS]) + "\n", encoding="utf-8")
    (drop / "surveys").mkdir()
    (drop / "surveys" / "responses_2026-10-05.csv").write_text("\n".join([SURVEY_HEADER, *SURVEY_ROWS]) + "\n", encoding="utf-8")
    (drop / "actions").mkdir()
    (drop / "actions" / "corrective_actions_2026-10-05.csv").write_text(
        "\n".join([ACTIONS_HEADER, *ACTIONS_ROWS]) + "\n", encoding="utf-8"
    )
    for channel in ("phone", "surveys", "actions"):
        summary = land_channel(channel, own)
        assert summary.quarantined == 0  # every line is readable CSV: the values are the problem, not the records
    return own, tmp_path


def _dbt(settings, tmp_path, command: str, *extra: str) -> None:
    run_dbt([command, "--target-path", str(tmp_path / "dbt-target"), *extra], settings, quiet=True)


@pytest.mark.slow
def test_bad_values_are_null_recorded_and_counted_never_a_failed_build(bad_values, warehouse):
    own, tmp_path = bad_values

    _dbt(own, tmp_path, "build")  # raises DbtError if any model or test fails

    with warehouse.connect(own) as conn:
        issues = {
            (channel, row_key.rsplit(":", 1)[-1], field, issue)
            for channel, row_key, field, issue in conn.execute(
                "select channel, row_key, field_name, issue from marts.data_issues"
            ).fetchall()
        }
        calls = dict(conn.execute("select call_id, wait_seconds from staging.stg_phone__calls").fetchall())
        started = dict(conn.execute("select call_id, started_at from staging.stg_phone__calls").fetchall())
        scores = {
            r[0]: r[1:] for r in conn.execute("select response_id, csat_score, nps_score from staging.stg_surveys__responses")
        }
        coded = conn.execute(
            "select contact_type, classified_by from marts.fct_contacts where contact_id = 'phone:C-CODE'"
        ).fetchone()
        actions = {
            r[0]: r[1:]
            for r in conn.execute("select action_id, opened_on, closed_on, action_status from marts.fct_corrective_actions")
        }
    assert issues == EXPECTED_ISSUES
    assert calls["C-NA"] is None and calls["C-GOOD"] == 60
    assert started["C-NAIVE"] is None and started["C-GOOD"] == datetime(2026, 10, 5, 7, 0, tzinfo=UTC)
    assert scores == {"S-GOOD": (5, 9), "S-NA": (None, 8), "S-RANGE": (None, None)}
    assert coded == ("unclassified", "none")
    # every action is kept; an unreadable closing leaves the action open, past its due day as of the data's last day
    assert actions == {
        "CA-GOOD": (date(2026, 9, 1), date(2026, 9, 20), "closed"),
        "CA-DATE": (None, None, "overdue"),
        "CA-CAUSE": (date(2026, 9, 1), None, "open"),
        "CA-ORDER": (date(2026, 9, 10), None, "overdue"),
    }


@pytest.mark.slow
def test_offsetless_timestamps_can_be_read_in_the_organisation_time_zone_and_are_still_flagged(bad_values, warehouse):
    own, tmp_path = bad_values

    _dbt(own, tmp_path, "run", "--select", "stg_phone__calls", "--vars", "{offsetless_timestamps: organisation_time_zone}")

    with warehouse.connect(own) as conn:
        started, issues = conn.execute(
            "select started_at, data_issues from staging.stg_phone__calls where call_id = 'C-NAIVE'"
        ).fetchone()
    assert started == datetime(2026, 10, 5, 8, 0, tzinfo=UTC)  # 10:00 in Madrid (CEST)
    assert issues == ["started_at: no UTC offset, read in Europe/Madrid"]


def test_an_unknown_offset_policy_is_refused_naming_the_choices(landing_database, tmp_path):
    from voc.transform import DbtError

    own, _ = landing_database
    with pytest.raises(DbtError, match="must be 'reject' or 'organisation_time_zone', not 'guess'"):
        run_dbt(
            [
                "compile",
                "--select",
                "stg_phone__calls",
                "--target-path",
                str(tmp_path / "t"),
                "--vars",
                "{offsetless_timestamps: guess}",
            ],
            own,
            quiet=True,
        )


# Source timestamps and what they are, written from the staging contract (ISO 8601 or RFC 5322 with a UTC offset):
# (text, the instant in UTC or None, the issue or None). Both the common ISO form and the forms the general path
# reads (day names, comments, spaces, zone names) are here, well-formed and not.
TIMESTAMPS = [
    ("2026-10-05T10:00:00Z", "2026-10-05 10:00:00.000000", None),
    ("2026-10-05T10:00:00+02:00", "2026-10-05 08:00:00.000000", None),
    ("2026-10-05 10:00:00+0200", "2026-10-05 08:00:00.000000", None),
    ("2026-10-05T10:00:00.123456Z", "2026-10-05 10:00:00.123456", None),
    ("2026-10-05T10:00Z", "2026-10-05 10:00:00.000000", None),
    ("2026-10-05T10:00:00-05", "2026-10-05 15:00:00.000000", None),
    ("2026-10-05T10:00:00-0530", "2026-10-05 15:30:00.000000", None),
    ("2026-10-05T10:00:00+14:00", "2026-10-04 20:00:00.000000", None),
    ("2026-02-30T10:00:00Z", None, "not a valid timestamp"),
    ("2026-10-05T25:00:00Z", None, "not a valid timestamp"),
    ("2026-10-05T10:00:00+02:00 ", "2026-10-05 08:00:00.000000", None),
    ("  2026-10-05T10:00:00Z", "2026-10-05 10:00:00.000000", None),
    ("Mon, 05 Oct 2026 10:00:00 +0200", "2026-10-05 08:00:00.000000", None),
    ("Mon, 05 Oct 2026 10:00:00 GMT", "2026-10-05 10:00:00.000000", None),
    ("Mon, 05 Oct 2026 10:00:00 +0000 (UTC)", "2026-10-05 10:00:00.000000", None),
    ("Mon, 05 Oct 2026 10:00:00", None, "no UTC offset, not read"),
    ("2026-10-05T10:00:00", None, "no UTC offset, not read"),
    ("2026-10-05 10:00", None, "no UTC offset, not read"),
    ("2026-10-05", None, "no UTC offset, not read"),
    ("next tuesday", None, "not a valid timestamp"),
    ("", None, None),
    (None, None, None),
]


def _read_timestamps(settings, tmp_path, *extra: str) -> dict[int, tuple[str | None, str | None]]:
    import json

    def literal(text):
        return "null::text" if text is None else "'" + text.replace("'", "''") + "'"

    values = ", ".join(f"({number}, {literal(text)})" for number, (text, _, _) in enumerate(TIMESTAMPS))
    query = f"""
        select
            number,
            to_char({{{{ parse_timestamp('source_text') }}}} at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as utc,
            {{{{ timestamp_issue('source_text', 'sent_at') }}}} as issue
        from (values {values}) as timestamps (number, source_text)
    """
    printed = run_dbt(
        ["show", "--quiet", "--inline", query, "--output", "json", "--limit", "100", "--target-path", str(tmp_path), *extra],
        settings,
        quiet=True,
    )
    rows = json.loads(printed[printed.index("{") :])["show"]
    return {row["number"]: (row["utc"], row["issue"]) for row in rows}


def test_timestamps_are_read_with_their_offset_and_flagged_without_one(built_warehouse, tmp_path):
    read = _read_timestamps(built_warehouse, tmp_path / "reject")
    expected = {number: (utc, issue and f"sent_at: {issue}") for number, (_, utc, issue) in enumerate(TIMESTAMPS)}
    assert read == expected

    read = _read_timestamps(built_warehouse, tmp_path / "zone", "--vars", "{offsetless_timestamps: organisation_time_zone}")
    # offsetless values are now read in Madrid (CEST, UTC+2, in October) and still flagged; the rest is unchanged
    madrid = {
        "Mon, 05 Oct 2026 10:00:00": "2026-10-05 08:00:00.000000",
        "2026-10-05T10:00:00": "2026-10-05 08:00:00.000000",
        "2026-10-05 10:00": "2026-10-05 08:00:00.000000",
        "2026-10-05": "2026-10-04 22:00:00.000000",
    }
    for number, (text, utc, issue) in enumerate(TIMESTAMPS):
        if text in madrid:
            assert read[number] == (madrid[text], "sent_at: no UTC offset, read in Europe/Madrid"), text
        else:
            assert read[number] == (utc, issue and f"sent_at: {issue}"), text
