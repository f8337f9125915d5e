"""email: the support mailbox's daily mbox export (channel name "email").

Drop folder ``email/mailbox_YYYY-MM-DD.mbox`` (mboxrd): the day's inbound and outbound messages. Each message lands
in ``raw.email_messages`` keyed by its ``Message-ID`` without ``<>``; payload ``{"message_id", "headers", "body"}``
with every header as one string decoded by Python's ``email`` package (repeated headers joined by ``", "``) and the
decoded text/plain body (``""`` when the message has none).

Live (``STREAMS``): the stream ``email.imap`` reads the support mailbox over IMAP with TLS (Airflow connection
``voc_imap``: host, port (993), login, password; ``extra`` ``{"folders": ["INBOX"], "tls": "implicit" |
"starttls", "ca_file": "<a CA bundle for a private certificate>"}``). Folders are opened read-only and messages
fetched with ``BODY.PEEK``: nothing on the server is deleted, moved or flagged. The cursor holds each folder's
``UIDVALIDITY`` and last UID; a new ``UIDVALIDITY`` reads the folder again from its first message, and the
``Message-ID`` keys keep anything from landing twice. Each page of up to ``IMAP_PAGE`` messages is kept as
``email/mailbox_<YYYY-MM-DD>T<HHMMSSffffff>Z_imap.mbox`` (mboxrd, LF line ends) and read like a dropped export.

This module is named ``mail`` so that it never shadows the standard library's ``email`` package.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import functools
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from voc.channels.base import Channel, DropFolder, RawRecord, Rejected, Unit, accept, utf8_error
from voc.channels.live import Fetched, LiveSourceError, LiveStream, Retryable, connection, with_retries
from voc.settings import Settings

NAME = "email"
ENTITY = "messages"
PATTERN = "mailbox_*.mbox"
# mboxrd escapes body lines matching ">*From " with one more ">"; reading removes it again.
MBOXRD_QUOTED_FROM = re.compile(rb"^>(>*From )", re.MULTILINE)


# Headers whose values repeat across a mailbox (content types, the organisation's own addresses): each distinct value
# is parsed once. Header objects keep their parse trees, so the cache is small and holds only these.
REPEATED_HEADERS = frozenset(
    {
        "content-type",
        "content-transfer-encoding",
        "content-disposition",
        "mime-version",
        "content-language",
        "from",
        "to",
        "cc",
        "reply-to",
        "x-disposition-code",
    }
)


@functools.lru_cache(maxsize=256)
def _header(name: str, value: str):
    return email.policy.default.header_fetch_parse(name, value)


class _RepeatedHeaders(email.policy.EmailPolicy):
    """``email.policy.default``, remembering the header objects it made for ``REPEATED_HEADERS``: the package parses
    a header each time it is read (``get_body`` reads each part's Content-Type several times) and a mailbox repeats
    those values. Same name and raw value, same (immutable) header object, so every value is exactly what
    ``email.policy.default`` gives; an unreadable header still raises."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name") or name.lower() not in REPEATED_HEADERS:
            return super().header_fetch_parse(name, value)
        return _header(name, value)


POLICY = _RepeatedHeaders()


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
    message = email.message_from_bytes(MBOXRD_QUOTED_FROM.sub(rb"\1", original), policy=POLICY)
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


# --- live: the mailbox over IMAP ---------------------------------------------------------------------------------

CONN_ID = "voc_imap"
IMAP_PAGE = 100
_MBOXRD_ESCAPE = re.compile(rb"^(>*From )", re.MULTILINE)


def to_mbox(messages: list[bytes], received: datetime) -> bytes:
    """Messages as an mboxrd file (what ``mbox_messages`` reads back byte for byte, line ends as LF)."""
    separator = f"From MAILER-DAEMON {received:%a %b %d %H:%M:%S %Y}\n".encode()
    parts = []
    for message in messages:
        text = _MBOXRD_ESCAPE.sub(rb">\1", message.replace(b"\r\n", b"\n"))
        parts.append(separator + text + (b"" if text.endswith(b"\n") else b"\n") + b"\n")
    return b"".join(parts)


def _open_imap(conn: Any, extra: dict[str, Any], settings: Settings) -> Any:
    import imaplib
    import ssl

    tls = extra.get("tls", "implicit")
    if tls not in ("implicit", "starttls"):
        raise LiveSourceError(f"connection {CONN_ID}: extra.tls is 'implicit' or 'starttls' (mail is never read in clear)")
    context = ssl.create_default_context(cafile=extra.get("ca_file"))
    host = conn.host or ""
    try:
        if tls == "implicit":
            client = imaplib.IMAP4_SSL(host, conn.port or 993, ssl_context=context, timeout=settings.live_timeout_seconds)
        else:
            client = imaplib.IMAP4(host, conn.port or 143, timeout=settings.live_timeout_seconds)
            client.starttls(context)
    except ssl.SSLCertVerificationError as error:
        raise LiveSourceError(
            f"email.imap ({host}): the server's certificate could not be verified ({error.verify_message}); "
            f"give connection {CONN_ID} extra.ca_file if it is a private one"
        ) from None
    except (OSError, imaplib.IMAP4.abort) as error:
        raise Retryable(f"cannot reach the server ({type(error).__name__})") from None
    try:
        client.login(conn.login or "", conn.password or "")
    except imaplib.IMAP4.error:
        client.shutdown()
        raise LiveSourceError(f"email.imap ({host}): the server refused the login of connection {CONN_ID}") from None
    return client


def fetch_imap(cursor: str | None, settings: Settings) -> Fetched:
    """Up to ``IMAP_PAGE`` new messages of the first folder that has any, after the cursor
    (``{folder: {"uidvalidity", "last_uid"}}``)."""
    import imaplib

    state: dict[str, dict[str, int]] = json.loads(cursor) if cursor else {}
    conn = connection(CONN_ID)
    extra = conn.extra_dejson
    folders = extra.get("folders") or ["INBOX"]
    what = f"email.imap ({conn.host})"

    def attempt() -> Fetched:
        client = _open_imap(conn, extra, settings)
        try:
            after = dict(state)
            for folder in folders:
                status, answer = client.select(_quoted(folder), readonly=True)
                if status != "OK":
                    raise LiveSourceError(f"{what}: the folder {folder!r} cannot be opened: {_text(answer)}")
                values = [value for value in client.response("UIDVALIDITY")[1] if value]
                if not values:
                    raise Retryable(f"the server gave no UIDVALIDITY for {folder!r}")
                validity = int(values[-1])
                known = state.get(folder, {})
                last = known.get("last_uid", 0) if known.get("uidvalidity") == validity else 0
                status, answer = client.uid("SEARCH", "UID", f"{last + 1}:*")
                uids = sorted(int(uid) for uid in (answer[0] or b"").split() if int(uid) > last)
                after[folder] = {"uidvalidity": validity, "last_uid": last}
                if not uids:
                    continue
                page = uids[:IMAP_PAGE]
                messages = _messages(client, page)
                after[folder] = {"uidvalidity": validity, "last_uid": page[-1]}
                now = datetime.now(UTC)
                name = f"mailbox_{now:%Y-%m-%d}T{now:%H%M%S%f}Z_imap.mbox"
                return Fetched(to_mbox(messages, now), name, json.dumps(after), has_more=True)
            return Fetched(None, None, json.dumps(after) if after else cursor)
        except (OSError, imaplib.IMAP4.abort) as error:
            raise Retryable(f"the connection broke ({type(error).__name__})") from None
        finally:
            try:
                client.logout()
            except (OSError, imaplib.IMAP4.error):
                pass

    return with_retries(attempt, what=what, settings=settings)


def _messages(client: Any, uids: list[int]) -> list[bytes]:
    """The messages' bytes, in UID order, read with BODY.PEEK (no \\Seen flag is set)."""
    status, answer = client.uid("FETCH", ",".join(map(str, uids)), "(UID BODY.PEEK[])")
    if status != "OK":
        raise Retryable(f"FETCH failed: {_text(answer)}")
    by_uid: dict[int, bytes] = {}
    for item in answer:
        if isinstance(item, tuple):
            found = re.search(rb"UID (\d+)", item[0])
            if found:
                by_uid[int(found.group(1))] = item[1]
    missing = [uid for uid in uids if uid not in by_uid]
    if missing:
        raise Retryable(f"the server did not return {len(missing)} of the messages asked for")
    return [by_uid[uid] for uid in uids]


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _text(answer: list[Any]) -> str:
    return " ".join(item.decode("utf-8", "replace") if isinstance(item, bytes) else str(item) for item in answer)[:200]


STREAMS = (
    LiveStream(
        name=f"{NAME}.imap",
        channel=NAME,
        title="the support mailbox over IMAP",
        fetch=fetch_imap,
        conn_id=CONN_ID,
    ),
)
