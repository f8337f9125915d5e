"""chat: the chat platform's daily JSON export of sessions.

Drop folder ``chat/sessions_YYYY-MM-DD.json``: ``{"export_date": ..., "sessions": [...]}``. Each session lands in
``raw.chat_sessions`` keyed by ``id``, its payload the session object as given (visitor, agent, messages).
"""

from __future__ import annotations

from pathlib import Path

from voc.channels.base import (
    Channel,
    Page,
    RawRecord,
    Rejected,
    fetch_next_file,
    load_json_file,
    read_json_object,
    sort_out,
)
from voc.settings import Settings

NAME = "chat"
ENTITY = "sessions"
PATTERN = "sessions_*.json"


def fetch(cursor: str | None, settings: Settings) -> Page:
    """Read the next daily session export after ``cursor`` (a file name in the chat drop folder).

    A file that is not valid JSON is rejected whole; a session without ``id`` or ``started_at`` is rejected alone
    (``chat/<file>#<index>``, its JSON as the original).
    """
    return fetch_next_file(NAME, settings, PATTERN, cursor, _read)


def _read(path: Path, file_ref: str) -> tuple[list[RawRecord], list[Rejected]]:
    data = path.read_bytes()
    document, reason = load_json_file(data)
    if reason is None and not (isinstance(document, dict) and isinstance(document.get("sessions"), list)):
        reason = "expected a JSON object with a 'sessions' list"
    if reason is not None:
        return [], [Rejected(ENTITY, file_ref, reason, data)]
    return sort_out(_read_session(session, f"{file_ref}#{index}") for index, session in enumerate(document["sessions"]))


def _read_session(session: object, source_ref: str) -> RawRecord | Rejected:
    return read_json_object(session, source_ref, entity=ENTITY, noun="session", required=("id", "started_at"))


CHANNEL = Channel(
    name=NAME,
    title="Web chat",
    entities={ENTITY: "chat_sessions"},
    fetch=fetch,
    description="Chat platform JSON export: one object per session with its visitor, agent and messages.",
)
