"""Live streams: channels read from their servers (X API v2, web feeds over HTTP), not from files someone dropped.

A stream (``LiveStream``) asks its server for what came after its cursor, one response at a time
(``fetch(cursor, settings) -> Fetched``). The response's bytes are kept in the channel's drop folder as a file of
the channel's own format (an X API page, a feed snapshot), read by the same reader as any dropped file, and landed
with the new cursor in one transaction (``voc.landing.land_stream``): the same payloads, the same quarantine, and
the drop folder stays the replay path (``voc land CHANNEL --from-start``) and what an erasure cuts.

Failures, all with the stream and the server named, never the credentials:

- HTTP 429 with a reset time within ``VOC_LIVE_MAX_WAIT_SECONDS``: wait for it and go on; further away: stop,
  successfully, with the cursor where it stopped (``Fetched.note`` says until when), so the next run resumes;
- HTTP 429 without a reset time, 5xx, timeouts and refused connections: retried ``VOC_LIVE_RETRIES`` times with
  capped exponential backoff and full jitter, then ``LiveSourceError``; what landed before keeps its cursor;
- a refused credential (401/403) or another 4xx: ``LiveSourceError`` at once;
- a response that is not what the API documents (truncated or invalid JSON, a broken feed): retried like a server
  error, then kept and quarantined whole, and the run fails with the cursor unchanged.
"""

from __future__ import annotations

import hashlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from voc.settings import Settings

log = logging.getLogger(__name__)


# a request rate-limited again after this many waits ends the run like a far reset (resumable)
MAX_RATE_LIMIT_WAITS = 3


class LiveSourceError(RuntimeError):
    """A live source could not be read; the message names the stream, the server and what to do."""


class Retryable(Exception):
    """A failure worth another attempt (a 5xx, a 429 without a reset time, a timeout, a malformed response)."""

    def __init__(self, reason: str, content: bytes | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.content = content  # a malformed response's bytes, kept if every attempt gives one


class RateLimited(Exception):
    """HTTP 429 with the time the limit resets (epoch seconds)."""

    def __init__(self, reset_at: float) -> None:
        super().__init__(f"rate limited until {reset_at}")
        self.reset_at = reset_at


@dataclass(frozen=True)
class Fetched:
    """One response of a live source."""

    content: bytes | None  # the body, kept as the channel's file; None when nothing new came (304, an empty page)
    file_name: str | None  # the file's path in the channel's folder
    cursor: str | None  # where to resume once this has landed
    has_more: bool = False
    note: str | None = None  # why the run stops early (a rate limit), for the log
    malformed: str | None = None  # the response is kept and quarantined, and the run fails with this reason


@dataclass(frozen=True)
class LiveStream:
    """A stream of one channel: its cursor is kept under ``name`` in ``audit.channel_cursors``."""

    name: str  # e.g. "twitter.mentions", "web.alertas_prensa"
    channel: str  # the channel whose raw tables, reader and drop folder it uses
    title: str
    fetch: Callable[[str | None, Settings], Fetched]
    conn_id: str | None = None  # the Airflow connection it needs (None: none)
    schedule: str = "@hourly"


def connection(conn_id: str) -> Any:
    """An Airflow connection by Airflow's own lookup (environment ``AIRFLOW_CONN_*``, metadata database, secrets
    backend); ``LiveSourceError`` naming it when it is not defined."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return Connection.get(conn_id)
    except AirflowNotFoundException:
        raise LiveSourceError(
            f"the Airflow connection {conn_id} is not defined: add it (AIRFLOW_CONN_{conn_id.upper()}, "
            "`airflow connections add`, or your secrets backend); README, 'Live channels'"
        ) from None


def with_retries(
    call: Callable[[], Fetched],
    *,
    what: str,
    settings: Settings,
    on_rate_limit: Callable[[float], Fetched] | None = None,
    on_malformed: Callable[[str, bytes], Fetched] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Fetched:
    """Run one request with the failure rules of the module docstring. ``on_rate_limit(reset_at)`` says what a
    run stopped by a far rate limit returns, ``on_malformed(reason, content)`` what a response that stayed malformed
    returns (without them, both end in ``LiveSourceError``)."""
    attempts = settings.live_retries + 1
    failures = waits = 0
    while True:
        try:
            return call()
        except RateLimited as limit:
            wait = max(0.0, limit.reset_at - time.time()) + 1
            waits += 1
            if wait > settings.live_max_wait_seconds or waits > MAX_RATE_LIMIT_WAITS:
                if on_rate_limit is None:
                    raise LiveSourceError(f"{what}: rate limited until {until(limit.reset_at)}") from None
                return on_rate_limit(limit.reset_at)
            log.warning("%s: rate limited; waiting %.0f s for the limit to reset", what, wait)
            sleep(wait)
        except Retryable as failure:
            failures += 1
            if failures == attempts:
                if failure.content is not None and on_malformed is not None:
                    return on_malformed(failure.reason, failure.content)
                raise LiveSourceError(f"{what}: {failure.reason}, {attempts} attempts") from None
            delay = random.uniform(0, min(settings.live_max_wait_seconds, settings.live_backoff_seconds * 2 ** (failures - 1)))
            log.warning("%s: %s; attempt %d of %d, next in %.1f s", what, failure.reason, failures, attempts, delay)
            sleep(delay)


def stamp(now: datetime | None = None) -> str:
    """A file-name timestamp that sorts in fetch order (UTC, microseconds)."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")


def short_hash(content: bytes, length: int = 12) -> str:
    return hashlib.sha256(content).hexdigest()[:length]


def until(reset_at: float) -> str:
    return datetime.fromtimestamp(reset_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
