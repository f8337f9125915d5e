"""twitter: X API v2 response pages, customers' mentions of the brand and the brand's own replies.

Drop folder ``twitter/mentions/page_NNNNN.json`` (``GET /2/users/:id/mentions``) and
``twitter/timeline/page_NNNNN.json`` (``GET /2/users/:id/tweets``), read under one cursor in path order (every
``mentions/`` page, then every ``timeline/`` page). A ``mentions/`` page dropped after the cursor has reached
``timeline/`` sorts behind it and is not read: replay with the cursor reset (landing is idempotent).

Tweets (``data``) land in ``raw.twitter_tweets`` and users (``includes.users``) in ``raw.twitter_users``, both keyed
by ``id``, payloads the API's objects as given. Users repeat across pages; the key makes them one row.

Source refs: ``twitter/<stream>/<page>#<index>`` for the n-th tweet of ``data`` and
``twitter/<stream>/<page>#users/<index>`` for the n-th user of ``includes.users``.
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

NAME = "twitter"
TWEETS = "tweets"
USERS = "users"
PATTERN = "*/page_*.json"
TWEET_FIELDS = ("id", "created_at", "author_id")


def fetch(cursor: str | None, settings: Settings) -> Page:
    """Read the next response page after ``cursor`` (``mentions/page_NNNNN.json`` or ``timeline/...``).

    A page that is not valid JSON is rejected whole; a tweet without ``id``, ``created_at`` or ``author_id`` and a
    user without ``id`` are rejected alone, their JSON as the original.
    """
    return fetch_next_file(NAME, settings, PATTERN, cursor, _read)


def _read(path: Path, file_ref: str) -> tuple[list[RawRecord], list[Rejected]]:
    data = path.read_bytes()
    document, reason = load_json_file(data)
    if reason is None:
        reason = _shape_error(document)
    if reason is not None:
        return [], [Rejected(TWEETS, file_ref, reason, data)]
    tweets = document.get("data", [])
    users = (document.get("includes") or {}).get("users", [])
    results = [_read_tweet(tweet, f"{file_ref}#{index}") for index, tweet in enumerate(tweets)]
    results += [_read_user(user, f"{file_ref}#users/{index}") for index, user in enumerate(users)]
    return sort_out(results)


def _shape_error(document: object) -> str | None:
    if not isinstance(document, dict):
        return "expected an X API v2 response: a JSON object"
    if not isinstance(document.get("data", []), list):
        return "expected 'data' to be a list of tweets"
    includes = document.get("includes") or {}
    if not isinstance(includes, dict) or not isinstance(includes.get("users", []), list):
        return "expected 'includes.users' to be a list of users"
    return None


def _read_tweet(tweet: object, source_ref: str) -> RawRecord | Rejected:
    return read_json_object(tweet, source_ref, entity=TWEETS, noun="tweet", required=TWEET_FIELDS)


def _read_user(user: object, source_ref: str) -> RawRecord | Rejected:
    return read_json_object(user, source_ref, entity=USERS, noun="user")


CHANNEL = Channel(
    name=NAME,
    title="X (Twitter)",
    entities={TWEETS: "twitter_tweets", USERS: "twitter_users"},
    fetch=fetch,
    description="X API v2 pages: tweets mentioning the brand, the brand's replies, and their authors.",
)
