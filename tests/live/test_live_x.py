"""The X streams end to end against a local server that behaves like the X API v2: first run, resumed run, rate
limits, server errors, malformed and repeated pages, a refused token, an unreachable server. The ground truth is
what the server served (its own record), never the client's account of it."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections import Counter
from datetime import UTC, datetime

import pytest
from servers import BRAND_ID, FakeX, LocalServer

TOKEN = "bearer-token-not-to-be-logged-8c1d"
AUTHORS = [str(2000000000000000000 + n) for n in range(40)]
START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def x_api(landing_database, monkeypatch):
    """(settings with fast retries, drop folder, the fake API); the connection voc_x points at it."""
    own, drop = landing_database
    fake = FakeX(token=TOKEN)
    with LocalServer(fake.handle) as server:
        connection = {
            "conn_type": "http",
            "host": server.url,
            "password": TOKEN,
            "extra": {"user_id": BRAND_ID, "query": '"Alba Connect" -is:retweet'},
        }
        monkeypatch.setenv("AIRFLOW_CONN_VOC_X", json.dumps(connection))
        fast = dataclasses.replace(own, live_retries=3, live_backoff_seconds=0.01, live_max_wait_seconds=3)
        yield fast, drop, fake, server


def _land(settings, stream="twitter.mentions"):
    from voc.landing import land_stream

    return land_stream(stream, settings)


def _warehouse(settings):
    from voc import warehouse

    with warehouse.connect(settings) as conn:
        tweets = {row[0] for row in conn.execute("select record_key from raw.twitter_tweets")}
        users = {row[0] for row in conn.execute("select record_key from raw.twitter_users")}
        quarantined = conn.execute("select source_ref, reason from raw.quarantine where channel = 'twitter'").fetchall()
        cursors = dict(conn.execute("select channel, cursor_value from audit.channel_cursors").fetchall())
    return tweets, users, quarantined, cursors


def test_first_run_lands_every_page_the_next_adds_nothing_and_a_later_run_only_what_is_new(x_api, caplog):
    settings, drop, fake, server = x_api
    fake.add("mentions", 250, authors=AUTHORS, start=START)
    caplog.set_level(logging.DEBUG)

    first = _land(settings)
    tweets, users, quarantined, cursors = _warehouse(settings)
    assert tweets == set(fake.served_tweets["mentions"]) and len(tweets) == 250
    assert users == fake.served_users and len(users) == 40
    assert quarantined == [], "every tweet had the fields the models need: the client asked for them"
    assert first.files == 3 and len(list((drop / "twitter" / "mentions").glob("page_*.json"))) == 3
    assert json.loads(cursors["twitter.mentions"]) == {"since_id": max(tweets, key=int)}
    first_request = server.requests[0][1]
    assert {"created_at", "author_id", "conversation_id", "in_reply_to_user_id", "referenced_tweets"} <= set(
        first_request["tweet.fields"].split(",")
    )
    assert first_request["expansions"] == "author_id" and "username" in first_request["user.fields"]
    assert TOKEN not in caplog.text, "the bearer token reached a log"

    second = _land(settings)
    assert (second.received, second.files) == (0, 0)
    assert server.requests[-1][1]["since_id"] == max(tweets, key=int)

    late = fake.add("mentions", 30, authors=AUTHORS[:5], start=START.replace(hour=12))
    third = _land(settings)
    assert third.inserted == 30 and {t["id"] for t in late} <= _warehouse(settings)[0]


def test_a_far_rate_limit_ends_the_run_successfully_and_the_next_run_resumes_where_it_stopped(x_api):
    settings, _, fake, _ = x_api
    fake.add("mentions", 250, authors=AUTHORS, start=START)
    fake.faults = ["", "429"]
    stopped = _land(settings)
    assert stopped.note and "rate limited until" in stopped.note
    tweets, _, _, cursors = _warehouse(settings)
    assert len(tweets) == 100 and json.loads(cursors["twitter.mentions"])["next_token"]

    resumed = _land(settings)
    tweets, _, _, cursors = _warehouse(settings)
    assert tweets == set(fake.served_tweets["mentions"]) and len(tweets) == 250
    assert max(Counter(fake.served_tweets["mentions"]).values()) == 1, "a page was asked for twice"
    assert resumed.files == 2 and stopped.files == 1
    assert json.loads(cursors["twitter.mentions"]) == {"since_id": max(tweets, key=int)}


def test_near_rate_limits_server_errors_and_dropped_connections_are_retried_within_the_run(x_api):
    settings, _, fake, server = x_api
    fake.add("mentions", 150, authors=AUTHORS, start=START)
    fake.faults = ["429-soon", "429-bare", "503", "drop"]
    summary = _land(settings)
    assert summary.note is None
    assert _warehouse(settings)[0] == set(fake.served_tweets["mentions"]) and len(set(fake.served_tweets["mentions"])) == 150
    assert len(server.requests) == 4 + 2


def test_a_server_error_that_persists_fails_the_run_and_keeps_what_landed_with_its_cursor(x_api):
    from voc.channels.live import LiveSourceError

    settings, _, fake, _ = x_api
    fake.add("mentions", 250, authors=AUTHORS, start=START)
    fake.faults = ["", "503", "503", "503", "503"]
    with pytest.raises(LiveSourceError, match=r"twitter\.mentions \(http://127\.0\.0\.1:\d+\): HTTP 503, 4 attempts"):
        _land(settings)
    tweets, _, _, cursors = _warehouse(settings)
    assert len(tweets) == 100 and json.loads(cursors["twitter.mentions"])["next_token"]
    _land(settings)
    assert _warehouse(settings)[0] == set(fake.served_tweets["mentions"]) and len(set(fake.served_tweets["mentions"])) == 250


def test_a_truncated_page_is_kept_and_quarantined_once_the_run_fails_and_a_good_page_later_lands(x_api):
    from voc.channels.live import LiveSourceError

    settings, drop, fake, _ = x_api
    fake.add("mentions", 50, authors=AUTHORS, start=START)
    for _ in range(2):  # the same broken answer twice: one file, one quarantined record
        fake.faults = ["truncated"] * 4
        with pytest.raises(LiveSourceError, match="not JSON.*kept as twitter/mentions/page_unreadable_.*quarantined"):
            _land(settings)
    tweets, _, quarantined, cursors = _warehouse(settings)
    assert tweets == set() and cursors.get("twitter.mentions") is None  # where it was: the start
    assert len(quarantined) == 1 and quarantined[0][1].startswith("truncated JSON")
    assert len(list((drop / "twitter" / "mentions").glob("page_unreadable_*.json"))) == 1
    _land(settings)
    assert len(_warehouse(settings)[0]) == 50


def test_a_page_that_repeats_an_item_lands_it_once(x_api):
    settings, _, fake, _ = x_api
    fake.add("mentions", 250, authors=AUTHORS, start=START)
    fake.faults = ["", "repeat"]
    summary = _land(settings)
    tweets = _warehouse(settings)[0]
    assert tweets == set(fake.served_tweets["mentions"]) and len(tweets) == 250
    assert [count for count in Counter(fake.served_tweets["mentions"]).values() if count > 1] == [2]
    assert summary.inserted == 250 + 40  # tweets and users, each once


def test_timeline_and_search_are_streams_of_their_own(x_api):
    settings, _, fake, server = x_api
    fake.add("mentions", 20, authors=AUTHORS, start=START)
    fake.add("timeline", 15, authors=AUTHORS, start=START)
    fake.add("search", 12, authors=AUTHORS[10:], start=START)
    for stream in ("twitter.mentions", "twitter.timeline", "twitter.search"):
        _land(settings, stream)
    tweets, _, _, cursors = _warehouse(settings)
    assert tweets == set().union(*map(set, fake.served_tweets.values())) and len(tweets) == 47
    assert {"twitter.mentions", "twitter.timeline", "twitter.search"} <= set(cursors)
    for stream in ("twitter.mentions", "twitter.timeline", "twitter.search"):
        assert _land(settings, stream).received == 0, f"{stream}: a second run landed something"
    assert {query.get("query") for path, query, _ in server.requests if path.endswith("/search/recent")} == {
        '"Alba Connect" -is:retweet'
    }


def test_a_refused_token_and_an_unreachable_server_are_named_without_the_token(x_api, monkeypatch):
    from voc.channels.live import LiveSourceError

    settings, _, fake, server = x_api
    connection = json.loads(os.environ["AIRFLOW_CONN_VOC_X"])
    monkeypatch.setenv("AIRFLOW_CONN_VOC_X", json.dumps(connection | {"password": "wrong-token-abcdef"}))
    with pytest.raises(LiveSourceError, match=r"refused the bearer token of connection voc_x \(HTTP 401\)") as refused:
        _land(settings)
    assert "wrong-token" not in str(refused.value)

    monkeypatch.setenv("AIRFLOW_CONN_VOC_X", json.dumps(connection | {"host": "http://127.0.0.1:9"}))
    with pytest.raises(LiveSourceError, match=r"cannot reach the API \(ConnectionError\), 4 attempts") as unreachable:
        _land(settings)
    assert TOKEN not in str(unreachable.value)


def test_a_missing_connection_is_named(x_api, monkeypatch):
    from voc.channels.live import LiveSourceError

    settings = x_api[0]
    monkeypatch.delenv("AIRFLOW_CONN_VOC_X")
    with pytest.raises(LiveSourceError, match="the Airflow connection voc_x is not defined"):
        _land(settings)


def test_the_cli_and_the_dag_run_a_stream(x_api, monkeypatch, capsys):
    """`voc land --live` exits 1 when a stream fails; the Airflow DAG of a rate-limited stream ends successful and
    says until when."""
    from voc import airflow_env
    from voc.channels import get_stream
    from voc.cli import main
    from voc.demo import run_dag
    from voc.orchestration import build_live_dag

    settings, drop, fake, _ = x_api
    monkeypatch.setenv("VOC_WAREHOUSE_URL", settings.warehouse_url)
    monkeypatch.setenv("VOC_SAMPLE_DIR", str(drop))
    monkeypatch.setenv("VOC_PSEUDONYM_SECRET", "landing-test-secret")
    for variable, value in (("VOC_LIVE_RETRIES", "1"), ("VOC_LIVE_BACKOFF_SECONDS", "0.01"), ("VOC_LIVE_MAX_WAIT_SECONDS", "2")):
        monkeypatch.setenv(variable, value)
    fake.add("mentions", 120, authors=AUTHORS, start=START)

    fake.faults = ["503", "503"]
    assert main(["land", "--live", "twitter.mentions"]) == 1
    assert "twitter.mentions: live landing failed" in capsys.readouterr().err
    assert main(["land", "--live", "nothing"]) == 2

    fake.faults = ["", "429"]
    airflow_env.migrate()
    run = run_dag(build_live_dag(get_stream("twitter.mentions")))
    (result,) = [ti.xcom_pull(task_ids=ti.task_id) for ti in run.get_task_instances()]
    assert "rate limited until" in result["note"] and result["inserted"] == 100 + len(fake.served_users)
    assert TOKEN not in json.dumps(result)
