"""twitter: X API v2 response pages, customers' mentions of the brand and the brand's own replies.

Drop folder ``twitter/mentions/page_NNNNN.json`` (``GET /2/users/:id/mentions``) and
``twitter/timeline/page_NNNNN.json`` (``GET /2/users/:id/tweets``), read in path order; a page dropped late is read
at the next landing wherever its name sorts.

Tweets (``data``) land in ``raw.twitter_tweets`` and users (``includes.users``) in ``raw.twitter_users``, both keyed
by ``id``, payloads the API's objects as given. Users repeat across pages; the key makes them one row.

Source refs: ``twitter/<stream>/<page>#<index>`` for the n-th tweet of ``data`` and
``twitter/<stream>/<page>#users/<index>`` for the n-th user of ``includes.users``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from voc.channels.base import Channel, DropFolder, Rejected, Unit, json_array_items, read_json_object, scan_json

NAME = "twitter"
TWEETS = "tweets"
USERS = "users"
PATTERN = "*/page_*.json"
TWEET_FIELDS = ("id", "created_at", "author_id")


def read(path: Path, file_ref: str) -> Iterator[Unit]:
    """A response page (``mentions/page_NNNNN.json`` or ``timeline/...``), streamed tweet by tweet.

    A page that is not valid JSON is rejected whole; a tweet without ``id``, ``created_at`` or ``author_id`` and a
    user without ``id`` are rejected alone, their JSON as the original.
    """
    kinds, reason = scan_json(path, ("", "data", "includes", "includes.users"))
    if reason is None:
        reason = _shape_error(kinds)
    if reason is not None:
        yield Rejected(TWEETS, file_ref, reason, path.read_bytes())
        return
    for array, index, item in json_array_items(path, ("data", "includes.users")):
        if array == "data":
            yield read_json_object(item, f"{file_ref}#{index}", entity=TWEETS, noun="tweet", required=TWEET_FIELDS)
        else:
            yield read_json_object(item, f"{file_ref}#users/{index}", entity=USERS, noun="user")


def _shape_error(kinds: dict[str, str]) -> str | None:
    if kinds.get("") != "object":
        return "expected an X API v2 response: a JSON object"
    if kinds.get("data", "array") != "array":
        return "expected 'data' to be a list of tweets"
    if kinds.get("includes", "object") not in ("object", "null") or kinds.get("includes.users", "array") != "array":
        return "expected 'includes.users' to be a list of users"
    return None


CHANNEL = Channel(
    name=NAME,
    title="X (Twitter)",
    entities={TWEETS: "twitter_tweets", USERS: "twitter_users"},
    folder=DropFolder(PATTERN, read),
    description="X API v2 pages: tweets mentioning the brand, the brand's replies, and their authors.",
)
