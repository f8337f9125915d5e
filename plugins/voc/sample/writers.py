"""One writer per source format: bytes exactly as the source would deliver them.

Writers return bytes (or lists of per-unit bytes) so that the generator can place faulty units at known lines and
indexes before anything touches the disk.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from typing import Any
from xml.sax.saxutils import escape, quoteattr

# --- CSV -----------------------------------------------------------------------------------------------------------


def csv_line(values: Sequence[str]) -> str:
    """One CSV record with its ``\\n`` line end (fields quoted only where needed)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def csv_lines(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[bytes]:
    """The header and rows of a UTF-8 CSV export, one bytes item per physical line."""
    return [csv_line(header).encode("utf-8")] + [csv_line(row).encode("utf-8") for row in rows]


# --- mbox ----------------------------------------------------------------------------------------------------------

MBOXRD_FROM = re.compile(rb"^(>*From )", re.MULTILINE)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class MailMessage:
    """One message of the support mailbox."""

    message_id: str | None  # with <>; None for a message that lost it
    date: datetime | None
    sender: str  # "Name <address>"
    sender_address: str
    recipient: str
    subject: str
    body: str
    language: str
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    disposition_code: str | None = None


def mail_bytes(message: MailMessage) -> bytes:
    """The RFC 5322 message: ASCII headers (RFC 2047 words where needed), UTF-8 body sent 8bit, ``\\n`` line ends."""
    headers: list[tuple[str, str]] = []
    if message.message_id is not None:
        headers.append(("Message-ID", message.message_id))
    if message.date is not None:
        headers.append(("Date", format_datetime(message.date.astimezone(UTC))))
    headers.append(("From", _address(message.sender)))
    headers.append(("To", _address(message.recipient)))
    headers.append(("Subject", _encoded(message.subject, "Subject")))
    if message.in_reply_to:
        headers.append(("In-Reply-To", message.in_reply_to))
    if message.references:
        headers.append(("References", "\n ".join(message.references)))
    headers.append(("Content-Language", message.language))
    if message.disposition_code:
        headers.append(("X-Disposition-Code", message.disposition_code))
    headers += [
        ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("Content-Transfer-Encoding", "8bit"),
    ]
    head = "".join(f"{name}: {value}\n" for name, value in headers)
    body = message.body if message.body.endswith("\n") else message.body + "\n"
    return head.encode("ascii") + b"\n" + body.encode("utf-8")


def _encoded(value: str, name: str) -> str:
    """An unstructured header value; non-ASCII text as RFC 2047 encoded words, folded."""
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep="\n")


def _address(value: str) -> str:
    """``Name <address>`` with a non-ASCII name as an RFC 2047 encoded word."""
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if name else address


def mbox_entry(message: MailMessage, fallback_date: datetime) -> bytes:
    """The message as one mboxrd entry: ``From `` separator line, quoted ``From `` lines, blank line after."""
    when = (message.date or fallback_date).astimezone(UTC)
    separator = (
        f"From {message.sender_address} {WEEKDAYS[when.weekday()]} {MONTHS[when.month - 1]} "
        f"{when.day:2d} {when:%H:%M:%S} {when.year}\n"
    )
    body = MBOXRD_FROM.sub(rb">\1", mail_bytes(message))
    if not body.endswith(b"\n"):
        body += b"\n"
    return separator.encode("ascii") + body + b"\n"


# --- JSON ----------------------------------------------------------------------------------------------------------


def json_document(value: Any, *, pretty: bool = False) -> bytes:
    if pretty:
        return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def truncated(content: bytes, fraction: float) -> bytes:
    """The first ``fraction`` of ``content``, cut on a character boundary (a delivery that broke off)."""
    text = content.decode("utf-8")
    return text[: max(1, int(len(text) * fraction))].encode("utf-8")


# --- feeds ---------------------------------------------------------------------------------------------------------


@dataclass
class FeedItem:
    title: str
    summary: str
    link: str | None
    guid: str | None  # RSS guid / Atom id
    published: datetime | None
    author: str
    published_text: str | None = None  # a date as a broken feed writes it, instead of ``published``


@dataclass(frozen=True)
class FeedSource:
    name: str  # file prefix
    title: str
    site: str
    language: str
    format: str  # "rss20" | "atom10"


def feed_document(source: FeedSource, items: Sequence[FeedItem], built_at: datetime) -> bytes:
    """An RSS 2.0 or Atom 1.0 snapshot of ``source`` holding ``items`` (newest first)."""
    if source.format == "rss20":
        return _rss(source, items, built_at)
    return _atom(source, items, built_at)


def _rss(source: FeedSource, items: Sequence[FeedItem], built_at: datetime) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">',
        "<channel>",
        f"<title>{escape(source.title)}</title>",
        f"<link>{escape(source.site)}</link>",
        f"<description>{escape(source.title)}</description>",
        f"<language>{source.language}</language>",
        f"<lastBuildDate>{format_datetime(built_at.astimezone(UTC), usegmt=True)}</lastBuildDate>",
    ]
    for item in items:
        parts = [f"<title>{escape(item.title)}</title>"]
        if item.link:
            parts.append(f"<link>{escape(item.link)}</link>")
        if item.guid:
            parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        when = item.published_text or format_datetime(item.published.astimezone(UTC), usegmt=True)
        parts.append(f"<pubDate>{escape(when)}</pubDate>")
        parts.append(f"<dc:creator>{escape(item.author)}</dc:creator>")
        parts.append(f"<description>{escape(item.summary)}</description>")
        lines.append("<item>" + "".join(parts) + "</item>")
    lines += ["</channel>", "</rss>", ""]
    return "\n".join(lines).encode("utf-8")


def _atom(source: FeedSource, items: Sequence[FeedItem], built_at: datetime) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{source.language}">',
        f"<title>{escape(source.title)}</title>",
        f"<id>{escape(source.site)}</id>",
        f"<updated>{built_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}</updated>",
        f"<link href={quoteattr(source.site)}/>",
    ]
    for item in items:
        parts = [f"<title>{escape(item.title)}</title>"]
        if item.guid:
            parts.append(f"<id>{escape(item.guid)}</id>")
        if item.link:
            parts.append(f"<link href={quoteattr(item.link)}/>")
        when = item.published_text or f"{item.published.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
        parts.append(f"<published>{escape(when)}</published>")
        parts.append(f"<updated>{escape(when)}</updated>")
        parts.append(f"<author><name>{escape(item.author)}</name></author>")
        parts.append(f"<summary>{escape(item.summary)}</summary>")
        lines.append("<entry>" + "".join(parts) + "</entry>")
    lines += ["</feed>", ""]
    return "\n".join(lines).encode("utf-8")
