"""web: daily snapshots of blog and alert feeds (RSS 2.0 and Atom 1.0) that mention the brand.

Drop folder ``web/<source>_YYYY-MM-DD.xml``. Each item/entry lands in ``raw.web_mentions`` keyed by its ``id``
(Atom) / ``guid`` (RSS), else its ``link``; payload ``{"feed_title", "feed_format", "id", "link", "title",
"summary", "author", "published", "language"}`` as parsed by feedparser (``published`` as the feed wrote it, the
entry's ``updated`` when it has no ``published``). A snapshot repeats items of earlier days; the key deduplicates.

Files are read in date order, then by source (``2026-08-03`` of every source before ``2026-08-04`` of any), so
the latest snapshot of an item is the one that stays.

Live (``streams(settings)``): each feed of ``VOC_WEB_FEEDS`` (``name=url``) is fetched over HTTP with a conditional
GET (``If-None-Match`` / ``If-Modified-Since`` from its cursor: a 304 lands nothing and keeps the cursor), a timeout,
at most 5 redirects, and at most ``MAX_SNAPSHOT_BYTES``; each snapshot is kept as
``web/<name>_<YYYY-MM-DD>T<HHMMSSffffff>Z.xml`` and read like a dropped one, so a broken feed is quarantined whole
with the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.parsers import expat

import feedparser

from voc.channels.base import Channel, DropFolder, RawRecord, Rejected, Unit, accept
from voc.channels.live import Fetched, LiveSourceError, LiveStream, Retryable, with_retries
from voc.settings import Settings

NAME = "web"
ENTITY = "mentions"
PATTERN = "*.xml"
SNAPSHOT_DATE = re.compile(r"_(\d{4}-\d{2}-\d{2})(T\d{12}Z)?\.xml$")
ITEM_PARENTS = {"item": {"channel", "RDF"}, "entry": {"feed"}}
MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024


def snapshot_order(relative: str) -> tuple[str, str, str]:
    """Sort key of a snapshot file: its date first, then the time a live fetch took it, then its path."""
    match = SNAPSHOT_DATE.search(relative)
    return (match.group(1), match.group(2) or "", relative) if match else ("", "", relative)


def read(path: Path, file_ref: str) -> Iterator[Unit]:
    """A feed snapshot, item by item. feedparser reads a document whole, so a snapshot larger than
    ``MAX_SNAPSHOT_BYTES`` is rejected whole without being parsed.

    A file that is not well-formed XML or not a feed is rejected whole; an item with neither id/guid nor link, or
    without a parseable published/updated date, is rejected alone (``web/<file>#<index>``, its XML as the original).
    """
    size = path.stat().st_size
    if size > MAX_SNAPSHOT_BYTES:
        reason = f"feed snapshot of {size:,} bytes is larger than the {MAX_SNAPSHOT_BYTES:,} bytes a feed is read whole at"
        yield Rejected(ENTITY, file_ref, reason, path.read_bytes())
        return
    data = path.read_bytes()
    spans, reason = item_spans(data)
    if reason is not None:
        yield Rejected(ENTITY, file_ref, reason, data)
        return
    parsed = feedparser.parse(data)
    if parsed.version not in ("rss20", "atom10"):
        found = f"a {parsed.version!r} feed" if parsed.version else "no RSS or Atom feed"
        yield Rejected(ENTITY, file_ref, f"expected an RSS 2.0 or Atom 1.0 feed, found {found}", data)
        return
    if len(parsed.entries) != len(spans):
        reason = f"feedparser read {len(parsed.entries)} items but the XML holds {len(spans)} item/entry elements"
        yield Rejected(ENTITY, file_ref, reason, data)
        return
    feed = {"feed_title": parsed.feed.get("title"), "feed_format": parsed.version, "language": parsed.feed.get("language")}
    for index, (entry, (start, end)) in enumerate(zip(parsed.entries, spans, strict=True)):
        yield _read_entry(entry, feed, f"{file_ref}#{index}", data[start:end])


def _read_entry(entry: Any, feed: dict[str, Any], source_ref: str, original: bytes) -> RawRecord | Rejected:
    key = entry.get("id") or entry.get("link")
    if not key:
        return Rejected(ENTITY, source_ref, "item has neither id/guid nor link", original)
    if entry.get("published"):
        published, parsed_date, field = entry.get("published"), entry.get("published_parsed"), "published"
    else:
        published, parsed_date, field = entry.get("updated"), entry.get("updated_parsed"), "updated"
    if not published:
        return Rejected(ENTITY, source_ref, "item has no published or updated date", original)
    if parsed_date is None:
        return Rejected(ENTITY, source_ref, f"unparseable {field} date {published[:60]!r}", original)
    payload = {
        "feed_title": feed["feed_title"],
        "feed_format": feed["feed_format"],
        "id": entry.get("id"),
        "link": entry.get("link"),
        "title": entry.get("title"),
        "summary": entry.get("summary"),
        "author": entry.get("author"),
        "published": published,
        "language": _language(entry) or feed["language"],
    }
    return accept(ENTITY, key, payload, source_ref, original)


def _language(entry: Any) -> str | None:
    """The entry's own language (xml:lang, dc:language), if it states one."""
    for detail in ("title_detail", "summary_detail"):
        language = (entry.get(detail) or {}).get("language")
        if language:
            return language
    return entry.get("language")


def item_spans(data: bytes) -> tuple[list[tuple[int, int]], str | None]:
    """Byte ranges of the feed's items (RSS ``item``) / entries (Atom ``entry``), in document order.

    Returns the spans, or an empty list and why the file is not well-formed XML.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    stack: list[str] = []
    open_items: list[int] = []
    spans: list[tuple[int, int]] = []

    def start(name: str, _attributes: dict[str, str]) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local in ITEM_PARENTS and stack and stack[-1] in ITEM_PARENTS[local] and not open_items:
            open_items.append(parser.CurrentByteIndex)
        elif open_items:
            open_items.append(-1)  # an element nested inside an item
        stack.append(local)

    def end(_name: str) -> None:
        local = stack.pop()
        if not open_items:
            return
        item_start = open_items.pop()
        if item_start >= 0:
            spans.append((item_start, _element_end(data, parser.CurrentByteIndex, local)))

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        kind = "truncated XML" if _is_prefix_of_xml(data) else "not well-formed XML"
        return [], f"{kind}: {expat.ErrorString(error.code)} at line {error.lineno} column {error.offset}"
    return spans, None


def _element_end(data: bytes, index: int, local: str) -> int:
    """End offset of an element whose end event expat reported at ``index``.

    expat reports a closing tag at its ``</``, and an empty element (``<item/>``) just after its ``/>``.
    """
    if data.startswith(b"</", index):
        close = data.index(b">", index)
        if data[index + 2 : close].strip().rsplit(b":", 1)[-1] == local.encode():
            return close + 1
    return index


def _is_prefix_of_xml(data: bytes) -> bool:
    """Whether ``data`` is well-formed as far as it goes, i.e. a document cut short."""
    parser = expat.ParserCreate()
    try:
        parser.Parse(data, False)
    except expat.ExpatError:
        return False
    return True


CHANNEL = Channel(
    name=NAME,
    title="Web mentions",
    entities={ENTITY: "web_mentions"},
    folder=DropFolder(PATTERN, read, order=snapshot_order),
    description="RSS 2.0 and Atom feeds of blogs and alerts: public mentions of the brand, one row per item.",
)


# --- live: feeds over HTTP ------------------------------------------------------------------------------------------

MAX_REDIRECTS = 5
USER_AGENT = "voc-quality/1 (+feed reader; conditional GET)"


def fetch_feed(name: str, url: str, cursor: str | None, settings: Settings) -> Fetched:
    """The feed's current snapshot, unless it has not changed since the cursor (``{"etag", "last_modified"}``)."""
    import requests

    state = json.loads(cursor) if cursor else {}
    what = f"web.{name} ({requests.utils.urlparse(url).netloc})"
    headers = {"User-Agent": USER_AGENT}
    if state.get("etag"):
        headers["If-None-Match"] = state["etag"]
    if state.get("last_modified"):
        headers["If-Modified-Since"] = state["last_modified"]
    session = requests.Session()
    session.max_redirects = MAX_REDIRECTS

    def attempt() -> Fetched:
        try:
            with session.get(url, headers=headers, timeout=settings.live_timeout_seconds, stream=True) as response:
                if response.status_code == 304:
                    return Fetched(None, None, cursor)
                if response.status_code >= 500 or response.status_code == 429:
                    raise Retryable(f"HTTP {response.status_code}")
                if response.status_code != 200:
                    raise LiveSourceError(f"{what}: HTTP {response.status_code} {response.reason}")
                content = _body(response, what)
        except requests.TooManyRedirects:
            raise LiveSourceError(f"{what}: more than {MAX_REDIRECTS} redirects") from None
        except (requests.ConnectionError, requests.Timeout) as error:
            raise Retryable(f"cannot reach the feed ({type(error).__name__})") from None
        after = {
            key: value
            for key, value in (("etag", response.headers.get("ETag")), ("last_modified", response.headers.get("Last-Modified")))
            if value
        }
        now = datetime.now(UTC)
        file_name = f"{name}_{now:%Y-%m-%d}T{now:%H%M%S%f}Z.xml"
        return Fetched(content, file_name, json.dumps(after) if after else None)

    # a 429 is retried like a 5xx; a broken feed is not retried: it is kept, and the reader quarantines it
    return with_retries(attempt, what=what, settings=settings)


def _body(response: Any, what: str) -> bytes:
    """The response body, refused beyond ``MAX_SNAPSHOT_BYTES`` without reading the rest."""
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_SNAPSHOT_BYTES:
            raise LiveSourceError(f"{what}: the feed is larger than {MAX_SNAPSHOT_BYTES:,} bytes; not read")
        chunks.append(chunk)
    return b"".join(chunks)


def streams(settings: Settings) -> tuple[LiveStream, ...]:
    """One live stream per configured feed (``VOC_WEB_FEEDS``)."""
    return tuple(
        LiveStream(
            name=f"{NAME}.{name}",
            channel=NAME,
            title=f"the web feed {name}",
            fetch=lambda cursor, current, name=name, url=url: fetch_feed(name, url, cursor, current),
        )
        for name, url in settings.web_feeds
    )
