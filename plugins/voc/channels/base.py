"""The one shape every channel has.

A channel module exposes ``fetch(cursor, settings) -> Page`` and a ``CHANNEL`` description. ``fetch`` returns the
records the source gave after ``cursor`` (at most one delivery unit: a file, an API page), the records it could not
read (kept whole, never dropped), and the cursor to resume from. It holds no business logic: payloads are the
source's own.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voc.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RawRecord:
    """One record as the source gave it."""

    entity: str  # e.g. "calls"; selects the raw table
    key: str  # the source's natural key
    payload: dict[str, Any]  # JSON-serialisable, the source's own fields
    source_ref: str  # "phone/calls_2026-08-03.csv:17"


@dataclass(frozen=True)
class Rejected:
    """A record that could not be read: quarantined with its original bytes."""

    entity: str
    source_ref: str
    reason: str  # says what is wrong, e.g. "missing call_id"
    original: bytes


@dataclass
class Page:
    records: list[RawRecord] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    cursor: str | None = None  # the cursor to persist once this page has landed
    has_more: bool = False  # True when fetch should be called again with `cursor`


@dataclass(frozen=True)
class Channel:
    name: str
    title: str
    entities: Mapping[str, str]  # entity -> raw table (schema raw)
    fetch: Callable[[str | None, Settings], Page]
    description: str = ""


def next_file(
    root: Path, pattern: str, cursor: str | None, *, order: Callable[[str], Any] | None = None
) -> tuple[Path | None, bool]:
    """The first file under ``root`` matching ``pattern`` whose relative path sorts after ``cursor``.

    ``order`` maps a relative path to its sort key when file names alone do not sort in delivery order (default: the
    relative path itself). Returns the file (or None when there is nothing new) and whether more files follow it.
    """
    if not root.is_dir():
        return None, False
    sort_key = order or (lambda relative: relative)
    after = None if cursor is None else sort_key(cursor)
    pending = sorted(
        (sort_key(path.relative_to(root).as_posix()), path)
        for path in root.glob(pattern)
        if path.is_file() and (after is None or sort_key(path.relative_to(root).as_posix()) > after)
    )
    if not pending:
        return None, False
    return pending[0][1], len(pending) > 1


# --- helpers shared by the drop-folder channels -------------------------------------------------------------------

FileReader = Callable[[Path, str], tuple[list[RawRecord], list[Rejected]]]


def fetch_next_file(
    channel: str,
    settings: Settings,
    pattern: str,
    cursor: str | None,
    read: FileReader,
    *,
    order: Callable[[str], Any] | None = None,
) -> Page:
    """Read the next file of a channel's drop folder after ``cursor``: one file per call.

    ``read(path, file_ref)`` turns the file into records and rejected units; ``file_ref`` is ``<channel>/<relative
    path>``, the prefix of every ``source_ref``. The page's cursor is the file's path relative to the channel folder.
    With nothing new the page is empty and keeps ``cursor``.
    """
    root = settings.channel_dir(channel)
    path, has_more = next_file(root, pattern, cursor, order=order)
    if path is None:
        return Page(cursor=cursor, has_more=False)
    relative = path.relative_to(root).as_posix()
    file_ref = f"{channel}/{relative}"
    records, rejected = read(path, file_ref)
    log.info("%s: %d records, %d rejected", file_ref, len(records), len(rejected))
    for unit in rejected:
        log.warning("quarantined %s (%s): %s", unit.source_ref, unit.entity, unit.reason)
    return Page(records=records, rejected=rejected, cursor=relative, has_more=has_more)


def natural_key(value: Any) -> str | None:
    """A usable natural key from a source value: a non-blank string or an integer, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value
    return None


def unstorable(payload: Any, where: str = "") -> str | None:
    """Why a payload cannot be stored as PostgreSQL jsonb (a NUL character, an unpaired surrogate), or None."""
    if isinstance(payload, str):
        if "\x00" in payload:
            return f"contains a NUL character{where}"
        try:
            payload.encode("utf-8")
        except UnicodeEncodeError as error:
            return f"contains an unpaired surrogate at character {error.start}{where}"
        return None
    if isinstance(payload, Mapping):
        for name, value in payload.items():
            reason = unstorable(name, f" in a field name{where}") or unstorable(value, f" in '{name}'" if not where else where)
            if reason:
                return reason
        return None
    if isinstance(payload, list | tuple):
        for value in payload:
            reason = unstorable(value, where)
            if reason:
                return reason
    return None


def accept(entity: str, key: str, payload: dict[str, Any], source_ref: str, original: bytes) -> RawRecord | Rejected:
    """The record, or the unit quarantined when its payload cannot be stored as jsonb."""
    reason = unstorable(payload)
    if reason:
        return Rejected(entity, source_ref, reason, original)
    return RawRecord(entity=entity, key=key, payload=payload, source_ref=source_ref)


def read_json_object(
    item: object, source_ref: str, *, entity: str, noun: str, required: tuple[str, ...] = ("id",)
) -> RawRecord | Rejected:
    """One object of a JSON delivery: the record keyed by its `id`, or the unit quarantined naming what is missing."""
    original = json_bytes(item)
    if not isinstance(item, dict):
        return Rejected(entity, source_ref, f"{noun} is not a JSON object", original)
    missing = [name for name in required if natural_key(item.get(name)) is None]
    if missing:
        return Rejected(entity, source_ref, f"{noun} has no {', '.join(missing)}", original)
    return accept(entity, natural_key(item["id"]) or "", item, source_ref, original)


def sort_out(results: Iterable[RawRecord | Rejected]) -> tuple[list[RawRecord], list[Rejected]]:
    """Split readers' results into records and rejected units, keeping their order."""
    records: list[RawRecord] = []
    rejected: list[Rejected] = []
    for result in results:
        (records if isinstance(result, RawRecord) else rejected).append(result)
    return records, rejected


def utf8_error(data: bytes, what: str = "") -> str | None:
    """Why ``data`` is not UTF-8 ("not valid UTF-8 at byte offset 23 (0xe9)"), or None."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        subject = f"{what} is not" if what else "not"
        return f"{subject} valid UTF-8 at byte offset {error.start} (0x{data[error.start]:02x}); the source must export UTF-8"
    return None


def json_error(error: json.JSONDecodeError) -> str:
    """A JSON parse error in words: truncated (the text ends early) or invalid."""
    stripped_end = len(error.doc.rstrip())
    truncated = error.pos >= stripped_end or error.msg.startswith("Unterminated string")
    kind = "truncated JSON" if truncated else "invalid JSON"
    # json's own messages may end in " at" ("Unterminated string starting at"): the position completes them.
    return f"{kind}: {error.msg.removesuffix(' at')} at line {error.lineno} column {error.colno}"


def load_json_file(data: bytes) -> tuple[Any, str | None]:
    """Parse a whole JSON file: (document, None), or (None, why it cannot be read)."""
    reason = utf8_error(data)
    if reason:
        return None, reason
    try:
        return json.loads(data.decode("utf-8")), None
    except json.JSONDecodeError as error:
        return None, json_error(error)


def json_bytes(value: Any) -> bytes:
    """The JSON bytes of one item of a parsed file (its quarantined original)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def read_csv_file(
    path: Path, file_ref: str, *, entity: str, columns: Iterable[str], key_column: str
) -> tuple[list[RawRecord], list[Rejected]]:
    """Read a header-first CSV export line by line; every data line is a record or a rejected unit.

    Lines are decoded one by one so a badly encoded line is quarantined alone (``<file_ref>:<line>``, 1-based
    physical line, the header being line 1). A file whose header lacks one of ``columns`` is rejected whole.
    Blank lines are not units. Payload: header -> string, as read.
    """
    data = path.read_bytes()
    lines = data.split(b"\n")
    if not data.strip():
        return [], [Rejected(entity, file_ref, "empty file: no header row", data)]
    header_bytes = lines[0].removeprefix(b"\xef\xbb\xbf").removesuffix(b"\r")
    reason = utf8_error(header_bytes, "the header row")
    if reason:
        return [], [Rejected(entity, file_ref, reason, data)]
    try:
        header = next(csv.reader([header_bytes.decode("utf-8")], strict=True), [])
    except csv.Error as error:
        return [], [Rejected(entity, file_ref, f"the header row is not valid CSV: {error}", data)]
    expected = list(columns)
    missing = [name for name in expected if name not in header]
    if missing:
        return [], [
            Rejected(
                entity,
                file_ref,
                f"the header row lacks column(s) {', '.join(missing)}; expected {','.join(expected)}",
                data,
            )
        ]
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        return [], [Rejected(entity, file_ref, f"the header row repeats column(s) {', '.join(duplicated)}", data)]

    results: list[RawRecord | Rejected] = []
    for number, raw_line in enumerate(lines[1:], start=2):
        line = raw_line.removesuffix(b"\r")
        if not line.strip():
            continue
        source_ref = f"{file_ref}:{number}"
        results.append(_read_csv_line(line, source_ref, entity, header, key_column))
    return sort_out(results)


def _read_csv_line(line: bytes, source_ref: str, entity: str, header: list[str], key_column: str) -> RawRecord | Rejected:
    reason = utf8_error(line)
    if reason:
        return Rejected(entity, source_ref, reason, line)
    try:
        rows = list(csv.reader([line.decode("utf-8")], strict=True))
    except csv.Error as error:
        return Rejected(entity, source_ref, f"malformed CSV line: {error}", line)
    values = rows[0] if rows else []
    if len(values) != len(header):
        return Rejected(entity, source_ref, f"expected {len(header)} columns, found {len(values)}", line)
    payload = dict(zip(header, values, strict=True))
    key = natural_key(payload[key_column])
    if key is None:
        return Rejected(entity, source_ref, f"missing {key_column}", line)
    return accept(entity, key, payload, source_ref, line)
