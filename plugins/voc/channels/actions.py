"""actions: the quality office's corrective-action register (ISO 9001 10.2), exported as CSV.

Drop folder ``actions/corrective_actions_YYYY-MM-DD.csv`` (UTF-8, header row): each file is the whole register on
that day. Each row lands in ``raw.corrective_actions`` keyed by ``action_id``, its payload the row as a dict of
header -> string; a later export of the same action (closed, its due date moved) replaces the earlier row, and an
action that a later export no longer lists stays as it was last exported (a register keeps its records).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from voc.channels.base import Channel, DropFolder, Unit, read_csv_file

NAME = "actions"
ENTITY = "actions"
PATTERN = "corrective_actions_*.csv"
COLUMNS = (
    "action_id",
    "root_cause",
    "description",
    "opened_on",
    "due_on",
    "closed_on",
    "owner_role",
    "effectiveness_check_on",
)


def read(path: Path, file_ref: str) -> Iterator[Unit]:
    """Every data line becomes an action record, or a rejected unit when it is not UTF-8, has the wrong number of
    columns or no ``action_id``; a file without the expected header is rejected whole."""
    return read_csv_file(path, file_ref, entity=ENTITY, columns=COLUMNS, key_column="action_id")


CHANNEL = Channel(
    name=NAME,
    title="Corrective-action register",
    entities={ENTITY: "corrective_actions"},
    folder=DropFolder(PATTERN, read),
    description="The quality office's register of corrective actions per root cause (opened, due, closed, effectiveness check).",
)
