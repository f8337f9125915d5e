"""The Facebook page's feed against a local server that behaves like the Graph API: pages by cursor, nested comment
threads completed, a post re-landed when its comments change, rate-limit error codes with and without the usage
headers' estimate, usage near the limit, server errors, a malformed page, a refused token."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from servers import PAGE_ID, FakeGraph, LocalServer

TOKEN = "page-token-not-to-be-logged-77aa"


@pytest.fixture
def graph(landing_database, monkeypatch):
    own, drop = landing_database
    fake = FakeGraph(token=TOKEN)
    with LocalServer(fake.handle) as server:
        connection = {"conn_type": "http", "host": server.url, "password": TOKEN, "extra": {"page_id": PAGE_ID}}
        monkeypatch.setenv("AIRFLOW_CONN_VOC_FACEBOOK", json.dumps(connection))
        fast = dataclasses.replace(own, live_retries=2, live_backoff_seconds=0.01, live_max_wait_seconds=3)
        yield fast, drop, fake, server, connection


def _land(settings):
    from voc.landing import land_stream

    return land_stream("facebook.feed", settings)


def _posts(settings) -> dict[str, dict]:
    from voc import warehouse

    with warehouse.connect(settings) as conn:
        return dict(conn.execute("select record_key, payload from raw.facebook_posts").fetchall())


def _recent(days_ago: float) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) - timedelta(days=days_ago)


def test_the_feed_lands_with_whole_threads_and_a_post_whose_comments_change_lands_again(graph):
    settings, drop, fake, server, _ = graph
    for n in range(30):
        fake.add_post(_recent(35 - n), comments=7 if n == 29 else n % 3)  # the newest 6 days old
    first = _land(settings)
    posts = _posts(settings)
    assert set(posts) == set(fake.served_posts) and len(posts) == 30
    newest = fake.posts[29]
    assert [c["id"] for c in posts[newest["id"]]["comments"]["data"]] == [c["id"] for c in newest["comments"]]
    assert "paging" not in posts[newest["id"]]["comments"]
    assert first.files == 2 and all("access_token" not in query for _, query, _ in server.requests)
    assert all(TOKEN not in path.read_text() for path in (drop / "facebook" / "feed").glob("*.json"))

    # the next run reads the last days again: unchanged posts are not rewritten, a new comment re-lands its post
    fake.comment(newest, _recent(0.1))
    second = _land(settings)
    feed_requests = [query for path, query, _ in server.requests if path.endswith("/feed")]
    assert "since" not in feed_requests[0] and "since" in feed_requests[-1]
    assert (second.inserted, second.updated) == (0, 1)
    assert len(_posts(settings)[newest["id"]]["comments"]["data"]) == 8
    old = fake.posts[0]
    fake.comment(old, _recent(0.1))  # older than the look-back: documented as not seen until a replay
    assert _land(settings).updated == 0


def test_rate_limits_are_waited_out_or_end_the_run_resumably(graph):
    settings, _, fake, _, _ = graph
    for n in range(60):
        fake.add_post(_recent(50 - n / 2))
    fake.faults = ["rate-4", "rate-17-soon", "", "rate-32-far"]
    stopped = _land(settings)
    assert stopped.note and "rate limited until" in stopped.note
    assert len(_posts(settings)) == 25
    resumed = _land(settings)
    assert resumed.note is None and set(_posts(settings)) == {post["id"] for post in fake.posts}
    assert max(Counter(fake.served_posts).values()) == 1, "a page was read twice"


def test_usage_near_the_limit_stops_after_the_page(graph):
    settings, _, fake, _, _ = graph
    for n in range(60):
        fake.add_post(_recent(50 - n / 2))
    fake.usage = 97
    stopped = _land(settings)
    assert "API usage at 97%" in stopped.note and len(_posts(settings)) == 25
    fake.usage = 10
    _land(settings)
    assert len(_posts(settings)) == 60


def test_server_errors_a_malformed_page_and_a_refused_token(graph, monkeypatch):
    from voc.channels.live import LiveSourceError

    settings, drop, fake, _, connection = graph
    for n in range(5):
        fake.add_post(_recent(10 - n))
    fake.faults = ["500", "500", "500"]
    with pytest.raises(LiveSourceError, match=r"HTTP 500 \(error code 1\), 3 attempts"):
        _land(settings)
    fake.faults = ["truncated"] * 3
    with pytest.raises(LiveSourceError, match="not JSON.*kept as facebook/feed/page_unreadable_"):
        _land(settings)
    assert _posts(settings) == {}
    _land(settings)
    assert len(_posts(settings)) == 5

    monkeypatch.setenv("AIRFLOW_CONN_VOC_FACEBOOK", json.dumps(connection | {"password": "expired-token-0000"}))
    with pytest.raises(LiveSourceError, match="refused the page token of connection voc_facebook") as refused:
        _land(settings)
    assert "expired-token" not in str(refused.value)
