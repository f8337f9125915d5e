"""Web feeds over HTTP against a local feed server: conditional GET (ETag, 304), a corrected item, a broken feed,
a redirect, server errors, a timeout, an oversized feed, a cursor per feed."""

from __future__ import annotations

import dataclasses
import json

import pytest
from servers import FakeFeeds, LocalServer, rss

DAY = "Mon, 23 Nov 2026 10:00:00 +0000"


@pytest.fixture
def feeds(landing_database):
    own, drop = landing_database
    fake = FakeFeeds()
    with LocalServer(fake.handle) as server:

        def configured(**urls: str):
            return dataclasses.replace(
                own,
                web_feeds=tuple((name, server.url + path) for name, path in urls.items()),
                live_retries=2,
                live_backoff_seconds=0.01,
                live_timeout_seconds=0.5,
            )

        yield configured, drop, fake


def _mentions(settings) -> dict[str, dict]:
    from voc import warehouse

    with warehouse.connect(settings) as conn:
        return dict(conn.execute("select record_key, payload from raw.web_mentions").fetchall())


def _quarantined(settings) -> list[tuple[str, str]]:
    from voc import warehouse

    with warehouse.connect(settings) as conn:
        return conn.execute("select source_ref, reason from raw.quarantine where channel = 'web'").fetchall()


def _land(settings, name):
    from voc.landing import land_stream

    return land_stream(name, settings)


def test_a_feed_is_landed_then_answered_304_then_its_new_and_corrected_items_land(feeds):
    configured, drop, fake = feeds
    settings = configured(blog="/blog.xml")
    fake.publish("/blog.xml", rss([("a1", "Ana Soto", DAY), ("a2", "Luis Gil", DAY), ("a3", "Eva Ruiz", DAY)]))

    first = _land(settings, "web.blog")
    assert set(_mentions(settings)) == {"a1", "a2", "a3"} and first.files == 1
    (kept,) = list((drop / "web").glob("blog_*.xml"))
    assert kept.read_bytes() == fake.feeds["/blog.xml"]
    assert json.loads(first.cursor)["etag"] == '"v1"'

    second = _land(settings, "web.blog")
    assert (second.received, second.files, second.cursor) == (0, 0, first.cursor)
    assert fake.served[-1] == ("/blog.xml", 304)

    fake.publish("/blog.xml", rss([("a2", "Luis Gil", DAY), ("a3", "Eva Ruiz", DAY), ("a4", "Olga Paz", DAY)], title="Blog 2"))
    third = _land(settings, "web.blog")
    assert (third.inserted, third.updated) == (1, 2)  # a4 new; a2 and a3 now carry the feed's new title
    assert _mentions(settings)["a3"]["feed_title"] == "Blog 2" and set(_mentions(settings)) == {"a1", "a2", "a3", "a4"}


def test_a_broken_feed_is_quarantined_whole_with_the_reason_and_the_run_succeeds(feeds):
    configured, drop, fake = feeds
    settings = configured(alerts="/alerts.xml")
    fake.publish("/alerts.xml", rss([("b1", "Ana Soto", DAY)])[:-40])
    summary = _land(settings, "web.alerts")
    assert summary.received == 1 and _mentions(settings) == {}
    ((source_ref, reason),) = _quarantined(settings)
    assert source_ref.startswith("web/alerts_") and reason.startswith(("truncated XML", "not well-formed XML"))
    assert _land(settings, "web.alerts").received == 0  # unchanged (304): not quarantined twice


def test_redirects_are_followed_and_server_errors_rate_limits_and_timeouts_retried_then_named(feeds):
    from voc.channels.live import LiveSourceError

    configured, _, fake = feeds
    settings = configured(moved="/moved/blog.xml")
    fake.publish("/blog.xml", rss([("c1", "Ana Soto", DAY)]))
    fake.faults = ["503", "429"]
    _land(settings, "web.moved")
    assert set(_mentions(settings)) == {"c1"}
    assert ("/moved/blog.xml", 301) in fake.served

    fake.faults = ["503"] * 3
    with pytest.raises(LiveSourceError, match=r"web\.moved \(127\.0\.0\.1:\d+\): HTTP 503, 3 attempts"):
        _land(dataclasses.replace(settings, web_feeds=(("moved", settings.web_feeds[0][1].replace("/moved", "")),)), "web.moved")
    fake.faults = ["slow"] * 3
    with pytest.raises(LiveSourceError, match=r"cannot reach the feed \((ReadTimeout|ConnectionError)\), 3 attempts"):
        _land(settings, "web.moved")


def test_a_missing_feed_and_an_oversized_one_fail_naming_the_feed(feeds, monkeypatch):
    from voc.channels import web
    from voc.channels.live import LiveSourceError

    configured, _, fake = feeds
    settings = configured(gone="/gone.xml", big="/big.xml")
    with pytest.raises(LiveSourceError, match=r"web\.gone .*HTTP 404"):
        _land(settings, "web.gone")
    fake.publish("/big.xml", rss([(f"d{n}", "Ana Soto", DAY) for n in range(50)]))
    monkeypatch.setattr(web, "MAX_SNAPSHOT_BYTES", 2000)
    with pytest.raises(LiveSourceError, match=r"web\.big .*larger than 2,000 bytes"):
        _land(settings, "web.big")
    assert _mentions(settings) == {}


def test_each_feed_keeps_a_cursor_of_its_own(feeds):
    from voc import warehouse

    configured, _, fake = feeds
    settings = configured(one="/one.xml", two="/two.xml")
    fake.publish("/one.xml", rss([("e1", "Ana Soto", DAY)]))
    fake.publish("/two.xml", rss([("f1", "Luis Gil", DAY)]))
    fake.publish("/two.xml", rss([("f1", "Luis Gil", DAY), ("f2", "Eva Ruiz", DAY)]))
    _land(settings, "web.one")
    _land(settings, "web.two")
    with warehouse.connect(settings) as conn:
        cursors = dict(conn.execute("select channel, cursor_value from audit.channel_cursors").fetchall())
    assert json.loads(cursors["web.one"])["etag"] == '"v1"' and json.loads(cursors["web.two"])["etag"] == '"v2"'
    assert set(_mentions(settings)) == {"e1", "f1", "f2"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("blog", "not name=url"),
        ("Blog=https://x", "not name=url"),
        ("a=ftp://x", "not name=url"),
        ("a=http://x a=http://y", "twice"),
    ],
)
def test_a_bad_feed_list_is_refused_naming_the_item(monkeypatch, value, message):
    from voc.settings import get_settings

    monkeypatch.setenv("VOC_WEB_FEEDS", value)
    with pytest.raises(ValueError, match=message):
        get_settings()
