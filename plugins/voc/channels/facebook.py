"""facebook: the brand page's feed as Graph API response pages.

Drop folder ``facebook/feed/page_NNNNN.json``: responses of ``GET /{page-id}/feed`` with the posts' comments
nested. Each post lands in ``raw.facebook_posts`` keyed by ``id``, its payload the post object as given.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from voc.channels.base import Channel, DropFolder, Rejected, Unit, json_array_items, read_json_object, scan_json

NAME = "facebook"
ENTITY = "posts"
PATTERN = "feed/page_*.json"


def read(path: Path, file_ref: str) -> Iterator[Unit]:
    """A feed page (``feed/page_NNNNN.json``), streamed post by post.

    A page that is not valid JSON is rejected whole; a post without ``id`` is rejected alone
    (``facebook/feed/<page>#<index>``, its JSON as the original).
    """
    kinds, reason = scan_json(path, ("", "data"))
    if reason is None and (kinds.get("") != "object" or kinds.get("data", "array") != "array"):
        reason = "expected a Graph API response: a JSON object with a 'data' list"
    if reason is not None:
        yield Rejected(ENTITY, file_ref, reason, path.read_bytes())
        return
    for _, index, post in json_array_items(path, ("data",)):
        yield read_json_object(post, f"{file_ref}#{index}", entity=ENTITY, noun="post")


CHANNEL = Channel(
    name=NAME,
    title="Facebook page",
    entities={ENTITY: "facebook_posts"},
    folder=DropFolder(PATTERN, read),
    description="Graph API page feed: the page's posts with their comment threads nested.",
)
