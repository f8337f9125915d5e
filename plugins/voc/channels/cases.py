"""cases: the helpdesk's daily CSV export of case status events.

Drop folder ``cases/case_events_YYYY-MM-DD.csv`` (UTF-8, header row). Each row lands in ``raw.case_events`` keyed
by ``event_id``, its payload the row as a dict of header -> string.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from voc.channels.base import Channel, DropFolder, Unit, read_csv_file

NAME = "cases"
ENTITY = "events"
PATTERN = "case_events_*.csv"
COLUMNS = ("event_id", "case_id", "contact_channel", "contact_ref", "status", "event_at", "category", "root_cause", "agent_id")


def read(path: Path, file_ref: str) -> Iterator[Unit]:
    """Every data line becomes a event record, or a rejected unit when it is not UTF-8, has the wrong number of
    columns or no ``event_id``; a file without the expected header is rejected whole."""
    return read_csv_file(path, file_ref, entity=ENTITY, columns=COLUMNS, key_column="event_id")


CHANNEL = Channel(
    name=NAME,
    title="Helpdesk cases",
    entities={ENTITY: "case_events"},
    folder=DropFolder(PATTERN, read),
    description="Helpdesk CSV export of case status changes (new, open, pending, resolved, closed, reopened).",
)
