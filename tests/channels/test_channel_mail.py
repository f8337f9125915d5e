"""email channel: mbox messages, decoded headers and bodies, quarantine of unreadable messages."""

from __future__ import annotations

from voc.channels import mail
from voc.settings import Settings


def test_an_inbound_message_payload(settings: Settings) -> None:
    message = mail.fetch(None, settings).records[0]

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
    reply = mail.fetch(None, settings).records[1]

    headers = reply.payload["headers"]
    assert headers["In-Reply-To"] == "<root-1@mail.example>"
    assert headers["References"] == "<root-1@mail.example>"
    assert headers["X-Disposition-Code"] == "CMP-BILLING"
    assert reply.payload["body"] == "Le devolvemos el importe en 48 h. Disculpe las molestias, José."


def test_repeated_headers_are_joined(settings: Settings) -> None:
    message = mail.fetch("mailbox_2026-08-03.mbox", settings).records[0]

    assert message.payload["headers"]["Received"] == "from mx1.example by mx2.example, from client.example by mx1.example"


def test_a_quarantined_message_keeps_its_bytes(settings: Settings) -> None:
    rejected = mail.fetch(None, settings).rejected[0]

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

    (record,) = mail.fetch(None, settings).records

    assert record.payload["body"] == ""


def test_an_unknown_charset_and_an_undecodable_header_are_quarantined(drop_folder) -> None:
    folder, settings = drop_folder
    write_mailbox(
        folder,
        HEADERS + b"Content-Type: text/plain; charset=x-klingon\n\nbody\n",
        HEADERS.replace(b"m-1", b"m-2") + "Subject: Factura errónea\n\nbody\n".encode("latin-1"),
    )

    page = mail.fetch(None, settings)

    assert page.records == []
    assert [rejected.reason for rejected in page.rejected] == [
        "body declares an unknown charset 'x-klingon'",
        "the header block is not valid UTF-8 at byte offset 110 (0xf3); the source must export UTF-8",
    ]


def test_a_repeated_message_id_keys_the_message_by_the_first(drop_folder) -> None:
    folder, settings = drop_folder
    write_mailbox(folder, HEADERS + b"Message-ID: <m-9@mail.example>\n\nbody\n")

    (record,) = mail.fetch(None, settings).records

    assert record.key == "m-1@mail.example"
    assert record.payload["headers"]["Message-ID"] == "<m-1@mail.example>, <m-9@mail.example>"
