"""Raw landing on the whole sample: nothing lost, nothing twice, cursors resume."""

from __future__ import annotations

import os
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


def _copy(files, folder) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copy2(path, folder / path.name)


def test_new_files_land_in_any_order_and_only_new_files_are_read(landing_database, warehouse, settings, ground_truth):
    """Land the later half of the phone files first, then the earlier half (late files whose names sort before
    everything landed): every file lands, each read once."""
    own, drop = landing_database
    files = sorted((settings.sample_dir / "phone").glob("calls_*.csv"))
    half = len(files) // 2
    _copy(files[half:], drop / "phone")
    first = land_channel("phone", own)
    _copy(files[:half], drop / "phone")
    second = land_channel("phone", own)
    third = land_channel("phone", own)

    assert (first.files, second.files, third.files) == (len(files) - half, half, 0)
    assert third.inserted == third.updated == 0
    with warehouse.connect(own) as conn:
        rows = conn.execute("select count(*) from raw.phone_calls").fetchone()[0]
        manifest = conn.execute("select count(*), sum(times_landed) from audit.landed_files where channel = 'phone'").fetchone()
    assert rows == ground_truth["raw_rows"]["raw.phone_calls"]
    assert manifest == (len(files), len(files))


def test_a_corrected_file_lands_only_what_changed(landing_database, warehouse, settings):
    own, drop = landing_database
    source = sorted((settings.sample_dir / "phone").glob("calls_*.csv"))[0]
    _copy([source], drop / "phone")
    first = land_channel("phone", own)
    lines = (drop / "phone" / source.name).read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\r\n").split(",")
    values = lines[1].rstrip("\r\n").split(",")
    call_id = values[header.index("call_id")]
    values[header.index("disposition_code")] = "CORRECTED"
    lines[1] = ",".join(values) + "\n"
    (drop / "phone" / source.name).write_text("".join(lines), encoding="utf-8")

    again = land_channel("phone", own)

    assert first.inserted > 1
    assert (again.files, again.inserted, again.updated) == (1, 0, 1)
    with warehouse.connect(own) as conn:
        code = conn.execute(
            "select payload->>'disposition_code' from raw.phone_calls where record_key = %s", (call_id,)
        ).fetchone()
        times = conn.execute("select times_landed from audit.landed_files where file_path = %s", (source.name,)).fetchone()
    assert code == ("CORRECTED",) and times == (2,)


def test_a_file_touched_but_unchanged_is_not_read_again(landing_database, warehouse, settings):
    own, drop = landing_database
    source = sorted((settings.sample_dir / "surveys").glob("responses_*.csv"))[0]
    _copy([source], drop / "surveys")
    land_channel("surveys", own)
    path = drop / "surveys" / source.name
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000_000))

    touched = land_channel("surveys", own)

    assert (touched.files, touched.pages, touched.inserted, touched.updated) == (0, 0, 0, 0)
    with warehouse.connect(own) as conn:
        mtime = conn.execute("select mtime_ns from audit.landed_files where file_path = %s", (source.name,)).fetchone()[0]
    assert mtime == path.stat().st_mtime_ns


def test_a_file_name_cursor_of_an_earlier_version_is_reported_not_obeyed(landing_database, warehouse, settings):
    """A cursor pointing past every file (a mistyped date) used to hide every file for ever."""
    own, drop = landing_database
    files = sorted((settings.sample_dir / "phone").glob("calls_*.csv"))[:3]
    _copy(files, drop / "phone")
    land_channel("phone", own)  # creates the audit tables
    with warehouse.connect(own) as conn:
        conn.execute("delete from audit.landed_files")
        conn.execute(
            "insert into audit.channel_cursors (channel, cursor_value, batch_id) values ('phone', 'calls_2099-12-31.csv', gen_random_uuid())"
        )
        conn.commit()
    said: list[str] = []

    again = land_channel("phone", own, progress=said.append)

    assert again.files == 3 and again.inserted == 0 and again.updated == 0  # read, and nothing landed twice
    assert any("'calls_2099-12-31.csv'" in line and "no longer used" in line for line in said)
    with warehouse.connect(own) as conn:
        assert read_cursor(conn, "phone") is None


def test_a_hostile_file_is_quarantined_and_the_channel_goes_on(landing_database, warehouse, settings):
    """A valid JSON document nested 100,000 deep (json.loads raises RecursionError) between two good exports."""
    own, drop = landing_database
    sessions = sorted((settings.sample_dir / "chat").glob("sessions_*.json"))[:2]
    _copy(sessions, drop / "chat")
    hostile = drop / "chat" / "sessions_2000-01-01.json"
    hostile.write_bytes(b'{"sessions": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}")

    summary = land_channel("chat", own)

    assert summary.files == 3 and summary.inserted > 0
    with warehouse.connect(own) as conn:
        rows = conn.execute("select source_ref, reason, original from raw.quarantine where channel = 'chat'").fetchall()
        manifest = conn.execute("select rejected from audit.landed_files where file_path = %s", (hostile.name,)).fetchone()
    assert ("chat/sessions_2000-01-01.json", "JSON nested deeper than 64 levels", hostile.read_bytes()) in [
        (ref, reason, bytes(original)) for ref, reason, original in rows
    ]
    assert manifest == (1,)


def test_a_large_file_lands_in_batches_bounded_by_the_batch_size(landing_database, warehouse, settings):
    """One export of 25,000 calls with batches of 10,000 records: three transactions, the file recorded with the
    last, and nothing lost."""
    own, drop = landing_database
    source = sorted((settings.sample_dir / "phone").glob("calls_*.csv"))[0]
    lines = source.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    template = lines[1].split(",")
    (drop / "phone").mkdir()
    with (drop / "phone" / "calls_2026-01-01.csv").open("w", encoding="utf-8") as handle:
        handle.write(lines[0] + "\n")
        for number in range(25_000):
            template[header.index("call_id")] = f"BIG-{number:06d}"
            handle.write(",".join(template) + "\n")

    summary = land_channel("phone", own, batch_records=10_000)

    assert (summary.files, summary.inserted, summary.quarantined) == (1, 25_000, 0)
    with warehouse.connect(own) as conn:
        batches = conn.execute(
            "select records_received from audit.landing_batches where channel = 'phone' order by started_at"
        ).fetchall()
        manifest_batch = conn.execute(
            "select b.records_received from audit.landed_files f join audit.landing_batches b using (batch_id)"
        ).fetchone()
    assert [row[0] for row in batches] == [10_000, 10_000, 5_000]
    assert manifest_batch == (5_000,)


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


def test_voc_land_reports_a_failed_channel_lands_the_others_and_exits_1(
    landing_database, warehouse, settings, monkeypatch, capsys
):
    from voc.cli import main

    own, drop = landing_database
    _copy(sorted((settings.sample_dir / "chat").glob("sessions_*.json"))[:1], drop / "chat")
    _copy(sorted((settings.sample_dir / "phone").glob("calls_*.csv"))[:1], drop / "phone")
    land_channel("chat", own, from_start=True)  # creates the raw tables
    with warehouse.connect(own) as conn:
        conn.execute("delete from raw.chat_sessions")
        conn.execute("delete from audit.landed_files")
        conn.execute("alter table raw.chat_sessions add constraint refuse_all check (record_key = '')")
        conn.commit()
    monkeypatch.setenv("VOC_WAREHOUSE_URL", own.warehouse_url)
    monkeypatch.setenv("VOC_SAMPLE_DIR", str(drop))

    assert main(["land", "chat", "phone"]) == 1

    captured = capsys.readouterr()
    assert 'chat: landing failed: new row for relation "chat_sessions" violates check constraint "refuse_all"' in captured.err
    assert "landing failed for chat; the other channels landed" in captured.err
    assert "phone " in captured.out
    with warehouse.connect(own) as conn:
        assert conn.execute("select count(*) from raw.phone_calls").fetchone()[0] > 0
        assert conn.execute("select count(*) from audit.landed_files where channel = 'chat'").fetchone()[0] == 0


def test_a_reader_that_fails_midway_leaves_its_file_quarantined_whole_and_the_rest_landed(
    landing_database, warehouse, monkeypatch
):
    """Whatever a reader raises (here a plug-in channel's reader that gives up after one record), the file is kept
    whole with the kind of failure, never its message (which may quote the file), and the next file is read."""
    from voc.channels import REGISTRY
    from voc.channels.base import Channel, DropFolder, RawRecord

    def read(path, file_ref):
        yield RawRecord("items", f"{path.stem}-1", {"n": 1}, f"{file_ref}:1")
        if "bad" in path.name:
            raise RecursionError("maximum recursion depth exceeded while reading 'secret@example.com'")
        yield RawRecord("items", f"{path.stem}-2", {"n": 2}, f"{file_ref}:2")

    monkeypatch.setitem(
        REGISTRY, "plugin", Channel("plugin", "Plug-in", {"items": "plugin_items"}, folder=DropFolder("*.txt", read))
    )
    own, drop = landing_database
    (drop / "plugin").mkdir()
    for name in ("a_bad.txt", "b_good.txt"):
        (drop / "plugin" / name).write_text(f"content of {name}\n")

    summary = land_channel("plugin", own)

    assert (summary.files, summary.inserted, summary.quarantined, summary.unreadable) == (2, 3, 1, ["plugin/a_bad.txt"])
    with warehouse.connect(own) as conn:
        (reason, original) = conn.execute("select reason, original from raw.quarantine").fetchone()
        keys = [row[0] for row in conn.execute("select record_key from raw.plugin_items order by 1")]
    assert reason == "the file could not be read (RecursionError); it is kept whole"
    assert bytes(original) == b"content of a_bad.txt\n"
    assert keys == ["a_bad-1", "b_good-1", "b_good-2"]


def test_the_warehouse_going_away_mid_landing_is_one_line_and_exit_1(landing_database, warehouse, monkeypatch, capsys):
    """The server ends the landing's connection (as a shutdown does) while a file is being read: `voc land` says so
    in one line per channel, lands nothing half-way (the batch's transaction is rolled back) and exits 1."""
    from voc.channels import REGISTRY
    from voc.channels.base import Channel, DropFolder, RawRecord
    from voc.cli import main

    own, drop = landing_database

    def read(path, file_ref):
        yield RawRecord("items", f"{path.stem}-1", {"n": 1}, f"{file_ref}:1")
        if path.name == "b.txt":
            with warehouse.connect(own, autocommit=True) as admin:
                admin.execute(
                    "select pg_terminate_backend(pid) from pg_stat_activity "
                    "where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'"
                )

    monkeypatch.setitem(
        REGISTRY, "plugin", Channel("plugin", "Plug-in", {"items": "plugin_items"}, folder=DropFolder("*.txt", read))
    )
    (drop / "plugin").mkdir()
    for name in ("a.txt", "b.txt"):
        (drop / "plugin" / name).write_text(name)
    monkeypatch.setenv("VOC_WAREHOUSE_URL", own.warehouse_url)
    monkeypatch.setenv("VOC_SAMPLE_DIR", str(drop))

    assert main(["land", "plugin"]) == 1

    err = capsys.readouterr().err
    assert "plugin: landing failed: terminating connection due to administrator command" in err
    assert "Traceback" not in err
    with warehouse.connect(own) as conn:
        assert conn.execute("select count(*) from audit.landed_files").fetchone()[0] == 0
