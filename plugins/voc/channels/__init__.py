"""The channel registry: every source the platform lands, in a stable order.

``REGISTRY`` maps a channel name to its :class:`~voc.channels.base.Channel` (entities, raw tables, ``fetch``); the
ingest DAGs and the landing are generated from it. ``get_channel(name)`` looks one up.
"""

from __future__ import annotations

from voc.channels import cases, chat, facebook, mail, phone, surveys, twitter, web
from voc.channels.base import Channel, Page, RawRecord, Rejected

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
    )
}


def get_channel(name: str) -> Channel:
    """The channel called ``name``; ``KeyError`` naming the known channels when there is none."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown channel {name!r}; known channels: {', '.join(REGISTRY)}") from None


__all__ = ["REGISTRY", "Channel", "Page", "RawRecord", "Rejected", "get_channel"]
