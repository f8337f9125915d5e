"""Erasure in the drop folder: the files a person's records were landed from, cut without them (``voc.erasure``).

A file is cut into the units its channel reads, and the units that name the person (or, in the second pass, refer
to what was removed) are cut out, with the rules the warehouse's records are erased by (``erasure.Match``):

- a CSV export (phone, surveys, cases): a line; it becomes blank, so every other line keeps its number;
- an mbox (email): a message with its ``From`` line;
- a feed snapshot (web): an ``item``/``entry`` element;
- a JSON delivery (chat, Facebook, X): an object in an array, at any depth (a session, a post, a comment, a tweet, a
  user); the document is written again from its parsed value.

Every byte outside the cut units stays as it was (JSON: every value). A channel's file that cannot be cut into
units (not UTF-8, broken, not its format) and names the person is deleted whole: the warehouse held it only in
quarantine, whose copy the erasure deletes too. A file no channel reads is never touched: it is reported.

Files are replaced atomically, and the landing manifest (``audit.landed_files``) learns the new content in the
erasure's transaction, so the next landing does not read a cut file again; a replay from the start reads it without
the person.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from voc.erasure import Match

_MBOX_FROM = re.compile(rb"^From ", re.MULTILINE)
_MESSAGE_ID = re.compile(rb"^message-id:\s*<([^>\r\n]+)>", re.MULTILINE | re.IGNORECASE)


class Uncuttable(ValueError):
    """The file cannot be cut into its channel's units."""


@dataclass
class Cut:
    """One drop-folder file an erasure changes."""

    channel: str
    relative: str  # to the channel's folder, as audit.landed_files has it
    original_sha256: str
    content: bytes | None  # None: the file is deleted whole
    units_removed: int = 0
    removed_ids: list[str] = field(default_factory=list)


def names_person(data: bytes, match: Match) -> bool:
    """Whether the bytes name the person: an identifier in them (read as UTF-8, as Latin-1, and with XML/HTML
    character references resolved), or, in the references pass, a removed record's key in angle brackets."""
    texts = [data.decode("utf-8", "replace"), data.decode("latin-1")]
    if not match.keys:
        texts.append(html.unescape(texts[0]))
    return any(match.scalar(text) for text in texts)


def _cut_csv(data: bytes, match: Match) -> tuple[bytes, int, list[str]]:
    lines = data.splitlines(keepends=True)
    if not lines:
        return data, 0, []
    header_text = lines[0].removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace").rstrip("\r\n")
    try:
        header = next(csv.reader([header_text]), [])
    except csv.Error as error:
        raise Uncuttable(f"the header row is not valid CSV: {error}") from None
    kept, removed = [lines[0]], 0
    for line in lines[1:]:
        body = line.rstrip(b"\r\n")
        text = body.decode("utf-8", "replace")
        try:
            values = next(csv.reader([text], strict=True), [])
            row = dict(zip(header, values, strict=True)) if len(values) == len(header) else dict(enumerate(values))
        except csv.Error:
            row = {0: text}
        if text.strip() and (match.own(row) or (not match.keys and match.scalar(text))):
            kept.append(line[len(body) :])  # the line ending alone: a blank line is no unit, the numbers stay
            removed += 1
        else:
            kept.append(line)
    return b"".join(kept), removed, []


def _mbox_message(unit: bytes) -> bytes:
    """A unit's message as ``voc.channels.mail.mbox_messages`` gives it: without the ``From`` line and the blank
    line that separates it from the next."""
    message = unit.split(b"\n", 1)[1] if b"\n" in unit else b""
    return message[:-1] if message.endswith(b"\n\n") or message == b"\n" else message


def _cut_mbox(data: bytes, match: Match) -> tuple[bytes, int, list[str]]:
    from voc.channels import mail
    from voc.channels.base import RawRecord

    starts = [found.start() for found in _MBOX_FROM.finditer(data)]
    if not starts or data[: starts[0]].strip():
        raise Uncuttable("not an mbox file: it does not start with a 'From ' line")
    kept, removed, ids = [data[: starts[0]]], 0, []
    for start, end in zip(starts, [*starts[1:], len(data)], strict=True):
        unit = data[start:end]
        read = mail._read_message(_mbox_message(unit), "erasure")
        payload_names = isinstance(read, RawRecord) and match.own(read.payload)
        if payload_names or names_person(unit, match):
            removed += 1
            # its Message-ID, for the replies that refer to it (read from the bytes: a quarantined message has one too)
            header = re.split(rb"\r?\n\r?\n", _mbox_message(unit), maxsplit=1)[0]
            found = _MESSAGE_ID.search(header)
            if found:
                ids.append(found.group(1).decode("utf-8", "replace").strip())
        else:
            kept.append(unit)
    return b"".join(kept), removed, ids


def _cut_feed(data: bytes, match: Match) -> tuple[bytes, int, list[str]]:
    from voc.channels import web

    spans, reason = web.item_spans(data)
    if reason is not None:
        raise Uncuttable(reason)
    kept, removed, position = [], 0, 0
    for start, end in spans:
        if names_person(data[start:end], match):
            kept.append(data[position:start])
            position = end
            removed += 1
    kept.append(data[position:])
    return b"".join(kept), removed, []


def _cut_json(data: bytes, match: Match) -> tuple[bytes | None, int, list[str]]:
    from voc.erasure import collect_ids, prune

    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise Uncuttable(f"not JSON ({type(error).__name__})") from None
    if isinstance(document, dict) and match.own(document):
        ids: list[str] = []
        collect_ids(document, ids)
        return None, 1, ids
    removed: list[str] = []
    before = json.dumps(document, ensure_ascii=False)
    pruned = prune(document, match, removed)
    if json.dumps(pruned, ensure_ascii=False) == before:
        return data, 0, []
    indent = 2 if data.lstrip()[1:2] in (b"\n", b"\r") else None
    text = json.dumps(pruned, ensure_ascii=False, indent=indent) + ("\n" if data.endswith(b"\n") else "")
    return text.encode("utf-8"), max(1, len(removed)), [key for key in removed if key]


CUTTERS = {".csv": _cut_csv, ".mbox": _cut_mbox, ".xml": _cut_feed, ".json": _cut_json}


class DropFolderErasure:
    """The drop folder as one erasure sees it: the cut content of each file it changes, kept in memory until
    ``write`` replaces the files."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.cuts: dict[Path, Cut] = {}
        self.untouchable: dict[Path, str] = {}  # file -> why it still names the person

    def _channel_files(self) -> dict[Path, str]:
        from voc.channels import REGISTRY

        files: dict[Path, str] = {}
        for channel in REGISTRY.values():
            for path in channel.folder.files(self.folder / channel.name):
                files[path] = channel.name
        return files

    def cut(self, match: Match) -> list[str]:
        """Cut what ``match`` names out of every file (the content of earlier passes, when cut already); returns the
        ids of the JSON objects removed, for the next pass's references."""
        if not self.folder.is_dir():
            return []
        channel_files = self._channel_files()
        ids: list[str] = []
        for path in sorted(self.folder.rglob("*")):
            if not path.is_file() or path.name == ".voc-sample" or path in self.untouchable:
                continue
            earlier = self.cuts.get(path)
            if earlier is not None and earlier.content is None:
                continue
            data = earlier.content if earlier is not None else path.read_bytes()
            quick = match.keys and any(key.encode() in data for key in match.keys)
            if not (quick or names_person(data, match)):
                continue
            channel = channel_files.get(path)
            if channel is None:
                if names_person(data, match):
                    self.untouchable[path] = "no channel reads this file: delete or replace it yourself"
                continue
            try:
                content, removed, found = CUTTERS[path.suffix](data, match)
            except Uncuttable:
                if match.keys or not names_person(data, match):
                    continue
                content, removed, found = None, 1, []  # held only in quarantine, which the erasure empties too
            if not removed:
                continue
            entry = earlier or Cut(
                channel, path.relative_to(self.folder / channel).as_posix(), hashlib.sha256(data).hexdigest(), content
            )
            entry.content = content
            entry.units_removed += removed
            entry.removed_ids += found
            self.cuts[path] = entry
            ids += found
        return ids

    def check(self, match: Match) -> None:
        """Files whose cut content still names the person (an identifier the units' rules did not reach, e.g. in
        a header line) are reported, not written as done."""
        for path, entry in list(self.cuts.items()):
            if entry.content is not None and names_person(entry.content, match):
                self.untouchable[path] = "still names the person after its units were cut"
                del self.cuts[path]

    @property
    def rewritten(self) -> list[Path]:
        return [path.relative_to(self.folder) for path, entry in self.cuts.items() if entry.content is not None]

    @property
    def deleted(self) -> list[Path]:
        return [path.relative_to(self.folder) for path, entry in self.cuts.items() if entry.content is None]

    def write(self, conn) -> None:
        """Replace (or delete) each file, atomically, and record the new content in the landing manifest within the
        caller's transaction. A file that cannot be written is reported, not counted as done."""
        for path, entry in list(self.cuts.items()):
            try:
                if entry.content is None:
                    path.unlink()
                    continue
                mode = path.stat().st_mode & 0o7777
                handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".erasure")
                try:
                    with os.fdopen(handle, "wb") as out:
                        out.write(entry.content)
                    os.chmod(temporary, mode)
                    os.replace(temporary, path)
                except BaseException:
                    Path(temporary).unlink(missing_ok=True)
                    raise
            except OSError as error:
                self.untouchable[path] = f"could not be {'deleted' if entry.content is None else 'rewritten'}: {error.strerror}"
                del self.cuts[path]
                continue
            stat = path.stat()
            conn.execute(
                """
                update audit.landed_files set size_bytes = %s, mtime_ns = %s, sha256 = %s
                where channel = %s and file_path = %s and sha256 = %s
                """,
                (
                    stat.st_size,
                    stat.st_mtime_ns,
                    hashlib.sha256(entry.content).hexdigest(),
                    entry.channel,
                    entry.relative,
                    entry.original_sha256,
                ),
            )
