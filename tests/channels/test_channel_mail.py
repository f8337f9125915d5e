"""email channel: mbox messages, decoded headers and bodies, quarantine of unreadable messages."""

from __future__ import annotations

from folder_reading import read_after
from voc.channels import mail
from voc.settings import Settings


def test_an_inbound_message_payload(settings: Settings) -> None:
    message = read_after(mail.CHANNEL, None, settings).records[0]

    assert message.key == "root-1@mail.example"
    assert message.payload["message_id"] == "root-1@mail.example"
    assert message.payload["headers"]["From"] == "José García <cliente1@mail.example>"
    assert message.payload["headers"]["Message-ID"] == "<root-1@mail.example>"
    assert message.payload["headers"]["Date"] == "Mon, 03 Aug 2026 09:15:02 +0200"
    assert message.payload["headers"]["Content-Language"] == "es"
    # mboxrd: the ">From" of the file is the body's "From"
    assert message.payload["body"] == (
        "Hola, me han cobrado dos veces la factura de julio.\nFrom mi banco me dicen que es un error vuestro.\n"
    )


def test_an_agent_reply_keeps_threading_headers_and_its_plain_text_part(settings: Settings) -> None:
    reply = read_after(mail.CHANNEL, None, settings).records[1]

    headers = reply.payload["headers"]
    assert headers["In-Reply-To"] == "<root-1@mail.example>"
    assert headers["References"] == "<root-1@mail.example>"
    assert headers["X-Disposition-Code"] == "CMP-BILLING"
    assert reply.payload["body"] == "Le devolvemos el importe en 48 h. Disculpe las molestias, José."


def test_repeated_headers_are_joined(settings: Settings) -> None:
    message = read_after(mail.CHANNEL, "mailbox_2026-08-03.mbox", settings).records[0]

    assert message.payload["headers"]["Received"] == "from mx1.example by mx2.example, from client.example by mx1.example"


def test_a_quarantined_message_keeps_its_bytes(settings: Settings) -> None:
    rejected = read_after(mail.CHANNEL, None, settings).rejected[0]

    assert rejected.original.startswith(b"From: cliente2@mail.example\n")
    assert rejected.original.rstrip().endswith(b"Este mensaje no tiene Message-ID.")


def write_mailbox(folder, *messages: bytes) -> None:
    (folder / "email").mkdir()
    body = b"".join(b"From someone@mail.example Mon Aug 10 08:00:00 2026\n" + message + b"\n" for message in messages)
    (folder / "email" / "mailbox_2026-08-10.mbox").write_bytes(body)


HEADERS = b"From: a@mail.example\nMessage-ID: <m-1@mail.example>\nDate: Mon, 10 Aug 2026 10:00:00 +0200\n"


def test_a_message_without_a_plain_text_part_lands_with_an_empty_body(drop_folder) -> None:
    folder, settings = drop_folder
    write_mailbox(folder, HEADERS + b"Content-Type: text/html; charset=utf-8\n\n<p>Hola</p>\n")

    (record,) = read_after(mail.CHANNEL, None, settings).records

    assert record.payload["body"] == ""


def test_an_unknown_charset_and_an_undecodable_header_are_quarantined(drop_folder) -> None:
    folder, settings = drop_folder
    write_mailbox(
        folder,
        HEADERS + b"Content-Type: text/plain; charset=x-klingon\n\nbody\n",
        HEADERS.replace(b"m-1", b"m-2") + "Subject: Factura errónea\n\nbody\n".encode("latin-1"),
    )

    page = read_after(mail.CHANNEL, None, settings)

    assert page.records == []
    assert [rejected.reason for rejected in page.rejected] == [
        "body declares an unknown charset 'x-klingon'",
        "the header block is not valid UTF-8 at byte offset 110 (0xf3); the source must export UTF-8",
    ]


def test_a_repeated_message_id_keys_the_message_by_the_first(drop_folder) -> None:
    folder, settings = drop_folder
    write_mailbox(folder, HEADERS + b"Message-ID: <m-9@mail.example>\n\nbody\n")

    (record,) = read_after(mail.CHANNEL, None, settings).records

    assert record.key == "m-1@mail.example"
    assert record.payload["headers"]["Message-ID"] == "<m-1@mail.example>, <m-9@mail.example>"


def test_mbox_messages_are_the_bytes_the_standard_library_gives(settings: Settings, tmp_path) -> None:
    """The streaming splitter against mailbox.mbox on every fixture and on the edge cases of the format."""
    import mailbox

    edge = tmp_path / "edge.mbox"
    edge.write_bytes(
        b"From a Mon Aug  3 09:00:00 2026\nSubject: one\n\nbody\n\n"
        b"From b Mon Aug  3 09:00:00 2026\nSubject: two, no blank line before the next\nbody\n"
        b"From c Mon Aug  3 09:00:00 2026\nSubject: three\n\n>From quoted\n\n\n"
        b"From d Mon Aug  3 09:00:00 2026\r\nSubject: crlf\r\n\r\nbody\r\n\r\n"
        b"From e Mon Aug  3 09:00:00 2026\nSubject: last, no final newline\n\nbody"
    )
    paths = [*sorted((settings.sample_dir / "email").glob("*.mbox")), edge]
    for path in paths:
        box = mailbox.mbox(path, create=False)
        try:
            expected = [box.get_bytes(key) for key in box.keys()]
        finally:
            box.close()
        assert list(mail.mbox_messages(path)) == expected, path.name
    assert len(list(mail.mbox_messages(edge))) == 5


HOSTILE = (
    b"From x Mon Aug  3 09:00:00 2026\n"
    b"From: =?utf-8?q?Jos=C3=A9_Garc=C3=ADa?= <jose@mail.example> (casa)\n"
    b"To: undisclosed-recipients:;\n"
    b'Cc: "Soporte, Alba" <soporte@albaconnect.example>, ana@mail.example\n'
    b"Subject: =?iso-8859-1?q?Factura_err=F3nea?= y\n  plegada en dos l\xc3\xadneas\n"
    b"Message-ID: <h-1@mail.example>\n"
    b"Date: 3 Aug 2026 09:15 +0200\n"
    b'Content-Type: multipart/alternative; boundary="b1"\n\n'
    b"--b1\nContent-Type: text/html; charset=utf-8\n\n<p>Hola</p>\n"
    b'--b1\nContent-Type: text/plain; charset="ISO-8859-1"\nContent-Transfer-Encoding: quoted-printable\n\n'
    b"Hola, la factura est=E1 mal.\n--b1--\n\n"
    b"From y Mon Aug  3 09:00:00 2026\n"
    b"From: <<broken@@address\n"
    b"Message-ID: <h-2@mail.example>\n"
    b"Date: Mon, 03 Aug 2026 09:15:02 +0200 (CEST)\n"
    b"Content-Type: text/plain; charset=utf-8\n\nbody\n\n"
    b"From z Mon Aug  3 09:00:00 2026\n"
    b"From: ana@mail.example\n"
    b"Message-ID: <h-3@mail.example>\n"
    b"Date: Mon, 03 Aug 2026 09:15:02 +0200\n"
    b"Content-Type: text/plain; charset=utf-8\n"
    b"Content-Type: text/plain; charset=latin-1\n\nbody\n"
)


def test_payloads_are_exactly_what_the_default_email_policy_gives(tmp_path, monkeypatch) -> None:
    """The reader remembers parsed headers (mail.POLICY); every unit of a sample mailbox, of the fixtures and of
    hostile messages is the same, byte for byte, as when it is read with ``email.policy.default`` itself."""
    import email.policy
    from datetime import UTC, datetime
    from pathlib import Path

    from voc.sample import generate

    generate(tmp_path / "sample", seed=3, end=datetime(2026, 11, 20, tzinfo=UTC), months=1, scale=0.3)
    hostile = tmp_path / "hostile.mbox"
    hostile.write_bytes(HOSTILE)
    fixtures = Path(__file__).parent / "fixtures" / "email"
    paths = [*sorted((tmp_path / "sample" / "email").glob("*.mbox")), *sorted(fixtures.glob("*.mbox")), hostile]

    def units(path):
        return list(mail.read(path, path.name))  # records and rejected units compare field by field

    remembered = [units(path) for path in paths]
    monkeypatch.setattr(mail, "POLICY", email.policy.default)
    mail._header.cache_clear()
    assert [units(path) for path in paths] == remembered
    assert sum(len(found) for found in remembered) > 200
    assert {type(unit).__name__ for found in remembered for unit in found} == {"RawRecord", "Rejected"}
