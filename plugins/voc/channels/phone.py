"""phone: the call-centre's daily CSV export, one row per call.

Drop folder ``phone/calls_YYYY-MM-DD.csv`` (UTF-8, header row). Each row lands in ``raw.phone_calls`` keyed by
``call_id``, its payload the row as a dict of header -> string.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from voc.channels.base import Channel, DropFolder, Unit, read_csv_file

NAME = "phone"
ENTITY = "calls"
PATTERN = "calls_*.csv"
COLUMNS = (
    "call_id",
    "caller_number",
    "queue",
    "agent_id",
    "started_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "talk_seconds",
    "abandoned",
    "disposition_code",
    "callback_requested",
    "language",
)


def read(path: Path, file_ref: str) -> Iterator[Unit]:
    """Every data line becomes a call record, or a rejected unit when it is not UTF-8, has the wrong number of
    columns or no ``call_id``; a file without the expected header is rejected whole."""
    return read_csv_file(path, file_ref, entity=ENTITY, columns=COLUMNS, key_column="call_id")


CHANNEL = Channel(
    name=NAME,
    title="Phone",
    entities={ENTITY: "phone_calls"},
    folder=DropFolder(PATTERN, read),
    description="Call-centre CSV export: one row per inbound call, answered or abandoned.",
)
