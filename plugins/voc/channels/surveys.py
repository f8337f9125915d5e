"""surveys: the satisfaction survey tool's daily CSV export, one row per response.

Drop folder ``surveys/responses_YYYY-MM-DD.csv`` (UTF-8, header row). Each row lands in ``raw.survey_responses``
keyed by ``response_id``, its payload the row as a dict of header -> string.
"""

from __future__ import annotations

from pathlib import Path

from voc.channels.base import Channel, Page, RawRecord, Rejected, fetch_next_file, read_csv_file
from voc.settings import Settings

NAME = "surveys"
ENTITY = "responses"
PATTERN = "responses_*.csv"
COLUMNS = ("response_id", "submitted_at", "contact_channel", "contact_ref", "csat", "nps", "comment", "language")


def fetch(cursor: str | None, settings: Settings) -> Page:
    """Read the next daily survey export after ``cursor`` (a file name in the surveys drop folder).

    Every data line becomes a response record, or a rejected unit when it is not UTF-8, has the wrong number of
    columns or no ``response_id``; a file without the expected header is rejected whole.
    """
    return fetch_next_file(NAME, settings, PATTERN, cursor, _read)


def _read(path: Path, file_ref: str) -> tuple[list[RawRecord], list[Rejected]]:
    return read_csv_file(path, file_ref, entity=ENTITY, columns=COLUMNS, key_column="response_id")


CHANNEL = Channel(
    name=NAME,
    title="Satisfaction surveys",
    entities={ENTITY: "survey_responses"},
    fetch=fetch,
    description="Survey CSV export: CSAT (1-5) and NPS (0-10) answers rating a phone, email or chat contact.",
)
