"""The one shape every channel has.

A channel module exposes a ``CHANNEL``: its raw tables and its drop folder, whose reader turns one file into
records and the units it could not read (kept whole, never dropped), and, for channels with a server, the live
streams that fetch answers into that folder (``voc.channels.live``). It holds no business logic: payloads are the
source's own.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ijson

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
    cursor: str | None = None  # the file (drop folder) or the live stream's cursor this page completes


Unit = RawRecord | Rejected
# reads one file of a drop folder: its units (records and rejected units) in file order, streamed
FileReader = Callable[[Path, str], Iterable[Unit]]


@dataclass(frozen=True)
class DropFolder:
    """A channel whose source is files dropped in a folder (``<sample_dir>/<channel>/``).

    ``read(path, file_ref)`` yields the file's units one at a time (``file_ref`` is ``<channel>/<relative path>``,
    the prefix of every ``source_ref``), so memory is bounded by a landing batch, not by the file. Which files are
    new or changed is the landing's business (``audit.landed_files``), not the channel's: files may arrive in any
    order.
    """

    pattern: str  # glob relative to the channel's folder
    read: FileReader
    order: Callable[[str], Any] | None = None  # sort key of a relative path, when names alone do not sort by delivery

    def files(self, root: Path) -> list[Path]:
        """The folder's files matching ``pattern``, in delivery order (one listing of the folder)."""
        if not root.is_dir():
            return []
        sort_key = self.order or (lambda relative: relative)
        found = [(sort_key(path.relative_to(root).as_posix()), path) for path in root.glob(self.pattern) if path.is_file()]
        return [path for _, path in sorted(found)]


@dataclass(frozen=True)
class Channel:
    """A source: its entities and raw tables, and its drop folder (``folder``: the files its exports arrive as, and
    the replay path of its live streams, ``voc.channels.live``)."""

    name: str
    title: str
    entities: Mapping[str, str]  # entity -> raw table (schema raw)
    folder: DropFolder
    description: str = ""

    @property
    def first_entity(self) -> str:
        """The entity a whole unreadable delivery is quarantined under."""
        return next(iter(self.entities))


# --- helpers shared by the drop-folder channels -------------------------------------------------------------------


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


def storable(payload: Any) -> bool:
    """Whether a payload can be stored as jsonb, decided at C speed where it plainly can: its JSON text has no NUL
    escape and encodes as UTF-8 (no unpaired surrogate). Any doubt (a NUL, a surrogate, or a backslash-u0000 that is
    text) is left to ``unstorable``, which walks the payload and says where."""
    text = json.dumps(payload, ensure_ascii=False)
    if "\\u0000" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def accept(
    entity: str, key: str, payload: dict[str, Any], source_ref: str, original: bytes | Callable[[], bytes]
) -> RawRecord | Rejected:
    """The record, or the unit quarantined when its payload cannot be stored as jsonb. ``original`` may be given as
    a function, called only when the unit is quarantined."""
    reason = None if storable(payload) else unstorable(payload)
    if reason:
        return Rejected(entity, source_ref, reason, original() if callable(original) else original)
    return RawRecord(entity=entity, key=key, payload=payload, source_ref=source_ref)


def read_json_object(
    item: object,
    source_ref: str,
    *,
    entity: str,
    noun: str,
    required: tuple[str, ...] = ("id",),
    storable_text: bool = False,
) -> RawRecord | Rejected:
    """One object of a JSON delivery: the record keyed by its `id`, or the unit quarantined naming what is missing.
    ``storable_text``: the file was found to hold no escape that could make a string unstorable
    (``json_escapes_storable``), so the item is not checked again."""
    if not isinstance(item, dict):
        return Rejected(entity, source_ref, f"{noun} is not a JSON object", json_bytes(item))
    missing = [name for name in required if natural_key(item.get(name)) is None]
    if missing:
        return Rejected(entity, source_ref, f"{noun} has no {', '.join(missing)}", json_bytes(item))
    if storable_text:
        return RawRecord(entity=entity, key=natural_key(item["id"]) or "", payload=item, source_ref=source_ref)
    return accept(entity, natural_key(item["id"]) or "", item, source_ref, lambda: json_bytes(item))


# A \u escape of NUL or of a surrogate: the only way a string of a valid UTF-8 JSON file can be unstorable as jsonb.
_RISKY_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def json_escapes_storable(path: Path, chunk: int = 1 << 18) -> bool:
    """Whether a valid UTF-8 JSON file has no escape that could decode to a NUL or an unpaired surrogate (then no
    item needs checking: JSON forbids raw control characters, and the bytes are valid UTF-8). Read in chunks."""
    tail = b""
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            window = tail + block
            if _RISKY_ESCAPE.search(window):
                return False
            tail = window[-5:]  # an escape is 6 bytes: its first 5 may end this read
    return True


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


# JSON files are streamed (ijson over yajl): one item in memory at a time. Nesting deeper than this is refused
# before any item is built, so a hostile document cannot exhaust the stack or memory; the sources' documents are a
# few levels deep.
MAX_JSON_DEPTH = 64
# A file that fails to parse and is at most this big is parsed again by the json module to say where and how.
JSON_DIAGNOSIS_BYTES = 16 * 1024 * 1024
_JSON_KIND = {
    "start_map": "object",
    "start_array": "array",
    "string": "string",
    "number": "number",
    "integer": "number",
    "double": "number",
    "boolean": "boolean",
    "null": "null",
}
_STARTS = ("start_map", "start_array")
_ENDS = ("end_map", "end_array")


def scan_json(path: Path, watch: Iterable[str]) -> tuple[dict[str, str], str | None]:
    """One streaming pass over a JSON file, building nothing: the JSON kind (``object``, ``array``, ``string``...)
    of each watched ijson prefix (``""`` is the document, ``"includes.users"`` a nested member), or why the file
    cannot be read (not UTF-8, truncated, invalid, or nested deeper than ``MAX_JSON_DEPTH``)."""
    watched = set(watch)
    kinds: dict[str, str] = {}
    depth = 0
    try:
        with path.open("rb") as handle:
            for prefix, event, _ in ijson.parse(handle):
                if event in _STARTS:
                    depth += 1
                    if depth > MAX_JSON_DEPTH:
                        return {}, f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
                elif event in _ENDS:
                    depth -= 1
                    continue
                if prefix in watched and prefix not in kinds and event in _JSON_KIND:
                    kinds[prefix] = _JSON_KIND[event]
    except ijson.JSONError as error:
        return {}, _json_failure(path, error)
    return kinds, None


def _json_failure(path: Path, error: Exception) -> str:
    """Why a file is not JSON, in the json module's words (line and column) when the file is small enough to parse
    again; the parser's first line otherwise. Never quotes the file's content."""
    summary = re.split(r"\n|\\n", str(error), maxsplit=1)[0].removeprefix("b'").strip()
    if path.stat().st_size <= JSON_DIAGNOSIS_BYTES:
        data = path.read_bytes()
        reason = utf8_error(data)
        if reason:
            return reason
        try:
            json.loads(data.decode("utf-8"))
        except json.JSONDecodeError as decode_error:
            return json_error(decode_error)
        except RecursionError:
            return f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
    kind = "truncated JSON" if "premature EOF" in summary else "invalid JSON"
    return f"{kind} ({summary})"


def json_array_items(path: Path, arrays: Iterable[str]) -> Iterator[tuple[str, int, Any]]:
    """The items of the named arrays (ijson prefixes, e.g. ``"sessions"``, ``"includes.users"``), array by array
    and each in document order, as ``(array, index, item)``, built one at a time by ijson's C backend. Call
    ``scan_json`` first: this assumes a valid document."""
    for array in arrays:
        with path.open("rb") as handle:
            for index, item in enumerate(ijson.items(handle, f"{array}.item" if array else "item", use_float=True)):
                yield array, index, item


def json_bytes(value: Any) -> bytes:
    """The JSON bytes of one item of a parsed file (its quarantined original)."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


def read_csv_file(path: Path, file_ref: str, *, entity: str, columns: Iterable[str], key_column: str) -> Iterator[Unit]:
    """Read a header-first CSV export line by line; every data line is a record or a rejected unit.

    Lines are decoded one by one so a badly encoded line is quarantined alone (``<file_ref>:<line>``, 1-based
    physical line, the header being line 1). A file whose header lacks one of ``columns`` is rejected whole.
    Blank lines are not units. Payload: header -> string, as read. The file is streamed: one line in memory at a time.
    """
    with path.open("rb") as handle:
        first = handle.readline()
        if not first.strip() and all(not line.strip() for line in handle):
            yield Rejected(entity, file_ref, "empty file: no header row", path.read_bytes())
            return
        header_bytes = first.removeprefix(b"\xef\xbb\xbf").removesuffix(b"\n").removesuffix(b"\r")
        reason = utf8_error(header_bytes, "the header row")
        if reason is None:
            try:
                header = next(csv.reader([header_bytes.decode("utf-8")], strict=True), [])
            except csv.Error as error:
                reason = f"the header row is not valid CSV: {error}"
        if reason is None:
            expected = list(columns)
            missing = [name for name in expected if name not in header]
            duplicated = sorted({name for name in header if header.count(name) > 1})
            if missing:
                reason = f"the header row lacks column(s) {', '.join(missing)}; expected {','.join(expected)}"
            elif duplicated:
                reason = f"the header row repeats column(s) {', '.join(duplicated)}"
        if reason is not None:
            yield Rejected(entity, file_ref, reason, path.read_bytes())
            return
        number = 2
        while block := handle.readlines(CSV_BLOCK_BYTES):
            yield from _read_csv_block(block, number, file_ref, entity, header, key_column)
            number += len(block)


# CSV lines are read in blocks of about this many bytes (memory stays bounded whatever the file's size).
CSV_BLOCK_BYTES = 1 << 16


def _read_csv_block(
    block: list[bytes], first: int, file_ref: str, entity: str, header: list[str], key_column: str
) -> Iterator[RawRecord | Rejected]:
    """The units of consecutive physical lines (``first`` is the first one's number); each line is a record on its
    own. Where it gives what reading each line alone gives, the block is read at once: its text decoded in one call
    and its lines given to one ``csv.reader``, as long as the reader reads each line as exactly one row; from a line
    it cannot (a quote left open, a malformed line, a NUL, a carriage return inside a line, bytes that are not UTF-8)
    on, line by line (``_read_csv_line``), which says which line is wrong and why."""
    lines = [raw.removesuffix(b"\n").removesuffix(b"\r") for raw in block]
    numbered: list[tuple[int, str]] = []
    joined = b"\n".join(lines)
    if b"\x00" not in joined and b"\r" not in joined:
        try:
            texts = joined.decode("utf-8").split("\n")  # one per line: no other UTF-8 character holds 0x0a
        except UnicodeDecodeError:
            texts = []
        numbered = [(number, text) for number, (line, text) in enumerate(zip(lines, texts, strict=False), first) if line.strip()]
    done = 0  # lines of `numbered` read as rows of their own
    if numbered:
        reader = csv.reader((text for _, text in numbered), strict=True)
        width = len(header)
        try:
            for (number, _), values in zip(numbered, reader, strict=False):
                if reader.line_num != done + 1:
                    break  # a quoted field ran on into the next line: each line is a record of its own
                done += 1
                source_ref = f"{file_ref}:{number}"
                if len(values) != width:
                    yield Rejected(entity, source_ref, f"expected {width} columns, found {len(values)}", lines[number - first])
                    continue
                payload = dict(zip(header, values, strict=True))
                key = natural_key(payload[key_column])
                if key is None:
                    yield Rejected(entity, source_ref, f"missing {key_column}", lines[number - first])
                else:
                    yield RawRecord(entity=entity, key=key, payload=payload, source_ref=source_ref)
        except csv.Error:
            pass
    if not numbered:
        start = first  # nothing read at once: every line alone
    elif done < len(numbered):
        start = numbered[done][0]  # the line the block could not be read past, and the rest
    else:
        start = first + len(lines)
    for number in range(start, first + len(lines)):
        line = lines[number - first]
        if line.strip():
            yield _read_csv_line(line, f"{file_ref}:{number}", entity, header, key_column)


def _read_csv_line(line: bytes, source_ref: str, entity: str, header: list[str], key_column: str) -> RawRecord | Rejected:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return Rejected(entity, source_ref, utf8_error(line) or "not valid UTF-8", line)
    try:
        rows = list(csv.reader([text], strict=True))
    except csv.Error as error:
        return Rejected(entity, source_ref, f"malformed CSV line: {error}", line)
    values = rows[0] if rows else []
    if len(values) != len(header):
        return Rejected(entity, source_ref, f"expected {len(header)} columns, found {len(values)}", line)
    payload = dict(zip(header, values, strict=True))
    key = natural_key(payload[key_column])
    if key is None:
        return Rejected(entity, source_ref, f"missing {key_column}", line)
    if b"\x00" in line:  # decoded from UTF-8, the values hold no unpaired surrogate: only a NUL can stop them
        return accept(entity, key, payload, source_ref, line)
    return RawRecord(entity=entity, key=key, payload=payload, source_ref=source_ref)
