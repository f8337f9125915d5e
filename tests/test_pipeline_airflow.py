"""The demo path through Airflow itself: ingest DAGs, transform_dbt (Cosmos), publish_monthly_report (gate, report).

`dag.test()` does not raise when a task fails, so every run's final state is asserted (`voc.demo.run_dag` raises).
"""

from __future__ import annotations

from datetime import date

import pendulum
import pytest
from voc.demo import DemoRunFailed, load_dags, run_dag, run_demo


def test_demo_runs_every_dag_and_writes_the_report(settings, warehouse, ground_truth, capsys):
    # start from a warehouse dbt never built (as on a fresh machine): Cosmos must build every layer in order
    with warehouse.connect(settings, autocommit=True) as conn:
        for schema in ("reference", "staging", "intermediate", "marts"):
            conn.execute(f"drop schema if exists {schema} cascade")
    assert run_demo(settings) == 0
    out = capsys.readouterr().out
    report = settings.reports_dir / "2026-10" / "report.html"
    assert report.exists() and report.stat().st_size > 0
    assert f"report: {report}" in out
    for channel in ("phone", "email", "chat", "twitter", "facebook", "web", "surveys"):
        assert f"\n{channel} " in out
    for dag_id in ("ingest_phone", "ingest_cases", "transform_dbt", "publish_monthly_report"):
        assert f"[demo] {dag_id}: " in out and "success" in out


def test_demo_rerun_lands_nothing_new(settings, warehouse, ground_truth):
    with warehouse.connect(settings) as conn:
        before = conn.execute("select count(*) from audit.landing_batches where records_inserted > 0").fetchone()[0]
        rows_before = conn.execute("select count(*) from raw.phone_calls").fetchone()[0]
    assert run_demo(settings) == 0
    with warehouse.connect(settings) as conn:
        after = conn.execute("select count(*) from audit.landing_batches where records_inserted > 0").fetchone()[0]
        rows_after = conn.execute("select count(*) from raw.phone_calls").fetchone()[0]
    assert (after, rows_after) == (before, rows_before)


def test_a_failing_dbt_test_fails_the_transform_run_and_the_marts_are_not_announced(settings, warehouse, ground_truth):
    """A case event with an unknown status fails a staging test inside the one `dbt build`: the run fails (the
    watcher's build is not retried into a skip), its node tasks do not report success, and `marts_ready` (the
    asset the report waits for) does not run."""
    dags = load_dags(settings)
    with warehouse.connect(settings, autocommit=True) as conn:
        conn.execute(
            "insert into raw.case_events (record_key, payload, source_ref, batch_id) values ('EV-BROKEN', "
            '\'{"case_id": "CASE-X", "status": "exploded", "event_at": "2026-10-01T10:00:00Z"}\', \'test\', gen_random_uuid())'
        )
    try:
        with pytest.raises(DemoRunFailed) as failed:
            run_dag(dags["transform_dbt"])
    finally:
        with warehouse.connect(settings, autocommit=True) as conn:
            conn.execute("delete from raw.case_events where record_key = 'EV-BROKEN'")
    message = str(failed.value)
    assert "dbt.dbt_producer_watcher" in message and "marts_ready" in message, message
    run_dag(dags["transform_dbt"])  # the next run builds again


def test_broken_mart_row_fails_the_gate_and_no_report_is_written(settings, warehouse, ground_truth):
    """Run after the demo built the marts: corrupt one KPI row, publish September, expect failure and no report."""
    month = date(2026, 9, 1)
    report = settings.reports_dir / "2026-09" / "report.html"
    assert not report.exists()
    dags = load_dags(settings)
    with warehouse.connect(settings) as conn:
        channel, responded = conn.execute(
            "select channel, complaints_responded from marts.kpi_channel_monthly where month_start_date = %s and complaints > 0 order by channel limit 1",
            (month,),
        ).fetchone()
        conn.execute(
            "update marts.kpi_channel_monthly set complaints_responded = complaints + 1 where channel = %s and month_start_date = %s",
            (channel, month),
        )
        conn.commit()
    try:
        with pytest.raises(DemoRunFailed, match="check_quality"):
            run_dag(dags["publish_monthly_report"], logical_date=pendulum.datetime(2026, 10, 1, tz=settings.timezone))
        assert not report.exists()
        assert not report.parent.exists() or not any(report.parent.iterdir())
    finally:
        with warehouse.connect(settings) as conn:
            conn.execute(
                "update marts.kpi_channel_monthly set complaints_responded = %s where channel = %s and month_start_date = %s",
                (responded, channel, month),
            )
            conn.commit()


def test_no_secret_or_personal_data_in_xcom_logs_data_docs_or_reports(settings, warehouse, ground_truth):
    """After the demo runs: no password (the owner's or a duty's), not the pseudonymisation secret or its key pads,
    and none of the sample's caller numbers or e-mail addresses appear in any XCom, Airflow task log, dbt log or
    artefact, PostgreSQL log, Data Docs page or report."""
    import csv
    import os
    import re
    import sqlite3

    from voc import privacy

    passwords = [warehouse.connection_info(settings, duty).password for duty in (None, *warehouse.DUTY_ROLES)]
    phone_file = sorted((settings.sample_dir / "phone").glob("calls_*.csv"))[0]
    with open(phone_file, encoding="utf-8", errors="replace") as handle:
        callers = [row["caller_number"] for row in csv.DictReader(handle) if row.get("caller_number")][:20]
    mailbox = sorted((settings.sample_dir / "email").glob("*.mbox"))[0].read_text(encoding="utf-8", errors="replace")
    addresses = sorted(set(re.findall(r"[\w.+-]+@example\.(?:com|org)", mailbox)))[:20]
    assert all(passwords) and callers and addresses
    secret = privacy.pseudonym_secret(settings)
    secrets = [*passwords, secret.decode(), *privacy.key_pads(secret)]
    secrets += [*callers, *(caller.replace(" ", "") for caller in callers), *addresses]
    database = os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].removeprefix("sqlite:///")
    with sqlite3.connect(database) as conn:
        xcoms = [str(value) for (value,) in conn.execute("select value from xcom")]
    assert xcoms, "the demo left no XCom to inspect"
    places = [
        settings.home / "airflow",
        settings.dbt_project_dir / "logs",
        settings.dbt_project_dir / "target",
        settings.warehouse_dir,
        settings.expectations_dir / "uncommitted",
        settings.reports_dir,
    ]
    files = [
        path
        for place in places
        for path in place.rglob("*")
        if path.is_file()
        and path.suffix in {".log", ".json", ".html", ".sql", ".txt"}
        and "pgdata" not in path.parts
        and path.name not in {"connection.json", "duties.json"}  # the credential files themselves (mode 0600)
        and "secrets" not in path.parts
    ]
    assert any(path.suffix == ".html" for path in files) and any(path.name == "postgres.log" for path in files)
    for name, text in [("xcom", value) for value in xcoms] + [(str(path), path.read_text(errors="replace")) for path in files]:
        leaked = [secret for secret in secrets if secret in text]
        assert not leaked, f"{name} shows {len(leaked)} secret or personal value(s)"
