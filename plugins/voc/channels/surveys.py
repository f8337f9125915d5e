"""surveys: the satisfaction survey tool's daily CSV export, one row per response.

Drop folder ``surveys/responses_YYYY-MM-DD.csv`` (UTF-8, header row). Each row lands in ``raw.survey_responses``
keyed by ``response_id``, its payload the row as a dict of header -> string.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from voc.channels.base import Channel, DropFolder, Unit, read_csv_file

NAME = "surveys"
ENTITY = "responses"
PATTERN = "responses_*.csv"
COLUMNS = ("response_id", "submitted_at", "contact_channel", "contact_ref", "csat", "nps", "comment", "language")


def read(path: Path, file_ref: str) -> Iterator[Unit]:
    """Every data line becomes a response record, or a rejected unit when it is not UTF-8, has the wrong number of
    columns or no ``response_id``; a file without the expected header is rejected whole."""
    return read_csv_file(path, file_ref, entity=ENTITY, columns=COLUMNS, key_column="response_id")


CHANNEL = Channel(
    name=NAME,
    title="Satisfaction surveys",
    entities={ENTITY: "survey_responses"},
    folder=DropFolder(PATTERN, read),
    description="Survey CSV export: CSAT (1-5) and NPS (0-10) answers rating a phone, email or chat contact.",
)
