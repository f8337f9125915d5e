"""email: the support mailbox's daily mbox export (channel name "email").

Drop folder ``email/mailbox_YYYY-MM-DD.mbox`` (mboxrd): the day's inbound and outbound messages. Each message lands
in ``raw.email_messages`` keyed by its ``Message-ID`` without ``<>``; payload ``{"message_id", "headers", "body"}``
with every header as one string decoded by Python's ``email`` package (repeated headers joined by ``", "``) and the
decoded text/plain body (``""`` when the message has none).

This module is named ``mail`` so that it never shadows the standard library's ``email`` package.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from voc.channels.base import Channel, DropFolder, RawRecord, Rejected, Unit, accept, utf8_error

NAME = "email"
ENTITY = "messages"
PATTERN = "mailbox_*.mbox"
# mboxrd escapes body lines matching ">*From " with one more ">"; reading removes it again.
MBOXRD_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


def read(path: Path, file_ref: str) -> Iterator[Unit]:
    """A daily mailbox, message by message (one message in memory at a time).

    Every message becomes a record, or a rejected unit (``email/<file>#<index>``, the message's bytes as the
    original) when it has no ``Message-ID`` or no parseable ``Date``, its headers are not UTF-8, or its body cannot
    be decoded with its declared charset.
    """
    with path.open("rb") as handle:
        start = handle.read(4096).lstrip()
    if start and not start.startswith(b"From "):
        # mailbox.mbox would silently skip whatever precedes the first "From " line.
        yield Rejected(ENTITY, file_ref, "not an mbox file: it does not start with a 'From ' line", path.read_bytes())
        return
    for index, message in enumerate(mbox_messages(path)):
        yield _read_message(message, f"{file_ref}#{index}")


def mbox_messages(path: Path) -> Iterator[bytes]:
    """The messages of an mbox file, one at a time, byte for byte what ``mailbox.mbox(path).get_bytes(key)`` gives.

    ``mailbox.mbox`` indexes the whole file before the first message (a table of every message's offsets); this
    reads line by line with the same rules: a message starts at a line beginning with ``From ``, which is not part
    of it, and the blank line that separates it from the next one is not part of it either.
    """
    lines: list[bytes] | None = None
    with path.open("rb") as handle:
        for line in handle:
            if line.startswith(b"From "):
                if lines is not None:
                    yield _message(lines)
                lines = []
            elif lines is not None:
                lines.append(line)
    if lines is not None:
        yield _message(lines)


def _message(lines: list[bytes]) -> bytes:
    if lines and lines[-1] == b"\n":
        lines[-1] = b""
    return b"".join(lines)


def _read_message(original: bytes, source_ref: str) -> RawRecord | Rejected:
    header_block = re.split(rb"\r?\n\r?\n", original, maxsplit=1)[0]
    reason = utf8_error(header_block, "the header block")
    if reason:
        return Rejected(ENTITY, source_ref, reason, original)
    message = email.message_from_bytes(MBOXRD_QUOTED_FROM.sub(rb"\1", original), policy=email.policy.default)
    try:
        headers, first = _headers(message)
    except UnreadableHeader as error:
        return Rejected(ENTITY, source_ref, str(error), original)

    message_id = first.get("message-id", "").strip().removeprefix("<").removesuffix(">").strip()
    if not message_id:
        return Rejected(ENTITY, source_ref, "missing Message-ID header", original)
    date = first.get("date", "").strip()
    if not date:
        return Rejected(ENTITY, source_ref, "missing Date header", original)
    try:
        email.utils.parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return Rejected(ENTITY, source_ref, f"unparseable Date header {date[:60]!r}", original)

    body_part = message.get_body(preferencelist=("plain",))
    body = ""
    if body_part is not None:
        try:
            body = body_part.get_content(errors="strict")
        except LookupError:
            return Rejected(ENTITY, source_ref, f"body declares an unknown charset {body_part.get_content_charset()!r}", original)
        except UnicodeDecodeError as error:
            return Rejected(
                ENTITY,
                source_ref,
                f"body is not valid {error.encoding} (its declared charset) at byte offset {error.start}",
                original,
            )
    payload = {"message_id": message_id, "headers": headers, "body": body}
    return accept(ENTITY, message_id, payload, source_ref, original)


class UnreadableHeader(ValueError):
    """A header the email package cannot decode."""


def _headers(message: email.message.EmailMessage) -> tuple[dict[str, Any], dict[str, str]]:
    """The payload's headers: one string per name (first spelling kept), repeats joined by ", ".

    Also returns each header's first value by lower-case name (the key and the date come from the first one).
    """
    values: dict[str, list[str]] = {}
    spelling: dict[str, str] = {}
    for name, raw in message.raw_items():
        try:
            value = str(message.policy.header_fetch_parse(name, raw))
        except Exception as error:  # the email package raises assorted errors on malformed structured headers
            # the error's text may quote the header (addresses): name the header and the error type only
            raise UnreadableHeader(f"unreadable {name} header ({type(error).__name__})") from error
        folded = name.lower()
        spelling.setdefault(folded, name)
        values.setdefault(folded, []).append(value)
    joined = {spelling[folded]: ", ".join(parts) for folded, parts in values.items()}
    return joined, {folded: parts[0] for folded, parts in values.items()}


CHANNEL = Channel(
    name=NAME,
    title="Email",
    entities={ENTITY: "email_messages"},
    folder=DropFolder(PATTERN, read),
    description="Support mailbox export (mbox): inbound customer messages and the agents' replies.",
)
