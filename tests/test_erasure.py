"""Erasure end to end: `voc erase` removes one of the sample's people from every table of a warehouse of its own,
logs the request by pseudonym only, and leaves everybody else's records alone.

The person and their identifiers come from the sample generator's population; what must disappear is found by this
test's own search of the raw payloads (not by the erasure code), and the check afterwards searches every column of
every table in every schema.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re
from collections import Counter

import pytest

DATABASE = "erasure_probe"


@pytest.fixture(scope="module")
def erasure_warehouse(warehouse, settings, landed, tmp_path_factory):
    """A warehouse of its own (database erasure_probe, duty logins of the embedded server), landed and built."""
    import dataclasses
    import shutil

    from voc import transform
    from voc.channels import REGISTRY
    from voc.landing import land_channel
    from voc.warehouse import Connection

    with warehouse.connect(settings, autocommit=True) as conn:
        conn.execute(f"drop database if exists {DATABASE}")
        conn.execute(f"create database {DATABASE}")
    owner = warehouse.connection_info(settings)
    drop = tmp_path_factory.mktemp("drop")
    shutil.copytree(settings.drop_folder, drop, dirs_exist_ok=True)  # the erasure cuts these files, not the session's

    def at_probe(info):
        return Connection(info.host, info.port, info.user, info.password, DATABASE).url

    own = dataclasses.replace(
        settings,
        warehouse_url=at_probe(owner),
        duty_urls=tuple((duty, at_probe(warehouse.connection_info(settings, duty))) for duty in warehouse.DUTY_ROLES),
        pseudonym_secret="erasure-test-secret",
        reports_dir=tmp_path_factory.mktemp("reports"),
        drop_dir=drop,
    )
    warehouse.bootstrap(own)
    for name in REGISTRY:
        land_channel(name, own)
    transform.build(own)
    return own


def _person(conn, seed):
    """The sample's customer seen on the most channels, whose full name nobody else (customer or agent) has."""
    from voc.sample.people import CASE_AGENTS, CHAT_AGENTS, PHONE_AGENTS, Population

    population = Population(random.Random(f"{seed}/people"))
    people = [person for group in population.customers.values() for person in group]
    names = Counter(person.name for person in people) + Counter(a.name for a in PHONE_AGENTS + CHAT_AGENTS + CASE_AGENTS)
    best = None
    for person in people:
        if names[person.name] > 1:
            continue
        ids = {"email": person.email, "phone": person.phone}
        seen = {
            "email": conn.execute(
                "select count(*) from raw.email_messages where payload -> 'headers' ->> 'From' like %s", (f"%<{person.email}>",)
            ).fetchone()[0],
            "phone": conn.execute(
                "select count(*) from raw.phone_calls where payload ->> 'caller_number' = %s", (person.phone,)
            ).fetchone()[0],
        }
        visitor = conn.execute(
            "select distinct payload -> 'visitor' ->> 'id' from raw.chat_sessions where payload -> 'visitor' ->> 'email' = %s",
            (person.email,),
        ).fetchall()
        user = conn.execute(
            "select distinct payload ->> 'id' from raw.twitter_users where payload ->> 'username' = %s", (person.handle,)
        ).fetchall()
        commenter = conn.execute(
            """
            select distinct comment -> 'from' ->> 'id'
            from raw.facebook_posts, jsonb_array_elements(payload -> 'comments' -> 'data') as comment
            where comment -> 'from' ->> 'name' = %s
            """,
            (person.name,),
        ).fetchall()
        for kind, found in (("chat", visitor), ("twitter", user), ("facebook", commenter)):
            if len(found) == 1:
                ids[kind] = found[0][0]
                seen[kind] = 1
        score = sum(1 for count in seen.values() if count) + ("facebook" in seen)  # a post to rewrite, preferably
        if seen["email"] and seen["phone"] and (best is None or score > best[0]):
            best = (score, person, ids)
    assert best is not None and best[0] >= 4, "the sample has no customer on four channels"
    return best[1], best[2]


def _names(text: str, person, ids) -> bool:
    """This test's own idea of a text naming the person: their address, number (any spacing), handle, ids, name."""
    lowered = text.lower()
    if person.email.lower() in lowered or person.name.lower() in lowered:
        return True
    national = re.sub(r"\D", "", person.phone)[-9:]
    if re.search(r"[^0-9]{0,3}".join(national), text):
        return True
    if re.search(rf"(?<![\w]){re.escape(person.handle)}(?![\w])", text, re.IGNORECASE):
        return True
    return any(
        re.search(rf"(?<![\w.-]){re.escape(ids[kind])}(?![\w-])", text) for kind in ("chat", "twitter", "facebook") if kind in ids
    )


def _every_value(conn):
    """(schema.table, value as text) for every value of every table and view outside the system catalogs."""
    relations = conn.execute(
        """
        select table_schema, table_name from information_schema.tables
        where table_schema not in ('pg_catalog', 'information_schema')
        """
    ).fetchall()
    for schema, name in relations:
        for row in conn.execute(f'select * from "{schema}"."{name}"'):
            for value in row:
                if isinstance(value, (bytes, memoryview)):
                    yield f"{schema}.{name}", bytes(value).decode("utf-8", "replace")
                elif isinstance(value, (dict, list)):
                    yield f"{schema}.{name}", json.dumps(value, ensure_ascii=False)
                elif value is not None and not isinstance(value, bool):
                    yield f"{schema}.{name}", str(value)


def _files(folder) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def _raw_rows(conn) -> dict[tuple[str, str], str]:
    tables = [
        row[0] for row in conn.execute("select tablename from pg_tables where schemaname = 'raw' and tablename <> 'quarantine'")
    ]
    return {
        (table, key): json.dumps(payload, ensure_ascii=False)
        for table in tables
        for key, payload in conn.execute(f"select record_key, payload from raw.{table}")
    }


def test_erase_removes_a_person_from_every_table_and_logs_them_by_pseudonym_only(
    erasure_warehouse, ground_truth, monkeypatch, capsys
):
    from voc import warehouse
    from voc.cli import main

    own = erasure_warehouse
    with warehouse.connect(own) as conn:
        person, ids = _person(conn, ground_truth["seed"])
        # a hostile quarantined record that names them (not UTF-8), and one that names somebody else
        conn.execute(
            "insert into raw.quarantine (channel, entity, source_ref, reason, original, original_sha256, batch_id) "
            "values ('email', 'messages', 'probe#1', 'probe', %s, 'probe-1', gen_random_uuid()), "
            "('email', 'messages', 'probe#2', 'probe', %s, 'probe-2', gen_random_uuid())",
            (b"\xf3From: " + person.email.upper().encode() + b"\n", b"From: someone.else@example.net\n"),
        )
        conn.commit()
        before = _raw_rows(conn)
        naming = {row for row, text in before.items() if _names(text, person, ids)}
        customer_keys = {
            row[0]
            for row in conn.execute(
                "select distinct customer_key from marts.fct_contacts where customer_key = any(%s)",
                ([hmac.new(b"erasure-test-secret", f"{k}:{v}".encode(), hashlib.sha256).hexdigest() for k, v in _normal(ids)],),
            )
        }
    assert len(naming) >= 4 and len({table for table, _ in naming}) >= 4
    assert "facebook" in ids, "the person chosen comments on Facebook: the test covers a post rewritten without them"
    assert len(customer_keys) >= 3, "the person's contacts carry their pseudonyms before the erasure"

    monkeypatch.setenv("VOC_WAREHOUSE_URL", own.warehouse_url)
    for duty, url in own.duty_urls:
        monkeypatch.setenv(f"VOC_{duty.upper()}_URL", url)
    monkeypatch.setenv("VOC_PSEUDONYM_SECRET", own.pseudonym_secret)
    monkeypatch.setenv("VOC_DROP_DIR", str(own.drop_dir))
    identifiers = [f"{kind}:{value}" for kind, value in ids.items()]

    # the drop folder: files naming the person, a channel's file no reader can split (held only in quarantine), and
    # a file no channel reads
    drop = own.drop_dir
    unreadable = drop / "email" / "mailbox_2099-01-01.mbox"
    unreadable.write_bytes(b"not an mbox\nReply-To: " + person.email.encode() + b"\n")
    stray = drop / "notes.txt"
    stray.write_text(f"call back {person.phone}\n")
    files_before = _files(drop)
    naming_files = {name for name, data in files_before.items() if _names(data.decode("utf-8", "replace"), person, ids)}
    assert {"phone", "email", "chat", "facebook"} <= {name.split("/")[0] for name in naming_files}

    assert main(["erase", *identifiers, "--dry-run"]) == 0
    with warehouse.connect(own) as conn:
        assert _raw_rows(conn) == before  # a dry run changes nothing
    assert _files(drop) == files_before
    capsys.readouterr()
    assert main(["erase", *identifiers, "--request", "DSR-2026-0042"]) == 1
    captured = capsys.readouterr()
    assert "the drop folder still names the person: notes.txt (no channel reads this file" in captured.err
    assert "email/mailbox_2099-01-01.mbox deleted" in captured.out
    assert not unreadable.exists() and stray.exists()
    stray.unlink()

    # no file names the person any more (what else the cut files lost is checked by the replay below: they must
    # hold exactly what the warehouse kept)
    files_after = _files(drop)
    still = [name for name, data in files_after.items() if _names(data.decode("utf-8", "replace"), person, ids)]
    assert still == []
    changed = {name for name in files_before if files_before[name] != files_after.get(name)} - {"notes.txt"}
    assert naming_files - {"notes.txt"} <= changed

    with warehouse.connect(own) as conn:
        after = _raw_rows(conn)
        found, keys_left = set(), set()
        for relation, text in _every_value(conn):
            if _names(text, person, ids):
                found.add(relation)
            if relation != "audit.erasures" and any(key in text for key in customer_keys):
                keys_left.add(relation)
        (log,) = conn.execute("select request_ref, key_id, pseudonyms, raw_rows_deleted, quarantine_deleted from audit.erasures")
        quarantine = [row[0] for row in conn.execute("select source_ref from raw.quarantine where source_ref like 'probe#%'")]
    assert found == set(), f"the person is still named in {sorted(found)}"
    assert keys_left == set(), f"the person's pseudonym is still in {sorted(keys_left)}"
    assert quarantine == ["probe#2"]

    # nobody else's record went: each removed or rewritten record named the person or referred to one that did
    removed = {row for row in before if before[row] != after.get(row)}
    assert naming <= removed
    naming_keys = {key for _, key in naming}
    for row in removed - naming:
        assert any(key in before[row] for key in naming_keys), f"{row} was removed but neither named nor referred to the person"
    assert len(after) > 0.95 * len(before)

    # the log: the request, the secret's fingerprint, pseudonyms and counts, never an identifier
    request_ref, key_id, pseudonyms, deleted, quarantined = log
    assert request_ref == "DSR-2026-0042" and re.fullmatch(r"[0-9a-f]{16}", key_id)
    assert sorted(pseudonyms) == sorted(
        f"{kind}:{hmac.new(b'erasure-test-secret', f'{kind}:{value}'.encode(), hashlib.sha256).hexdigest()}"
        for kind, value in _normal(ids)
    )
    assert sum(deleted.values()) == sum(1 for row in removed if row not in after) and quarantined == 1
    assert not _names(json.dumps(log, default=str), person, ids)

    # the landing manifest knows the cut files: the next run reads nothing again; a replay from the start of
    # every channel brings nobody back and lands nothing twice
    from voc.channels import REGISTRY
    from voc.landing import land_channel

    assert sum(land_channel(name, own).files for name in REGISTRY) == 0
    with warehouse.connect(own) as conn:
        quarantined = conn.execute("select count(*) from raw.quarantine").fetchone()[0]
    for name in REGISTRY:
        land_channel(name, own, from_start=True)
    with warehouse.connect(own) as conn:
        assert _raw_rows(conn) == after
        assert conn.execute("select count(*) from raw.quarantine").fetchone()[0] == quarantined

    # erasing again finds nothing more
    assert main(["erase", *identifiers, "--no-rebuild"]) == 0
    out = capsys.readouterr().out
    assert "0 raw record(s) deleted, 0 rewritten" in out and "0 file(s) rewritten" in out


def _normal(ids):
    """The identifiers in the normal form written out for the sample's formats (numbers as '+34 6xx xxx xxx')."""
    for kind, value in ids.items():
        yield kind, value.replace(" ", "") if kind == "phone" else value.lower() if kind == "email" else value


@pytest.mark.parametrize(
    ("identifier", "message"),
    [("ana@example.com", "KIND:VALUE"), ("fax:123", "KIND:VALUE"), ("phone:12", "too short"), ("email: ", "empty")],
)
def test_erase_refuses_an_identifier_it_cannot_act_on(identifier, message):
    from voc import erasure

    with pytest.raises(erasure.ErasureError, match=message):
        erasure.Identifier.parse(identifier)


def test_erase_with_no_identifier_says_what_to_give(settings, warehouse, capsys):
    from voc.cli import main

    assert main(["erase"]) == 2
    assert "name the person" in capsys.readouterr().err


def test_a_comment_is_cut_out_of_its_post_and_the_post_kept():
    from voc.erasure import Identifier, Match, redact

    post = {
        "id": "p1",
        "from": {"id": "page", "name": "Alba"},
        "comments": {
            "data": [
                {
                    "id": "c1",
                    "from": {"id": "u1"},
                    "message": "mine",
                    "comments": {"data": [{"id": "c1r", "from": {"id": "page"}}]},
                },
                {
                    "id": "c2",
                    "from": {"id": "u2"},
                    "message": "someone else's",
                    "comments": {"data": [{"id": "c2r", "from": {"id": "u1"}}]},
                },
            ]
        },
    }
    kept, removed = redact(post, Match([Identifier.parse("facebook:u1")], "34"))
    assert [comment["id"] for comment in kept["comments"]["data"]] == ["c2"]
    assert kept["comments"]["data"][0]["comments"]["data"] == []
    assert set(removed) == {"c1", "c1r", "c2r"}
    whole, _ = redact({"id": "t1", "author_id": "u1"}, Match([Identifier.parse("twitter:u1")], "34"))
    assert whole is None


def test_housekeeping_carries_out_a_queued_request_and_the_retention_periods(
    erasure_warehouse, ground_truth, monkeypatch, tmp_path
):
    """Through Airflow (`dag.test()`): a request queued with `voc erase --queue` is carried out, records older than
    the retention periods go, dbt is rebuilt, and the request's file is gone; nothing personal reaches XCom.
    (No capsys here: Airflow's logging, configured at its first import, would keep writing to a stream pytest
    closes after the test.)"""
    from voc import airflow_env, warehouse
    from voc.cli import main
    from voc.demo import run_dag
    from voc.orchestration import build_housekeeping_dag

    own = erasure_warehouse
    monkeypatch.setenv("VOC_WAREHOUSE_URL", own.warehouse_url)
    for duty, url in own.duty_urls:
        monkeypatch.setenv(f"VOC_{duty.upper()}_URL", url)
    monkeypatch.setenv("VOC_PSEUDONYM_SECRET", own.pseudonym_secret)
    monkeypatch.setenv("VOC_DROP_DIR", str(own.drop_dir))  # the module's copy: the erasure cuts its files
    monkeypatch.setenv("VOC_ERASURE_REQUESTS_DIR", str(tmp_path / "requests"))
    monkeypatch.setenv("VOC_RETENTION_RAW_DAYS", "365")
    monkeypatch.setenv("VOC_RETENTION_QUARANTINE_DAYS", "30")

    with warehouse.connect(own) as conn:
        (caller,) = conn.execute(
            "select payload ->> 'caller_number' from raw.phone_calls where payload ->> 'caller_number' like '+34 6%' "
            "group by 1 order by count(*) desc, 1 limit 1"
        ).fetchone()
        calls_before = conn.execute(
            "select count(*) from raw.phone_calls where payload ->> 'caller_number' = %s", (caller,)
        ).fetchone()[0]
        # a month of web mentions loaded long ago, and one old quarantined record
        old_mentions = conn.execute(
            "update raw.web_mentions set loaded_at = now() - interval '400 days' "
            "where record_key in (select record_key from raw.web_mentions order by record_key limit 5) returning record_key"
        ).fetchall()
        conn.execute(
            "update raw.quarantine set quarantined_at = now() - interval '60 days' "
            "where quarantine_id = (select min(quarantine_id) from raw.quarantine)"
        )
        quarantined_before = conn.execute("select count(*) from raw.quarantine").fetchone()[0]
        conn.commit()
    assert calls_before >= 1 and len(old_mentions) == 5

    assert main(["erase", f"phone:{caller}", "--queue"]) == 2  # a queued request needs its reference
    assert main(["erase", f"phone:{caller}", "--queue", "--request", "DSR-2026-0043"]) == 0
    request = tmp_path / "requests" / "DSR-2026-0043.txt"
    assert request.exists() and (request.stat().st_mode & 0o777) == 0o600

    airflow_env.migrate()
    run = run_dag(build_housekeeping_dag())
    assert str(run.state).endswith("success")
    assert not request.exists()
    xcoms = [str(ti.xcom_pull(task_ids=ti.task_id)) for ti in run.get_task_instances()]
    assert not any(caller in text or caller.replace(" ", "") in text for text in xcoms)

    with warehouse.connect(own) as conn:
        assert conn.execute(
            "select count(*) from raw.phone_calls where payload ->> 'caller_number' = %s", (caller,)
        ).fetchone() == (0,)
        assert conn.execute(
            "select count(*) from raw.web_mentions where record_key = any(%s)", ([k for (k,) in old_mentions],)
        ).fetchone() == (0,)
        assert conn.execute("select count(*) from raw.quarantine").fetchone() == (quarantined_before - 1,)
        assert conn.execute(
            "select count(*) from marts.fct_contacts where channel = 'web' and source_record_key = any(%s)",
            ([k for (k,) in old_mentions],),
        ).fetchone() == (0,)
        refs = [row[0] for row in conn.execute("select request_ref from audit.erasures order by requested_at")]
        runs = dict(conn.execute("select layer, rows_deleted from audit.retention_runs").fetchall())
    assert refs[-1] == "DSR-2026-0043"
    assert runs["raw"]["raw.web_mentions"] == 5 and runs["quarantine"] == {"raw.quarantine": 1}


def _cut_folder(tmp_path, files: dict[str, bytes], *identifiers: str):
    """Cut a hand-made drop folder with the erasure's file pass (identifier pass, then references)."""
    from voc.erasure import Identifier, Match
    from voc.erasure_files import DropFolderErasure

    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    people = [Identifier.parse(text) for text in identifiers]
    folder = DropFolderErasure(tmp_path)
    ids = folder.cut(Match(people, "34"))
    folder.cut(Match(people, "34", keys={key for key in ids if len(key) >= 4}))
    folder.check(Match(people, "34"))
    return folder


def _content(folder, name: str) -> bytes | None:
    """What the file would be written as (None: deleted; unchanged files are not in the cut)."""
    cut = folder.cuts.get(folder.folder / name)
    return (folder.folder / name).read_bytes() if cut is None else cut.content


def test_a_csv_export_keeps_every_other_line_and_its_number(tmp_path):
    """CRLF endings and a BOM stay; the person's line becomes blank, so the next line is still line 4."""
    csv_file = (
        b"\xef\xbb\xbfcall_id,caller_number,queue\r\n"
        b"C1,+34 600 111 222,ventas\r\n"
        b"C2,0034-600-999-888,soporte\r\n"
        b'C3,"+34 600 333 444","quoted, with comma"\r\n'
    )
    folder = _cut_folder(tmp_path, {"phone/calls_2026-08-01.csv": csv_file}, "phone:600999888")
    assert _content(folder, "phone/calls_2026-08-01.csv") == csv_file.replace(b"C2,0034-600-999-888,soporte", b"")
    assert [str(path) for path in folder.rewritten] == ["phone/calls_2026-08-01.csv"]


def test_an_mbox_loses_the_person_s_message_and_the_reply_to_it_byte_for_byte(tmp_path):
    first = b"From ana@example.com Mon Aug  3 10:00:00 2026\nMessage-ID: <m1@example.com>\nFrom: Ana <ANA@example.com>\n\nhola\n>From here on\n\n"
    reply = b"From soporte@alba.example Mon Aug  3 11:00:00 2026\nMessage-ID: <r1@alba.example>\nIn-Reply-To: <m1@example.com>\n\nrespuesta\n\n"
    other = b"From luis@example.net Mon Aug  3 12:00:00 2026\nMessage-ID: <m2@example.net>\nFrom: luis@example.net\n\notro\n"
    folder = _cut_folder(tmp_path, {"email/mailbox_2026-08-03.mbox": first + reply + other}, "email:ana@example.com")
    assert _content(folder, "email/mailbox_2026-08-03.mbox") == other


def test_a_feed_item_is_cut_even_when_the_name_is_written_as_character_references(tmp_path):
    feed = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>t</title>\n'
        b"<item><guid>a</guid><author>Ana Mar&#237;a Soto</author></item>\n"
        b"<item><guid>b</guid><author>Luis Gil</author></item>\n</channel></rss>\n"
    )
    folder = _cut_folder(tmp_path, {"web/blog_2026-08-01.xml": feed}, "web:Ana María Soto")
    assert _content(folder, "web/blog_2026-08-01.xml") == feed.replace(
        b"<item><guid>a</guid><author>Ana Mar&#237;a Soto</author></item>", b""
    )


def test_a_json_delivery_loses_the_person_s_objects_and_the_replies_to_them(tmp_path):
    page = {
        "data": [
            {"id": "t1", "author_id": "u9", "text": "fatal"},
            {"id": "t2", "author_id": "brand", "in_reply_to_user_id": "u9", "conversation_id": "t1", "text": "sorry"},
            {"id": "t3", "author_id": "u5", "text": "ok"},
        ],
        "includes": {"users": [{"id": "u9", "username": "ana"}, {"id": "u5", "username": "luis"}]},
        "meta": {"result_count": 3},
    }
    folder = _cut_folder(tmp_path, {"twitter/mentions/page_00001.json": json.dumps(page, indent=2).encode()}, "twitter:u9")
    cut = json.loads(_content(folder, "twitter/mentions/page_00001.json"))
    assert cut == {
        "data": [{"id": "t3", "author_id": "u5", "text": "ok"}],
        "includes": {"users": [{"id": "u5", "username": "luis"}]},
        "meta": {"result_count": 3},
    }


def test_an_unreadable_file_that_names_the_person_is_deleted_and_one_that_does_not_is_left(tmp_path):
    folder = _cut_folder(
        tmp_path,
        {"chat/sessions_2026-08-01.json": b'{"sessions": [{"visitor": "ana@example.com"', "chat/sessions_2026-08-02.json": b"{"},
        "email:ana@example.com",
    )
    assert [str(path) for path in folder.deleted] == ["chat/sessions_2026-08-01.json"]
    assert folder.rewritten == [] and folder.untouchable == {}
