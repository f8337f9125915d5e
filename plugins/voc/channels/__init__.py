"""The channel registry: every source the platform lands, in a stable order.

``REGISTRY`` maps a channel name to its :class:`~voc.channels.base.Channel` (entities, raw tables, ``fetch``); the
ingest DAGs and the landing are generated from it. ``get_channel(name)`` looks one up. ``live_streams(settings)``
lists the streams read from their servers (``voc.channels.live``), named ``<channel>.<stream>``.
"""

from __future__ import annotations

import csv

from voc.channels import actions, cases, chat, facebook, mail, phone, surveys, twitter, web
from voc.channels.base import Channel, Page, RawRecord, Rejected
from voc.channels.live import LiveStream
from voc.settings import PROJECT_ROOT, Settings, get_settings

REGISTRY: dict[str, Channel] = {
    channel.name: channel
    for channel in (
        phone.CHANNEL,
        mail.CHANNEL,
        chat.CHANNEL,
        twitter.CHANNEL,
        facebook.CHANNEL,
        web.CHANNEL,
        surveys.CHANNEL,
        cases.CHANNEL,
        actions.CHANNEL,
    )
}


def get_channel(name: str) -> Channel:
    """The channel called ``name``; ``KeyError`` naming the known channels when there is none."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown channel {name!r}; known channels: {', '.join(REGISTRY)}") from None


def reference() -> list[dict[str, str]]:
    """The channels' reference data as dbt seeds it (``dbt_project/seeds/channels.csv``: name, kind, whether the
    channel brings contacts and expects responses, its first-response SLA), one row per channel of ``REGISTRY``, in
    its order; the sample, the quality gate and dbt read the channels from here or from the registry, never from a
    copy (a test holds the two together)."""
    with (PROJECT_ROOT / "dbt_project" / "seeds" / "channels.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def contact_channels() -> tuple[str, ...]:
    """The channels whose records are customers' contacts (``is_contact_channel`` in the channels seed)."""
    return tuple(row["channel"] for row in reference() if row["is_contact_channel"] == "true")


def live_streams(settings: Settings | None = None) -> dict[str, LiveStream]:
    """The live streams: X's three, the Facebook page's feed, the mailbox over IMAP, and one per configured web feed (``VOC_WEB_FEEDS``)."""
    settings = settings or get_settings()
    return {stream.name: stream for stream in (*twitter.STREAMS, *facebook.STREAMS, *mail.STREAMS, *web.streams(settings))}


def get_stream(name: str, settings: Settings | None = None) -> LiveStream:
    """The live stream called ``name``; ``KeyError`` naming the known ones when there is none."""
    streams = live_streams(settings)
    try:
        return streams[name]
    except KeyError:
        raise KeyError(f"unknown live stream {name!r}; known: {', '.join(streams) or 'none'}") from None


__all__ = [
    "REGISTRY",
    "Channel",
    "LiveStream",
    "Page",
    "RawRecord",
    "Rejected",
    "contact_channels",
    "get_channel",
    "get_stream",
    "live_streams",
    "reference",
]
