"""twitter: X API v2 response pages, customers' mentions of the brand and the brand's own replies.

Drop folder ``twitter/mentions/page_NNNNN.json`` (``GET /2/users/:id/mentions``) and
``twitter/timeline/page_NNNNN.json`` (``GET /2/users/:id/tweets``), read in path order; a page dropped late is read
at the next landing wherever its name sorts.

Tweets (``data``) land in ``raw.twitter_tweets`` and users (``includes.users``) in ``raw.twitter_users``, both keyed
by ``id``, payloads the API's objects as given. Users repeat across pages; the key makes them one row.

Source refs: ``twitter/<stream>/<page>#<index>`` for the n-th tweet of ``data`` and
``twitter/<stream>/<page>#users/<index>`` for the n-th user of ``includes.users``.

Live (``STREAMS``): the X API v2 through tweepy's ``Client``, three streams with a cursor each: ``mentions``
(``GET /2/users/:id/mentions``), ``timeline`` (the brand's own tweets, its replies: ``GET /2/users/:id/tweets``) and
``search`` (``GET /2/tweets/search/recent`` for brand keywords, mentions that do not tag the account). Each asks for
the fields the staging models use and keeps every page as ``twitter/<stream>/page_<fetched at>_<hash>.json``. The
Airflow connection ``voc_x``: the bearer token as its password, ``extra`` ``{"user_id": "<the brand's id>",
"query": "<search query>"}``, and its host an API base URL other than ``https://api.twitter.com`` if needed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from voc.channels.base import (
    Channel,
    DropFolder,
    Rejected,
    Unit,
    json_array_items,
    json_escapes_storable,
    read_json_object,
    scan_json,
)
from voc.channels.live import (
    Fetched,
    LiveSourceError,
    LiveStream,
    RateLimited,
    Retryable,
    connection,
    short_hash,
    stamp,
    until,
    with_retries,
)
from voc.settings import Settings

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
    plain = json_escapes_storable(path)
    for array, index, item in json_array_items(path, ("data", "includes.users")):
        if array == "data":
            yield read_json_object(
                item, f"{file_ref}#{index}", entity=TWEETS, noun="tweet", required=TWEET_FIELDS, storable_text=plain
            )
        else:
            yield read_json_object(item, f"{file_ref}#users/{index}", entity=USERS, noun="user", storable_text=plain)


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


# --- live: the X API v2 through tweepy ----------------------------------------------------------------------------

CONN_ID = "voc_x"
API_HOST = "https://api.twitter.com"
REQUEST = {
    "max_results": 100,
    "tweet_fields": [
        "created_at",
        "author_id",
        "conversation_id",
        "in_reply_to_user_id",
        "referenced_tweets",
        "lang",
        "public_metrics",
    ],
    "expansions": ["author_id"],
    "user_fields": ["username", "name", "verified", "public_metrics"],
}


def _session(base_url: str, timeout: float) -> Any:
    """A requests session that sends tweepy's requests to the connection's API base, with a timeout."""
    import requests

    class Rebased(requests.Session):
        def request(self, method, url, *args, **kwargs):  # noqa: ANN001, ANN202 (requests' own signature)
            if url.startswith(API_HOST):
                url = base_url.rstrip("/") + url[len(API_HOST) :]
            kwargs.setdefault("timeout", timeout)
            return super().request(method, url, *args, **kwargs)

    return Rebased()


def _client(settings: Settings) -> tuple[Any, dict[str, Any]]:
    import requests
    import tweepy

    # tweepy logs every request's headers, the bearer token among them, at DEBUG: never let it
    logging.getLogger("tweepy").setLevel(max(logging.getLogger("tweepy").getEffectiveLevel(), logging.INFO))
    conn = connection(CONN_ID)
    if not conn.password:
        raise LiveSourceError(f"the Airflow connection {CONN_ID} has no password: put the X API bearer token there")
    client = tweepy.Client(bearer_token=conn.password, return_type=requests.Response, wait_on_rate_limit=False)
    host = conn.host or API_HOST
    if "://" not in host:
        host = f"{conn.schema or 'https'}://{host}" + (f":{conn.port}" if conn.port else "")
    client.session = _session(host, settings.live_timeout_seconds)
    return client, {"host": host, **conn.extra_dejson}


def _call(stream: str, client: Any, extra: dict[str, Any], state: dict[str, Any]) -> Any:
    params: dict[str, Any] = dict(REQUEST)
    if state.get("since_id"):
        params["since_id"] = state["since_id"]
    token = state.get("next_token")
    if stream == "search":
        if not extra.get("query"):
            raise LiveSourceError(f"connection {CONN_ID}: the search stream needs extra.query (the brand's keywords)")
        return client.search_recent_tweets(extra["query"], next_token=token, **params)
    if not extra.get("user_id"):
        raise LiveSourceError(f"connection {CONN_ID}: the {stream} stream needs extra.user_id (the brand account's id)")
    method = client.get_users_mentions if stream == "mentions" else client.get_users_tweets
    return method(extra["user_id"], pagination_token=token, **params)


def _newest(*ids: str | None) -> str | None:
    known = [int(value) for value in ids if value and str(value).isdigit()]
    return str(max(known)) if known else None


def fetch_stream(stream: str, cursor: str | None, settings: Settings) -> Fetched:
    """One page of a stream after ``cursor`` (JSON: ``since_id`` of the last completed sweep, and while a sweep is
    under way its ``next_token`` and the newest id it started at)."""
    import requests
    import tweepy

    state = json.loads(cursor) if cursor else {}
    client, extra = _client(settings)
    what = f"twitter.{stream} ({extra['host']})"

    def attempt() -> Fetched:
        try:
            response = _call(stream, client, extra, state)
        except tweepy.TooManyRequests as error:
            reset = error.response.headers.get("x-rate-limit-reset")
            if reset and reset.isdigit():
                raise RateLimited(float(reset)) from None
            raise Retryable("HTTP 429 without a reset time") from None
        except tweepy.TwitterServerError as error:
            raise Retryable(f"HTTP {error.response.status_code}") from None
        except (tweepy.Unauthorized, tweepy.Forbidden) as error:
            raise LiveSourceError(
                f"{what}: the API refused the bearer token of connection {CONN_ID} (HTTP {error.response.status_code})"
            ) from None
        except tweepy.BadRequest as error:
            if state.get("next_token"):
                # an expired pagination token: the sweep starts again from since_id (keys keep it from landing twice)
                raise _RestartSweep() from None
            raise LiveSourceError(f"{what}: HTTP 400 {_titles(error)}") from None
        except tweepy.HTTPException as error:
            raise LiveSourceError(f"{what}: HTTP {error.response.status_code} {_titles(error)}") from None
        except (requests.ConnectionError, requests.Timeout) as error:
            raise Retryable(f"cannot reach the API ({type(error).__name__})") from None
        return _page(stream, response.content, state, cursor)

    def rate_limited(reset_at: float) -> Fetched:
        note = f"{what}: rate limited until {until(reset_at)}; stopped, the next run resumes from the saved cursor"
        return Fetched(None, None, cursor, note=note)

    def malformed(reason: str, content: bytes) -> Fetched:
        return Fetched(content, f"{stream}/page_unreadable_{short_hash(content, 16)}.json", cursor, malformed=reason)

    try:
        return with_retries(attempt, what=what, settings=settings, on_rate_limit=rate_limited, on_malformed=malformed)
    except _RestartSweep:
        restarted = json.dumps({"since_id": state.get("since_id")})
        return Fetched(None, None, restarted, has_more=True, note=f"{what}: pagination token refused; sweep restarted")


class _RestartSweep(Exception):
    pass


def _titles(error: Any) -> str:
    """The API's error titles (never the request, which names the account and the query)."""
    titles = [str(item.get("title") or item.get("message") or "")[:120] for item in getattr(error, "errors", []) or []]
    return "; ".join(title for title in titles if title) or "(no error detail)"


def _page(stream: str, content: bytes, state: dict[str, Any], cursor: str | None) -> Fetched:
    try:
        document = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Retryable(f"the response is not JSON ({type(error).__name__})", content) from None
    if not isinstance(document, dict) or not isinstance(document.get("meta", {}), dict):
        raise Retryable("the response is not an X API v2 page", content)
    meta = document.get("meta") or {}
    sweep_newest = state.get("sweep_newest") or meta.get("newest_id")
    token = meta.get("next_token")
    if token:
        after = {"since_id": state.get("since_id"), "sweep_newest": sweep_newest, "next_token": token}
    else:
        after = {"since_id": _newest(state.get("since_id"), sweep_newest)}
    has_items = bool(document.get("data")) or bool((document.get("includes") or {}).get("users"))
    name = f"{stream}/page_{stamp()}_{short_hash(content)}.json" if has_items else None
    return Fetched(content if has_items else None, name, json.dumps(after), has_more=bool(token))


def _stream(stream: str, title: str) -> LiveStream:
    return LiveStream(
        name=f"{NAME}.{stream}",
        channel=NAME,
        title=title,
        fetch=lambda cursor, settings: fetch_stream(stream, cursor, settings),
        conn_id=CONN_ID,
        schedule="*/15 * * * *",
    )


STREAMS = (
    _stream("mentions", "X mentions of the brand account"),
    _stream("timeline", "the brand account's own tweets (its replies)"),
    _stream("search", "X recent search for the brand's keywords"),
)
