"""chat: the chat platform's daily JSON export of sessions.

Drop folder ``chat/sessions_YYYY-MM-DD.json``: ``{"export_date": ..., "sessions": [...]}``. Each session lands in
``raw.chat_sessions`` keyed by ``id``, its payload the session object as given (visitor, agent, messages).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from voc.channels.base import (
    Channel,
    DropFolder,
    Rejected,
    Unit,
    json_array_items,
    json_escapes_storable,
    read_json_object,
    scan_json,
)

NAME = "chat"
ENTITY = "sessions"
PATTERN = "sessions_*.json"


def read(path: Path, file_ref: str) -> Iterator[Unit]:
    """A daily session export, streamed session by session.

    A file that is not valid JSON (or nested deeper than any export is) is rejected whole; a session without ``id``
    or ``started_at`` is rejected alone (``chat/<file>#<index>``, its JSON as the original).
    """
    kinds, reason = scan_json(path, ("", "sessions"))
    if reason is None and (kinds.get("") != "object" or kinds.get("sessions") != "array"):
        reason = "expected a JSON object with a 'sessions' list"
    if reason is not None:
        yield Rejected(ENTITY, file_ref, reason, path.read_bytes())
        return
    plain = json_escapes_storable(path)
    for _, index, session in json_array_items(path, ("sessions",)):
        yield read_json_object(
            session, f"{file_ref}#{index}", entity=ENTITY, noun="session", required=("id", "started_at"), storable_text=plain
        )


CHANNEL = Channel(
    name=NAME,
    title="Web chat",
    entities={ENTITY: "chat_sessions"},
    folder=DropFolder(PATTERN, read),
    description="Chat platform JSON export: one object per session with its visitor, agent and messages.",
)
