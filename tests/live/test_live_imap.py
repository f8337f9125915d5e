"""The mailbox over IMAP against a real server (Dovecot with TLS, started for these tests): first run, resumed
run, nothing flagged or removed on the server, a UIDVALIDITY change, a refused login, an unverifiable
certificate, a missing folder, a stopped server. The ground truth is what the tests appended to the mailbox."""

from __future__ import annotations

import dataclasses
import imaplib
import json
import shutil
import ssl

import dovecot
import pytest


def _message(n: int, *, message_id: str | None = "default", body: str = "Tengo un problema con la factura.") -> bytes:
    headers = [
        f"Message-ID: <{f'm{n}@cliente.example' if message_id == 'default' else message_id}>" if message_id else None,
        f"From: Cliente {n} <cliente{n}@example.com>",
        "To: soporte@albaconnect.example",
        f"Date: Mon, 23 Nov 2026 10:{n % 60:02d}:00 +0100",
        "Subject: =?utf-8?q?Reclamaci=C3=B3n?=",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    return ("\r\n".join(line for line in headers if line) + "\r\n\r\n" + body + "\r\n").encode()


@pytest.fixture
def imap(landing_database, monkeypatch):
    """(settings with fast retries, an appending client, the server, the connection's JSON)."""
    own, drop = landing_database
    process, box, folder = dovecot.start()
    connection = {
        "conn_type": "imap",
        "host": box.host,
        "port": box.port,
        "login": box.user,
        "password": box.password,
        "extra": {"folders": ["INBOX", "Quejas"], "ca_file": str(box.ca_file)},
    }
    monkeypatch.setenv("AIRFLOW_CONN_VOC_IMAP", json.dumps(connection))
    client = None
    try:  # the server stops whatever fails once it started
        client = imaplib.IMAP4_SSL(box.host, box.port, ssl_context=ssl.create_default_context(cafile=str(box.ca_file)))
        client.login(box.user, box.password)
        client.create("Quejas")
        yield (
            dataclasses.replace(own, live_retries=2, live_backoff_seconds=0.01, live_timeout_seconds=5),
            client,
            process,
            connection,
        )
    finally:
        try:
            if client is not None:
                client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


def _land(settings):
    from voc.landing import land_stream

    return land_stream("email.imap", settings)


def _raw(settings):
    from voc import warehouse

    with warehouse.connect(settings) as conn:
        messages = dict(conn.execute("select record_key, payload from raw.email_messages").fetchall())
        quarantined = conn.execute("select source_ref, reason from raw.quarantine where channel = 'email'").fetchall()
        cursor = conn.execute("select cursor_value from audit.channel_cursors where channel = 'email.imap'").fetchone()
    return messages, quarantined, json.loads(cursor[0]) if cursor else None


def _flags(client, folder: str) -> list[bytes]:
    client.select(folder, readonly=True)
    status, answer = client.fetch("1:*", "(FLAGS)")
    return [item for item in answer if item]


def test_the_mailbox_lands_page_by_page_resumes_and_is_left_as_it_was(imap):
    settings, client, _, _ = imap
    appended = {}
    for n in range(130):
        body = "From here on I will write to you every day.\nGracias." if n == 7 else "Tengo un problema con la factura."
        if n == 20:
            client.append("INBOX", None, None, _message(n, message_id=None))  # no Message-ID: quarantined
            continue
        if n == 21:
            client.append("INBOX", None, None, _message(n, message_id="m3@cliente.example"))  # a repeat of m3
            continue
        client.append("INBOX", None, None, _message(n, body=body))
        appended[f"m{n}@cliente.example"] = n
    for n in range(200, 205):
        client.append("Quejas", None, None, _message(n))
        appended[f"m{n}@cliente.example"] = n
    flags_before = _flags(client, "INBOX") + _flags(client, "Quejas")

    first = _land(settings)
    messages, quarantined, cursor = _raw(settings)
    assert set(messages) == set(appended) and len(messages) == 128 + 5
    assert len(quarantined) == 1 and quarantined[0][1] == "missing Message-ID header"
    assert first.files == 3  # INBOX in pages of 100 and 30, Quejas in one
    assert cursor["INBOX"]["last_uid"] == 130 and cursor["Quejas"]["last_uid"] == 5
    assert messages["m7@cliente.example"]["body"].startswith("From here on")  # mboxrd quoting undone
    assert messages["m1@cliente.example"]["headers"]["Subject"] == "Reclamación"
    assert _flags(client, "INBOX") + _flags(client, "Quejas") == flags_before, "the server's messages were changed"
    assert all(b"\\Seen" not in item for item in flags_before)

    assert _land(settings).received == 0
    for n in range(300, 303):
        client.append("INBOX", None, None, _message(n))
    later = _land(settings)
    assert later.inserted == 3 and _raw(settings)[2]["INBOX"]["last_uid"] == 133


def test_a_new_uidvalidity_reads_the_folder_again_and_lands_nothing_twice(imap):
    settings, client, _, _ = imap
    for n in range(200, 205):
        client.append("Quejas", None, None, _message(n))
    _land(settings)
    before = _raw(settings)[2]["Quejas"]

    client.select("INBOX")
    client.delete("Quejas")  # the folder is recreated: its UIDs start again under a new UIDVALIDITY
    client.create("Quejas")
    for n in range(200, 207):
        client.append("Quejas", None, None, _message(n))
    again = _land(settings)
    messages, _, cursor = _raw(settings)
    assert cursor["Quejas"]["uidvalidity"] != before["uidvalidity"] and cursor["Quejas"]["last_uid"] == 7
    assert (again.received, again.inserted, again.updated) == (7, 2, 0)
    assert len(messages) == 7


def test_a_refused_login_an_unverifiable_certificate_and_a_missing_folder_are_named(imap, monkeypatch):
    from voc.channels.live import LiveSourceError

    settings, _, _, connection = imap
    monkeypatch.setenv("AIRFLOW_CONN_VOC_IMAP", json.dumps(connection | {"password": "wrong-password-123"}))
    with pytest.raises(LiveSourceError, match="refused the login of connection voc_imap") as refused:
        _land(settings)
    assert "wrong-password" not in str(refused.value)

    monkeypatch.setenv("AIRFLOW_CONN_VOC_IMAP", json.dumps(connection | {"extra": {"folders": ["INBOX"]}}))
    with pytest.raises(LiveSourceError, match="certificate could not be verified.*extra.ca_file"):
        _land(settings)

    monkeypatch.setenv("AIRFLOW_CONN_VOC_IMAP", json.dumps(connection | {"extra": connection["extra"] | {"folders": ["Nada"]}}))
    with pytest.raises(LiveSourceError, match="the folder 'Nada' cannot be opened"):
        _land(settings)


def test_a_stopped_server_fails_the_run_after_the_retries(imap):
    from voc.channels.live import LiveSourceError

    settings, _, process, _ = imap
    process.terminate()
    process.wait(10)
    with pytest.raises(LiveSourceError, match=r"email\.imap \(127\.0\.0\.1\): cannot reach the server \(\w+\), 3 attempts"):
        _land(settings)
