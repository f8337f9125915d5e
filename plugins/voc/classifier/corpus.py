"""The labelled corpus: customer messages written and labelled by hand, kept apart from the sample generator.

``data/labelled/labelled_messages.csv`` (the ``train`` and ``dev`` splits) and ``held_out_messages.csv`` (the
``test`` split: the held-out writers' parts) hold one row per message with its language, register, type, sentiment
and fixed split (see ``data/labelled/README.md``). Training reads ``train`` and ``dev`` only; ``test`` is read by
the evaluation alone, to report how the classifier does on text it never saw, written by people whose messages it
never saw either.
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from voc.settings import PROJECT_ROOT

CORPUS_PATH = PROJECT_ROOT / "data" / "labelled" / "labelled_messages.csv"  # train and dev
HELD_OUT_PATH = CORPUS_PATH.with_name("held_out_messages.csv")  # test
CORPUS_FILES = (CORPUS_PATH, HELD_OUT_PATH)

TYPES = ("complaint", "praise", "suggestion", "inquiry", "other")
SENTIMENTS = ("negative", "neutral", "positive")
LANGUAGES = ("es", "en")
REGISTERS = ("tweet", "chat", "email", "call_note", "survey_comment", "blog_post", "facebook_comment")
SPLITS = ("train", "dev", "test")
COLUMNS = ("message_id", "language", "register", "sector", "text", "contact_type", "sentiment", "phenomena", "split")

# The held-out writers: every message of these parts is `test`. They were written after the classifier's method and
# settings were chosen, by writers who had no access to the rest of the corpus or to the project.
TEST_PARTS = frozenset(f"{language}-t{number}" for language in LANGUAGES for number in range(1, 9))
# Of every other part's messages, those whose id hashes into this band are `dev`; the rest are `train`. (Until the
# held-out writers existed, the band above it, [0.8, 1), was the test split; it was scored once per corpus version
# and is training data now.)
DEV_BAND = (0.6, 0.8)


class CorpusError(ValueError):
    """The corpus file is missing or a row breaks its contract; the message names the line and the problem."""


@dataclass(frozen=True)
class Message:
    message_id: str
    language: str
    register: str
    sector: str
    text: str
    contact_type: str
    sentiment: str
    phenomena: tuple[str, ...]
    split: str


def load(paths: Path | tuple[Path, ...] = CORPUS_FILES, *, splits: tuple[str, ...] = SPLITS) -> list[Message]:
    """The corpus rows of the given splits, validated (a message id is unique across the files)."""
    messages: list[Message] = []
    seen: set[str] = set()
    for path in (paths,) if isinstance(paths, Path) else paths:
        messages += _load_file(path, splits, seen)
    return messages


def digest(paths: tuple[Path, ...] = CORPUS_FILES) -> str:
    """The corpus' identity, recorded beside the classifier trained on it: SHA-256 over its files' names and bytes."""
    sha = hashlib.sha256()
    for path in paths:
        sha.update(path.name.encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def _load_file(path: Path, splits: tuple[str, ...], seen: set[str]) -> list[Message]:
    if not path.is_file():
        raise CorpusError(f"labelled corpus not found: {path}")
    messages: list[Message] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise CorpusError(f"{path}: header must be {','.join(COLUMNS)}, found {','.join(reader.fieldnames or [])}")
        for row in reader:
            where = f"{path.name} line {reader.line_num}"
            message = _message(row, where)
            if message.message_id in seen:
                raise CorpusError(f"{where}: duplicate message_id {message.message_id}")
            seen.add(message.message_id)
            if message.split in splits:
                messages.append(message)
    return messages


def _message(row: dict[str, str], where: str) -> Message:
    checks = (
        ("language", LANGUAGES),
        ("register", REGISTERS),
        ("contact_type", TYPES),
        ("sentiment", SENTIMENTS),
        ("split", SPLITS),
    )
    for column, allowed in checks:
        if row[column] not in allowed:
            raise CorpusError(f"{where}: {column} {row[column]!r} is not one of {', '.join(allowed)}")
    if not row["message_id"].strip():
        raise CorpusError(f"{where}: empty message_id")
    if not row["text"].strip():
        raise CorpusError(f"{where}: empty text")
    if row["split"] != split_of(row["message_id"]):
        raise CorpusError(
            f"{where}: split {row['split']!r} is not the one its id gives ({split_of(row['message_id'])!r}); "
            "splits follow `split_of` and are never chosen by hand"
        )
    return Message(
        message_id=row["message_id"],
        language=row["language"],
        register=row["register"],
        sector=row["sector"],
        text=row["text"],
        contact_type=row["contact_type"],
        sentiment=row["sentiment"],
        phenomena=tuple(tag for tag in row["phenomena"].split("|") if tag),
        split=row["split"],
    )


def split_of(message_id: str) -> str:
    """The split a message belongs to, a pure function of its id: ``test`` when its part is a held-out writer's
    (``TEST_PARTS``), else ``dev`` when SHA-256 of the id, read as a number in [0, 1), falls in ``DEV_BAND``, else
    ``train``. Adding messages never moves an existing one, and anyone can check that no message was moved by hand
    after looking at results."""
    if part_of(message_id) in TEST_PARTS:
        return "test"
    position = int(hashlib.sha256(message_id.encode("utf-8")).hexdigest(), 16) / 2**256
    return "dev" if DEV_BAND[0] <= position < DEV_BAND[1] else "train"


def part_of(message_id: str) -> str:
    """The part of the corpus a message belongs to, one writer each: its id without the number."""
    return message_id.rsplit("-", 1)[0]


def summary(messages: list[Message]) -> Counter:
    return Counter((message.language, message.split, message.contact_type) for message in messages)
