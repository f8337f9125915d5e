"""facebook: the brand page's feed as Graph API response pages.

Drop folder ``facebook/feed/page_NNNNN.json``: responses of ``GET /{page-id}/feed`` with the posts' comments
nested. Each post lands in ``raw.facebook_posts`` keyed by ``id``, its payload the post object as given.

Live (``STREAMS``): the stream ``facebook.feed`` reads ``GET /{page-id}/feed`` of the Graph API (version
``GRAPH_API_VERSION``) with the page token of the Airflow connection ``voc_facebook`` (its password; ``extra``
``{"page_id": "..."}``; its host a base URL other than ``https://graph.facebook.com`` if needed), sent as a bearer
header, never in a URL. Each post comes with its whole comment thread (``filter(stream)``: replies beside the
comments they answer, as the drop folder's pages have them); a thread longer than a page is completed from
``/{post-id}/comments``. Pages follow ``paging.cursors.after``; each run reads the posts created since the last
run began minus ``VOC_FACEBOOK_LOOKBACK_DAYS``, so a post whose comments changed is landed again (its payload
changed) and an unchanged one is not rewritten. Rate limits: error codes 4, 17, 32 and 613 wait for the time the
usage headers give (``estimated_time_to_regain_access``) or back off; a run whose usage reaches ``USAGE_STOP`` per cent
stops after the page, resumable. Each page is kept as ``facebook/feed/page_<fetched at>_<hash>.json``.
"""

from __future__ import annotations

import json
import time
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
    plain = json_escapes_storable(path)
    for _, index, post in json_array_items(path, ("data",)):
        yield read_json_object(post, f"{file_ref}#{index}", entity=ENTITY, noun="post", storable_text=plain)


CHANNEL = Channel(
    name=NAME,
    title="Facebook page",
    entities={ENTITY: "facebook_posts"},
    folder=DropFolder(PATTERN, read),
    description="Graph API page feed: the page's posts with their comment threads nested.",
)


# --- live: the Graph API ----------------------------------------------------------------------------------------

CONN_ID = "voc_facebook"
API_HOST = "https://graph.facebook.com"
GRAPH_API_VERSION = "v21.0"
COMMENT_FIELDS = "id,message,created_time,from,parent"
POST_FIELDS = f"id,message,created_time,updated_time,from,permalink_url,comments.filter(stream).limit(100){{{COMMENT_FIELDS}}}"
PAGE_SIZE = 25
RATE_LIMIT_CODES = {4, 17, 32, 613}
USAGE_STOP = 95  # per cent of a usage limit after which a run stops, resumable
USAGE_HEADERS = ("x-app-usage", "x-page-usage", "x-ad-account-usage", "x-business-use-case-usage")


class _Graph:
    def __init__(self, settings: Settings) -> None:
        import requests

        conn = connection(CONN_ID)
        if not conn.password:
            raise LiveSourceError(f"the Airflow connection {CONN_ID} has no password: put the page access token there")
        extra = conn.extra_dejson
        if not extra.get("page_id"):
            raise LiveSourceError(f"connection {CONN_ID}: extra.page_id (the brand page's id) is missing")
        host = conn.host or API_HOST
        if "://" not in host:
            host = f"{conn.schema or 'https'}://{host}" + (f":{conn.port}" if conn.port else "")
        self.base = f"{host.rstrip('/')}/{extra.get('api_version', GRAPH_API_VERSION)}"
        self.page_id = str(extra["page_id"])
        self.what = f"facebook.feed ({host})"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {conn.password}"
        self.timeout = settings.live_timeout_seconds
        self.usage = 0

    def get(self, path: str, params: dict[str, Any], *, keep: bool = True) -> tuple[dict[str, Any], bytes]:
        """(the parsed answer, its bytes); raises what ``with_retries`` understands. ``keep``: a malformed answer
        is kept and quarantined as a feed page (not for a comment thread's continuation, which is no page)."""
        import requests

        try:
            response = self.session.get(f"{self.base}/{path}", params=params, timeout=self.timeout)
        except (requests.ConnectionError, requests.Timeout) as error:
            raise Retryable(f"cannot reach the API ({type(error).__name__})") from None
        try:
            document = json.loads(response.content)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            if response.status_code >= 500:
                raise Retryable(f"HTTP {response.status_code}") from None
            raise Retryable(f"the response is not JSON ({type(error).__name__})", response.content if keep else None) from None
        error = document.get("error") if isinstance(document, dict) else None
        if isinstance(error, dict):
            code = error.get("code")
            if code in RATE_LIMIT_CODES:
                regain = _regain_minutes(response.headers)
                if regain is not None:
                    raise RateLimited(time.time() + regain * 60)
                raise Retryable(f"rate limited (error code {code})")
            if response.status_code >= 500 or error.get("is_transient"):
                raise Retryable(f"HTTP {response.status_code} (error code {code})")
            if code == 190 or response.status_code in (401, 403):
                raise LiveSourceError(f"{self.what}: the API refused the page token of connection {CONN_ID} (error code {code})")
            raise LiveSourceError(
                f"{self.what}: HTTP {response.status_code} error code {code}: {str(error.get('message'))[:160]}"
            )
        if response.status_code >= 500:
            raise Retryable(f"HTTP {response.status_code}")
        if not isinstance(document, dict) or not isinstance(document.get("data"), list):
            raise Retryable("the response is not a Graph API list (no 'data')", response.content if keep else None)
        self.usage = max(self.usage, _usage(response.headers))  # of this page's answers
        return document, response.content


def _usage(headers: Any) -> int:
    """The highest percentage any usage header reports."""
    highest = 0
    for name in USAGE_HEADERS:
        value = headers.get(name)
        if not value:
            continue
        try:
            usage = json.loads(value)
        except json.JSONDecodeError:
            continue
        entries = (
            [usage]
            if isinstance(usage, dict) and "call_count" in usage
            else [
                entry
                for group in (usage.values() if isinstance(usage, dict) else [])
                for entry in (group if isinstance(group, list) else [group])
            ]
        )
        for entry in entries:
            if isinstance(entry, dict):
                for key in ("call_count", "total_cputime", "total_time"):
                    if isinstance(entry.get(key), int | float):
                        highest = max(highest, int(entry[key]))
    return highest


def _regain_minutes(headers: Any) -> float | None:
    value = headers.get("x-business-use-case-usage")
    if not value:
        return None
    try:
        usage = json.loads(value)
    except json.JSONDecodeError:
        return None
    minutes = [
        entry.get("estimated_time_to_regain_access")
        for group in (usage.values() if isinstance(usage, dict) else [])
        for entry in (group if isinstance(group, list) else [group])
        if isinstance(entry, dict)
    ]
    known = [float(minute) for minute in minutes if isinstance(minute, int | float)]
    return max(known) if known else None


def fetch_feed(cursor: str | None, settings: Settings) -> Fetched:
    """One page of the page's feed after the cursor (``{"since", "after", "sweep_started"}`` during a sweep,
    ``{"last_sweep_started"}`` between sweeps)."""
    state = json.loads(cursor) if cursor else {}
    graph = _Graph(settings)

    def attempt() -> Fetched:
        graph.usage = 0
        if "sweep_started" in state:
            sweep = dict(state)
        else:
            last = state.get("last_sweep_started")
            since = int(last - settings.facebook_lookback_days * 86400) if last else None
            sweep = {"since": since, "after": None, "sweep_started": int(time.time())}
        params: dict[str, Any] = {"fields": POST_FIELDS, "limit": PAGE_SIZE}
        if sweep.get("since") is not None:
            params["since"] = sweep["since"]
        if sweep.get("after"):
            params["after"] = sweep["after"]
        document, content = graph.get(f"{graph.page_id}/feed", params)
        for post in document["data"]:
            if isinstance(post, dict):
                _complete_thread(graph, post)
        after = ((document.get("paging") or {}).get("cursors") or {}).get("after")
        more = bool((document.get("paging") or {}).get("next")) and bool(after)
        following = sweep | {"after": after} if more else {"last_sweep_started": sweep["sweep_started"]}
        note = None
        if more and graph.usage >= USAGE_STOP:
            more = False
            note = f"{graph.what}: API usage at {graph.usage}%; stopped, the next run resumes from the saved cursor"
        if not document["data"]:
            return Fetched(None, None, json.dumps(following), has_more=more, note=note)
        page = json.dumps(document, ensure_ascii=False).encode()
        return Fetched(page, f"feed/page_{stamp()}_{short_hash(page)}.json", json.dumps(following), has_more=more, note=note)

    def rate_limited(reset_at: float) -> Fetched:
        note = f"{graph.what}: rate limited until {until(reset_at)}; stopped, the next run resumes from the saved cursor"
        return Fetched(None, None, cursor, note=note)

    def malformed(reason: str, content: bytes) -> Fetched:
        return Fetched(content, f"feed/page_unreadable_{short_hash(content, 16)}.json", cursor, malformed=reason)

    return with_retries(attempt, what=graph.what, settings=settings, on_rate_limit=rate_limited, on_malformed=malformed)


def _complete_thread(graph: _Graph, post: dict[str, Any]) -> None:
    """Append the rest of a post's comment thread when the API paged it."""
    comments = post.get("comments")
    if not isinstance(comments, dict):
        return
    after = ((comments.get("paging") or {}).get("cursors") or {}).get("after")
    while (comments.get("paging") or {}).get("next") and after:
        params = {"fields": COMMENT_FIELDS, "filter": "stream", "limit": 100, "after": after}
        document, _ = graph.get(f"{post['id']}/comments", params, keep=False)
        comments["data"] = list(comments.get("data") or []) + document["data"]
        comments["paging"] = document.get("paging") or {}
        after = (comments["paging"].get("cursors") or {}).get("after")
    comments.pop("paging", None)


STREAMS = (
    LiveStream(
        name=f"{NAME}.feed",
        channel=NAME,
        title="the brand page's Facebook feed",
        fetch=fetch_feed,
        conn_id=CONN_ID,
        schedule="*/15 * * * *",
    ),
)
