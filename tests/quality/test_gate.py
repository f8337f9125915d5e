"""The quality gate on the built sample warehouse: real PostgreSQL, real dbt marts, real Great Expectations.

Tests that break a mart row restore it in `finally`, so the session's warehouse is left as dbt built it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from voc import warehouse
from voc.quality import CHECKPOINT_NAME, QualityGateError, QualityGateFailed, run_gate

SUITES = {
    "fct_complaints",
    "kpi_channel_monthly",
    "reconciliation",
    "fct_complaint_lifecycle",
    "fct_corrective_actions",
    "fct_complaint_backlog_daily",
}


def _committed_files(expectations_dir: Path) -> dict[str, str]:
    return {
        str(path.relative_to(expectations_dir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(expectations_dir.rglob("*"))
        if path.is_file() and "uncommitted" not in path.relative_to(expectations_dir).parts
    }


def _suite(summary: dict, name: str) -> dict:
    return next(suite for suite in summary["suites"] if suite["name"] == name)


def test_gate_passes_on_the_built_warehouse_and_writes_data_docs(built_warehouse):
    committed_before = _committed_files(built_warehouse.expectations_dir)

    summary = run_gate(built_warehouse, run_id="test-gate-passes", period_start=date(2026, 10, 1), period_end=date(2026, 11, 1))

    assert summary["success"] is True, summary
    assert summary["run_id"] == "test-gate-passes"
    assert summary["checkpoint"] == CHECKPOINT_NAME
    assert summary["period"] == {"start": "2026-10-01", "end": "2026-11-01", "validated_rows": "all"}
    assert {suite["name"] for suite in summary["suites"]} == SUITES
    for suite in summary["suites"]:
        assert suite["success"] is True
        assert suite["evaluated_expectations"] > 0
        assert suite["successful_expectations"] == suite["evaluated_expectations"]
        assert suite["failed_expectations"] == []
    assert _suite(summary, "reconciliation")["evaluated_expectations"] == 7  # one per raw interaction table
    assert summary["evaluated_expectations"] == sum(suite["evaluated_expectations"] for suite in summary["suites"])
    assert json.loads(json.dumps(summary)) == summary  # JSON-safe: it travels through XCom

    index = Path(summary["data_docs_index"])
    assert index.is_file() and index.name == "index.html"
    validation_pages = list((index.parent / "validations").glob("*/test-gate-passes/*/*.html"))
    assert {page.parts[-4] for page in validation_pages} == SUITES

    # Running the gate changes nothing that is committed (results and docs go to uncommitted/), and no secret lands there.
    assert _committed_files(built_warehouse.expectations_dir) == committed_before
    password = warehouse.connection_info(built_warehouse).password
    config = (built_warehouse.expectations_dir / "great_expectations.yml").read_text()
    assert "${VOC_GX_CONNECTION_STRING}" in config
    assert not password or password not in config


def test_a_broken_kpi_row_fails_the_gate_naming_the_expectation(built_warehouse):
    with warehouse.connect(built_warehouse, autocommit=True) as conn:
        channel, month, complaints_responded = conn.execute(
            "select channel, month_start_date, complaints_responded from marts.kpi_channel_monthly "
            "order by complaints desc, channel, month_start_date limit 1"
        ).fetchone()
        try:
            conn.execute(
                "update marts.kpi_channel_monthly set complaints_responded = complaints + 1 "
                "where channel = %s and month_start_date = %s",
                (channel, month),
            )
            with pytest.raises(QualityGateFailed) as failure:
                run_gate(built_warehouse, run_id="test-gate-broken-kpi")
        finally:
            conn.execute(
                "update marts.kpi_channel_monthly set complaints_responded = %s where channel = %s and month_start_date = %s",
                (complaints_responded, channel, month),
            )

    summary = failure.value.summary
    assert summary["success"] is False
    kpi = _suite(summary, "kpi_channel_monthly")
    assert kpi["success"] is False
    nested = [
        f
        for f in kpi["failed_expectations"]
        if f["expectation_type"] == "expect_column_pair_values_a_to_be_greater_than_b"
        and f["column"] == "complaints, complaints_responded"
    ]
    assert len(nested) == 1
    assert nested[0]["observed_value"]["unexpected_count"] == 1
    assert _suite(summary, "fct_complaints")["success"] is True
    assert _suite(summary, "reconciliation")["success"] is True

    message = str(failure.value)
    assert "kpi_channel_monthly: expect_column_pair_values_a_to_be_greater_than_b (complaints, complaints_responded)" in message
    assert summary["data_docs_index"] and summary["data_docs_index"] in message
    json.dumps(summary)


def test_a_lost_interaction_fails_reconciliation_naming_the_raw_table(built_warehouse):
    with warehouse.connect(built_warehouse, autocommit=True) as conn:
        (source_record_key,) = conn.execute(
            "select source_record_key from marts.fct_interactions where channel = 'phone' order by source_record_key limit 1"
        ).fetchone()
        cursor = conn.execute(
            "select * from marts.fct_interactions where channel = 'phone' and source_record_key = %s", (source_record_key,)
        )
        columns = [column.name for column in cursor.description]
        saved_rows = cursor.fetchall()
        assert saved_rows
        try:
            conn.execute(
                "delete from marts.fct_interactions where channel = 'phone' and source_record_key = %s", (source_record_key,)
            )
            with pytest.raises(QualityGateFailed) as failure:
                run_gate(built_warehouse, run_id="test-gate-lost-interaction")
        finally:
            with conn.cursor() as restore:
                restore.executemany(
                    f"insert into marts.fct_interactions ({', '.join(columns)}) values ({', '.join(['%s'] * len(columns))})",
                    saved_rows,
                )
        raw_rows, mart_keys = conn.execute(
            "select (select count(*) from raw.phone_calls), "
            "(select count(distinct source_record_key) from marts.fct_interactions where channel = 'phone')"
        ).fetchone()
        assert raw_rows == mart_keys  # restored

    summary = failure.value.summary
    reconciliation = _suite(summary, "reconciliation")
    assert reconciliation["success"] is False
    assert [f["raw_table"] for f in reconciliation["failed_expectations"]] == ["raw.phone_calls"]
    (lost,) = reconciliation["failed_expectations"]
    assert lost["expectation_type"] == "unexpected_rows_expectation"
    assert lost["unexpected_rows"] == [
        {"raw_table": "raw.phone_calls", "raw_rows": raw_rows, "mart_source_records": raw_rows - 1, "difference": -1}
    ]
    assert _suite(summary, "fct_complaints")["success"] is True

    message = str(failure.value)
    assert "reconciliation: unexpected_rows_expectation" in message
    assert "raw.phone_calls" in message and "difference=-1" in message

    # The evidence names tables and counts, never the record or the caller.
    text = json.dumps(summary) + message
    assert source_record_key not in text
    with warehouse.connect(built_warehouse) as conn:
        (caller_number,) = conn.execute(
            "select payload ->> 'caller_number' from raw.phone_calls where record_key = %s", (source_record_key,)
        ).fetchone()
    assert caller_number and caller_number not in text


def test_gate_refuses_a_period_that_ends_before_it_starts(built_warehouse):
    with pytest.raises(ValueError, match="before"):
        run_gate(built_warehouse, run_id="test-gate-bad-period", period_start=date(2026, 11, 1), period_end=date(2026, 10, 1))
    with pytest.raises(ValueError, match="both"):
        run_gate(built_warehouse, run_id="test-gate-half-period", period_start=date(2026, 11, 1))


def test_gate_without_a_context_cannot_run(settings, tmp_path):
    elsewhere = dataclasses.replace(settings, project_root=tmp_path)
    with pytest.raises(QualityGateError, match="great_expectations.yml"):
        run_gate(elsewhere, run_id="test-gate-no-context")


def test_importing_the_gate_does_not_import_great_expectations():
    code = "import sys, voc.quality; print('great_expectations' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_an_unreachable_warehouse_is_reported_as_such_not_as_failed_expectations(settings):
    """An outage is not bad data: one line saying the warehouse cannot be reached, no expectation counted."""
    import dataclasses
    import socket

    from voc.quality import QualityGateError, run_gate

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the block ends: nothing listens there
    gone = dataclasses.replace(settings, warehouse_url=f"postgresql://voc:secret@127.0.0.1:{port}/voc")

    with pytest.raises(QualityGateError, match=r"cannot reach the warehouse \(not a data failure\)") as raised:
        run_gate(gone, run_id="test-outage")
    assert "secret" not in str(raised.value)


def _failed_gate_after(settings, change: tuple, undo: tuple, run_id: str) -> dict:
    """The summary of a gate run on the built marts with one change made (``(sql, params)``), undone afterwards
    whatever happens; the gate must fail."""
    with warehouse.connect(settings, autocommit=True) as conn:
        conn.execute(*change)
        try:
            with pytest.raises(QualityGateFailed) as failure:
                run_gate(settings, run_id=run_id)
        finally:
            conn.execute(*undo)
    return failure.value.summary


def _first(settings, query: str) -> tuple:
    with warehouse.connect(settings) as conn:
        return conn.execute(query).fetchone()


def test_a_lifecycle_out_of_order_fails_its_suite(built_warehouse):
    """A complaint resolved before it was received stops publication, naming the lifecycle suite."""
    complaint_id, resolved_at = _first(
        built_warehouse,
        "select complaint_id, resolved_at from marts.fct_complaint_lifecycle where resolved_at is not null "
        "order by complaint_id limit 1",
    )
    summary = _failed_gate_after(
        built_warehouse,
        (
            "update marts.fct_complaint_lifecycle set resolved_at = received_at - interval '1 hour' where complaint_id = %s",
            (complaint_id,),
        ),
        ("update marts.fct_complaint_lifecycle set resolved_at = %s where complaint_id = %s", (resolved_at, complaint_id)),
        "test-gate-lifecycle",
    )
    lifecycle = _suite(summary, "fct_complaint_lifecycle")
    assert lifecycle["success"] is False
    assert len(lifecycle["failed_expectations"]) == 1
    assert _suite(summary, "fct_complaints")["success"] is True


def test_an_effect_claimed_for_an_open_action_fails_its_suite(built_warehouse):
    """An action still open that the mart calls effective stops publication, naming the corrective-action suite."""
    action_id, effectiveness = _first(
        built_warehouse,
        "select action_id, effectiveness from marts.fct_corrective_actions where closed_on is null order by action_id limit 1",
    )
    summary = _failed_gate_after(
        built_warehouse,
        ("update marts.fct_corrective_actions set effectiveness = 'effective' where action_id = %s", (action_id,)),
        ("update marts.fct_corrective_actions set effectiveness = %s where action_id = %s", (effectiveness, action_id)),
        "test-gate-actions",
    )
    actions = _suite(summary, "fct_corrective_actions")
    assert actions["success"] is False
    assert len(actions["failed_expectations"]) == 1
    assert _suite(summary, "fct_complaint_backlog_daily")["success"] is True


def test_a_backlog_beyond_the_received_complaints_fails_its_suite(built_warehouse):
    """A day counting more open complaints than had arrived by then stops publication, naming the backlog suite."""
    (day,) = _first(built_warehouse, "select min(snapshot_date) from marts.fct_complaint_backlog_daily")
    change = "update marts.fct_complaint_backlog_daily set open_complaints = open_complaints {} 100000 where snapshot_date = %s"
    summary = _failed_gate_after(built_warehouse, (change.format("+"), (day,)), (change.format("-"), (day,)), "test-gate-backlog")
    backlog = _suite(summary, "fct_complaint_backlog_daily")
    assert backlog["success"] is False
    assert [e["description"] for e in backlog["failed_expectations"]] == [
        "No day counts more open complaints than were received by its end."
    ]
