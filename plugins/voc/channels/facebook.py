"""facebook: the brand page's feed as Graph API response pages.

Drop folder ``facebook/feed/page_NNNNN.json``: responses of ``GET /{page-id}/feed`` with the posts' comments
nested. Each post lands in ``raw.facebook_posts`` keyed by ``id``, its payload the post object as given.
"""

from __future__ import annotations

from pathlib import Path

from voc.channels.base import (
    Channel,
    Page,
    RawRecord,
    Rejected,
    fetch_next_file,
    load_json_file,
    read_json_object,
    sort_out,
)
from voc.settings import Settings

NAME = "facebook"
ENTITY = "posts"
PATTERN = "feed/page_*.json"


def fetch(cursor: str | None, settings: Settings) -> Page:
    """Read the next feed page after ``cursor`` (``feed/page_NNNNN.json``).

    A page that is not valid JSON is rejected whole; a post without ``id`` is rejected alone
    (``facebook/feed/<page>#<index>``, its JSON as the original).
    """
    return fetch_next_file(NAME, settings, PATTERN, cursor, _read)


def _read(path: Path, file_ref: str) -> tuple[list[RawRecord], list[Rejected]]:
    data = path.read_bytes()
    document, reason = load_json_file(data)
    if reason is None and not (isinstance(document, dict) and isinstance(document.get("data", []), list)):
        reason = "expected a Graph API response: a JSON object with a 'data' list"
    if reason is not None:
        return [], [Rejected(ENTITY, file_ref, reason, data)]
    return sort_out(_read_post(post, f"{file_ref}#{index}") for index, post in enumerate(document.get("data", [])))


def _read_post(post: object, source_ref: str) -> RawRecord | Rejected:
    return read_json_object(post, source_ref, entity=ENTITY, noun="post")


CHANNEL = Channel(
    name=NAME,
    title="Facebook page",
    entities={ENTITY: "facebook_posts"},
    fetch=fetch,
    description="Graph API page feed: the page's posts with their comment threads nested.",
)
