"""The growing facts are incremental: the staged e-mail messages, calls and case events (folding headers and parsing
timestamps is staging's costly part) and the phone and chat channel tables rewrite only the records landed or
corrected since the last build, the interaction models (int_interactions, fct_interactions) rewrite only the
conversations in which something changed, the contact models (first responses, classification, SLA, fct_contacts)
only the contacts whose conversation or review decision changed, and together they leave exactly what a full
rebuild gives, whatever arrived: a late day,
a reply to an old thread, a corrected record, a message moved to another thread, a chat session corrected (its
messages follow) and one sent again without its messages, records removed from raw. The truth is the full rebuild of the same data (`--full-refresh`)."""

from __future__ import annotations

import json
import mailbox
import shutil

import pytest
from voc import review
from voc.channels import REGISTRY
from voc.landing import land_channel
from voc.transform import run_dbt

MODELS = {
    "stg_email__messages": "staging",
    "stg_phone__calls": "staging",
    "stg_cases__events": "staging",
    "int_phone__interactions": "intermediate",
    "int_chat__interactions": "intermediate",
    "int_interactions": "intermediate",
    "fct_interactions": "marts",
    "int_contact_first_responses": "intermediate",
    "int_contacts_classified": "intermediate",
    "int_contact_sla": "intermediate",
    "fct_contacts": "marts",
}
# when a build wrote the row (or the contact's conversation): differs between an incremental build and a rebuild
BOOKKEEPING = {"built_at", "contact_built_at"}


def _dbt(settings, tmp_path, *args: str) -> None:
    run_dbt([*args, "--target-path", str(tmp_path / "dbt-target")], settings, quiet=True)


def _rows(conn, model: str) -> list[tuple]:
    columns = [
        name
        for (name,) in conn.execute(
            "select column_name from information_schema.columns where table_schema = %s and table_name = %s "
            "order by ordinal_position",
            (MODELS[model], model),
        )
        if name not in BOOKKEEPING
    ]
    return sorted(conn.execute(f"select {', '.join(columns)} from {MODELS[model]}.{model}").fetchall(), key=lambda row: repr(row))


def _transaction(conn) -> int:
    """The current transaction id: rows a later build writes carry a larger `xmin` (a fresh test database does not
    wrap around)."""
    return conn.execute("select txid_current()").fetchone()[0]


def _rewritten(conn, model: str, key: str, since: int) -> set[str]:
    """The keys of the rows of `model` written after transaction `since`."""
    return {
        value for (value,) in conn.execute(f"select {key} from {MODELS[model]}.{model} where xmin::text::bigint > %s", (since,))
    }


def _landed_from(conn, raw_table: str, files, folder: str) -> set[str]:
    """The keys of the raw records landed from the `files` of the channel `folder` (a CSV row's `source_ref` is
    `<file>:<line>`, an mbox message's `<file>#<index>`)."""
    names = [relative.as_posix() for relative in files if relative.parts[0] == folder]
    return {
        key
        for (key,) in conn.execute(
            f"select record_key from raw.{raw_table} where regexp_replace(source_ref, '[:#][0-9]+$', '') = any(%s)", (names,)
        )
    }


@pytest.fixture
def built_but_the_last_day(landing_database, settings, ground_truth, tmp_path, warehouse):
    """The sample without its last day's files, landed and built in a database of the test's own; returns
    (settings, drop folder, the held-back files)."""
    own, drop = landing_database
    last_day = max(path.stem.removeprefix("calls_") for path in (settings.sample_dir / "phone").glob("calls_*.csv"))
    held = []
    for path in sorted(settings.sample_dir.rglob("*")):
        relative = path.relative_to(settings.sample_dir)
        if not path.is_file() or relative.parts[0] not in REGISTRY:
            continue
        target = (tmp_path / "held" if last_day in path.name else drop) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        if last_day in path.name:
            held.append(relative)
    for name in REGISTRY:
        land_channel(name, own)
    _dbt(own, tmp_path, "build")
    return own, drop, held


@pytest.mark.slow
def test_a_day_late_replies_corrections_moves_and_removals_build_what_a_full_rebuild_gives(
    built_but_the_last_day, warehouse, tmp_path
):
    own, drop, held = built_but_the_last_day
    assert held, "the sample has files of its last day"
    with warehouse.connect(own) as conn:
        before = _transaction(conn)
        conversations = conn.execute("select count(distinct conversation_key) from marts.fct_interactions").fetchone()[0]
        contacts = conn.execute("select count(*) from marts.fct_contacts").fetchone()[0]
        # two web mentions (nobody answers them: nothing else changes them): one overridden, one overridden and reverted
        overridden, reverted = [
            key for (key,) in conn.execute("select contact_id from marts.fct_contacts where channel = 'web' order by 1 limit 2")
        ]
        # an e-mail reply, to be moved to another thread; a thread whose root will be removed (its replies stay)
        reply_id, old_thread, reply_ref = conn.execute(
            "select m.message_id, m.thread_id, r.source_ref from staging.stg_email__messages as m "
            "join raw.email_messages as r on r.record_key = m.message_id "
            "where m.in_reply_to_message_id is not null order by m.message_id limit 1"
        ).fetchone()
        new_thread, removed_root = [
            thread
            for (thread,) in conn.execute(
                "select thread_id from staging.stg_email__messages where thread_id <> %s group by thread_id "
                "having count(*) > 1 and bool_or(message_id = thread_id) order by thread_id limit 2",
                (old_thread,),
            )
        ]
        corrected_call, removed_call = [
            key for (key,) in conn.execute("select record_key from raw.phone_calls order by record_key limit 2")
        ]
        (session_id, session_ref), (emptied_id, emptied_ref) = conn.execute(
            "select record_key, source_ref from raw.chat_sessions order by record_key limit 2"
        ).fetchall()
        sessions = conn.execute("select count(*) from raw.chat_sessions").fetchone()[0]

    # the last day arrives late (replies to older threads among it)
    for relative in held:
        (drop / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp_path / "held" / relative, drop / relative)
    # a corrected call: the export sends the call again with another disposition code
    calls_file = next(path for path in sorted((drop / "phone").glob("calls_*.csv")) if corrected_call in path.read_text())
    header, *lines = calls_file.read_text(encoding="utf-8").splitlines()
    line = next(line for line in lines if line.startswith(corrected_call + ","))
    fields = line.split(",")
    fields[header.split(",").index("disposition_code")] = "CMP-OUTAGE"
    (drop / "phone" / "calls_2099-01-01_corrected.csv").write_text(header + "\n" + ",".join(fields) + "\n", encoding="utf-8")
    # a reply moved to another thread: the mailbox sends it again with corrected References
    source = mailbox.mbox(drop / reply_ref.split("#")[0])
    message = next(m for m in source if m["Message-ID"].strip("<> ") == reply_id)
    for header_name in ("References", "In-Reply-To"):
        del message[header_name]
        message[header_name] = f"<{new_thread}>"
    corrected = mailbox.mbox(drop / "email" / "mailbox_2099-01-01_corrected.mbox")
    corrected.add(message)
    corrected.flush()
    # a chat session corrected: another language (its messages are staged from the session); another sent again
    # without its messages (the messages it had are gone)
    export = json.loads((drop / session_ref.split("#")[0]).read_text(encoding="utf-8"))
    session = next(s for s in export["sessions"] if s["id"] == session_id)
    session["language"] = "en" if session.get("language") != "en" else "es"
    emptied = next(
        s for s in json.loads((drop / emptied_ref.split("#")[0]).read_text(encoding="utf-8"))["sessions"] if s["id"] == emptied_id
    )
    emptied["messages"] = []
    (drop / "chat" / "sessions_2099-01-01_corrected.json").write_text(
        json.dumps({"export_date": "2099-01-01", "sessions": [session, emptied]}), encoding="utf-8"
    )
    for name in REGISTRY:
        land_channel(name, own)
    # a reviewer's decisions
    review.record(own, overridden, "complaint", by="qa", reason="test")
    review.record(own, reverted, "praise", by="qa", reason="test")
    _dbt(own, tmp_path, "build", "--select", "int_contacts_classified", "fct_contacts")
    review.record(own, reverted, None, by="qa", reason="back to the rules")
    # records removed from raw (as an erasure or retention removes them): a thread's root, a whole call
    with warehouse.connect(own) as conn:
        conn.execute("delete from raw.email_messages where record_key = %s", (removed_root,))
        conn.execute("delete from raw.phone_calls where record_key = %s", (removed_call,))
        conn.commit()

    _dbt(own, tmp_path, "build")
    with warehouse.connect(own) as conn:
        incremental = {model: _rows(conn, model) for model in MODELS}
        rewritten = _rewritten(conn, "fct_interactions", "conversation_key", before)
        rewritten_messages = _rewritten(conn, "stg_email__messages", "message_id", before)
        rewritten_calls = _rewritten(conn, "stg_phone__calls", "call_id", before)
        rewritten_events = _rewritten(conn, "stg_cases__events", "event_id", before)
        rewritten_call_rows = _rewritten(conn, "int_phone__interactions", "record_id", before)
        rewritten_sessions = _rewritten(conn, "int_chat__interactions", "source_record_key", before)
        emptied_left = conn.execute(
            "select count(*) from marts.fct_interactions where channel = 'chat' and conversation_id = %s", (emptied_id,)
        ).fetchone()[0]
        late_calls = _landed_from(conn, "phone_calls", held, "phone")
        late_events = _landed_from(conn, "case_events", held, "cases")
        staged = {
            model: conn.execute(f"select count(*) from staging.{model}").fetchone()[0]
            for model in ("stg_phone__calls", "stg_cases__events")
        }
        removed_staged = conn.execute(
            "select count(*) from staging.stg_phone__calls where call_id = %s", (removed_call,)
        ).fetchone()[0]
        late_messages = _landed_from(conn, "email_messages", held, "email")
        messages = conn.execute("select count(*) from staging.stg_email__messages").fetchone()[0]
        rewritten_contacts = {
            model: _rewritten(conn, model, "contact_id", before)
            for model in MODELS
            if not model.startswith("stg_") and not model.endswith("_interactions")
        }
        decided = dict(
            conn.execute(
                "select contact_id, classified_by from marts.fct_contacts where contact_id in (%s, %s)", (overridden, reverted)
            ).fetchall()
        )
        moved = conn.execute(
            "select conversation_id from marts.fct_interactions where interaction_id = %s", (f"email:messages:{reply_id}",)
        ).fetchone()
        languages = {
            language
            for (language,) in conn.execute(
                "select language from marts.fct_interactions where channel = 'chat' and conversation_id = %s", (session_id,)
            )
        }
        removed = conn.execute(
            "select count(*) from marts.fct_interactions where interaction_id in (%s, %s)",
            (f"email:messages:{removed_root}", f"phone:calls:{removed_call}"),
        ).fetchone()[0]
    _dbt(own, tmp_path, "run", "--full-refresh", "--select", "int_contacts", *MODELS)
    with warehouse.connect(own) as conn:
        rebuilt = {model: _rows(conn, model) for model in MODELS}

    for model in MODELS:
        assert incremental[model] == rebuilt[model], f"{model}: the incremental build differs from a full rebuild"
    assert moved == (new_thread,) and languages == {session["language"]} and removed == 0
    # only what changed was rewritten: the moved reply's two threads, the corrected call and session, the thread
    # that lost its root, the late day's conversations; not the rest
    assert {
        f"email:{old_thread}",
        f"email:{new_thread}",
        f"email:{removed_root}",
        f"phone:{corrected_call}",
        f"chat:{session_id}",
    } <= rewritten
    assert len(rewritten) < conversations * 0.1
    # the moved reply is staged again, the late day's messages for the first time; not the rest
    assert late_messages and {reply_id} | late_messages <= rewritten_messages
    assert len(rewritten_messages) < messages * 0.1
    # the corrected call is staged again and the removed one is gone; the late day's case events are staged; not the rest
    assert corrected_call in rewritten_calls and removed_staged == 0
    assert len(rewritten_calls) < staged["stg_phone__calls"] * 0.1
    assert late_events and late_events <= rewritten_events
    assert len(rewritten_events) < staged["stg_cases__events"] * 0.1
    # the channel tables: the corrected and the late calls, the corrected session; the emptied session's messages are gone
    assert late_calls and {corrected_call} | late_calls <= rewritten_call_rows
    assert len(rewritten_call_rows) < staged["stg_phone__calls"] * 0.1
    assert session_id in rewritten_sessions and len(rewritten_sessions) < sessions * 0.1
    assert emptied_left == 0
    # the contacts of those conversations and the two decided ones; not the rest
    assert decided == {overridden: "override", reverted: "model"}
    changed_contacts = {f"email:{old_thread}", f"email:{new_thread}", f"phone:{corrected_call}", f"chat:{session_id}"}
    for model, keys in rewritten_contacts.items():
        assert changed_contacts <= keys and len(keys) < contacts * 0.1, model
    assert {overridden, reverted} <= rewritten_contacts["fct_contacts"] & rewritten_contacts["int_contacts_classified"]


@pytest.mark.slow
def test_an_unchanged_rerun_rewrites_nothing_and_a_changed_setting_rewrites_everything(
    built_but_the_last_day, warehouse, tmp_path
):
    own, _, _ = built_but_the_last_day
    with warehouse.connect(own) as conn:
        before = _transaction(conn)
        total = {model: conn.execute(f"select count(*) from {MODELS[model]}.{model}").fetchone()[0] for model in MODELS}

    _dbt(own, tmp_path, "run", "--select", "int_contact_build_inputs", *MODELS)
    with warehouse.connect(own) as conn:
        assert all(_rewritten(conn, model, "ctid", before) == set() for model in MODELS)

    # a changed setting (the organisation gains an e-mail address): every row is rewritten, as a rebuild would
    setting = ["--vars", "{organisation_email_addresses: 'soporte@albaconnect.example,ventas@albaconnect.example'}"]
    _dbt(own, tmp_path, "run", "--select", "int_contact_build_inputs", *MODELS, *setting)
    with warehouse.connect(own) as conn:
        assert {model: len(_rewritten(conn, model, "ctid", before)) for model in MODELS} == total
        incremental = {model: _rows(conn, model) for model in MODELS}
    _dbt(own, tmp_path, "run", "--full-refresh", "--select", "int_contacts", "int_contact_build_inputs", *MODELS, *setting)
    with warehouse.connect(own) as conn:
        assert incremental == {model: _rows(conn, model) for model in MODELS}
