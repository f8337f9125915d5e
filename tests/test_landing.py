"""Raw landing on the whole sample: nothing lost, nothing twice, cursors resume."""

from __future__ import annotations

import shutil

import pytest
from voc.channels import REGISTRY
from voc.landing import land_channel, read_cursor


def _raw_counts(conn) -> dict[str, int]:
    counts = {}
    for channel in REGISTRY.values():
        for table in channel.entities.values():
            counts[f"raw.{table}"] = conn.execute(f"select count(*) from raw.{table}").fetchone()[0]
    counts["raw.quarantine"] = conn.execute("select count(*) from raw.quarantine").fetchone()[0]
    return counts


def test_loaded_rows_match_the_source_per_raw_table(landed, warehouse, settings, ground_truth):
    with warehouse.connect(settings) as conn:
        counts = _raw_counts(conn)
    assert {table: counts[table] for table in ground_truth["raw_rows"]} == ground_truth["raw_rows"]


def test_every_malformed_record_is_quarantined_with_a_reason(landed, warehouse, settings, ground_truth):
    with warehouse.connect(settings) as conn:
        rows = conn.execute("select channel, source_ref, reason, length(original) from raw.quarantine").fetchall()
    quarantined = {(channel, ref) for channel, ref, _, _ in rows}
    injected = {(item["channel"], item["source_ref"]) for item in ground_truth["malformed"]}
    assert quarantined == injected
    assert all(reason and size > 0 for _, _, reason, size in rows)


def test_loaded_plus_quarantined_equals_records_in_the_source(landed, ground_truth):
    """Per channel, the first landing's own counts: new raw rows + quarantined = the source's distinct records."""
    for name, summary in landed.items():
        tables = [f"raw.{table}" for table in REGISTRY[name].entities.values()]
        readable = sum(ground_truth["raw_rows"][table] for table in tables)
        malformed = sum(1 for item in ground_truth["malformed"] if item["channel"] == name)
        assert (summary.inserted, summary.quarantined) == (readable, malformed), name


def test_rerun_adds_nothing_and_replay_from_start_adds_nothing(landed, warehouse, settings):
    with warehouse.connect(settings) as conn:
        before = _raw_counts(conn)
        cursors = {name: read_cursor(conn, name) for name in REGISTRY}
    for name in REGISTRY:
        again = land_channel(name, settings)
        assert (again.pages, again.inserted, again.updated, again.quarantined) == (0, 0, 0, 0), name
        replay = land_channel(name, settings, from_start=True)
        assert replay.pages > 0 and (replay.inserted, replay.updated, replay.quarantined) == (0, 0, 0), name
    with warehouse.connect(settings) as conn:
        assert _raw_counts(conn) == before
        assert {name: read_cursor(conn, name) for name in REGISTRY} == cursors


def test_cursor_resumes_after_the_last_landed_file(warehouse, settings, ground_truth, tmp_path):
    """Land half of the phone files into a fresh database, then the rest: only the new files are read."""
    from voc.settings import Settings

    with warehouse.connect(settings, autocommit=True) as conn:
        conn.execute("drop database if exists resume_check")
        conn.execute("create database resume_check")
    info = warehouse.connection_info(settings)
    drop = tmp_path / "drop"
    files = sorted((settings.sample_dir / "phone").glob("calls_*.csv"))
    half = len(files) // 2
    (drop / "phone").mkdir(parents=True)
    for path in files[:half]:
        shutil.copy(path, drop / "phone" / path.name)
    isolated = Settings(
        project_root=settings.project_root,
        home=settings.home,
        warehouse_url=info.url.rsplit("/", 1)[0] + "/resume_check",
        sample_dir=drop,
        reports_dir=tmp_path,
        timezone=settings.timezone,
    )
    warehouse.bootstrap(isolated)
    first = land_channel("phone", isolated)
    assert first.pages == half and first.cursor == files[half - 1].name
    for path in files[half:]:
        shutil.copy(path, drop / "phone" / path.name)
    second = land_channel("phone", isolated)
    assert second.pages == len(files) - half
    assert second.cursor == files[-1].name
    with warehouse.connect(isolated) as conn:
        batches = conn.execute("select count(*), sum(pages) from audit.landing_batches where channel = 'phone'").fetchone()
        rows = conn.execute("select count(*) from raw.phone_calls").fetchone()[0]
    assert batches == (2, len(files))  # one transaction per run (each under BATCH_RECORDS), every file a page
    assert rows == ground_truth["raw_rows"]["raw.phone_calls"]


def test_unknown_channel_error_names_the_known_ones(settings):
    with pytest.raises(KeyError, match="known channels: phone, email"):
        land_channel("fax", settings)


def test_batch_rows_say_when_reading_began_and_when_the_batch_was_written(landed, warehouse, settings):
    """`finished_at` is when the batch's transaction wrote it, after reading its pages began: not the transaction's
    start time twice."""
    with warehouse.connect(settings) as conn:
        rows = conn.execute(
            "select channel, started_at, finished_at, records_received from audit.landing_batches where records_received > 0"
        ).fetchall()
    assert rows
    for channel, started_at, finished_at, _ in rows:
        assert finished_at > started_at, channel
