"""Every channel against its hand-written drop folder: cursor, records, quarantine, resumption.

``EXPECTED`` lists, file by file in delivery order, every unit of the fixtures: the records (entity, key,
source_ref) and the rejected units (entity, source_ref, a fragment of the reason). Together they are all the units
of the file, so "records + rejected = units" is checked by comparing both lists whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from folder_reading import read_folder
from voc.channels import REGISTRY, get_channel
from voc.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class FileUnits:
    cursor: str
    records: list[tuple[str, str, str]] = field(default_factory=list)  # entity, key, source_ref
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # entity, source_ref, reason fragment


EXPECTED: dict[str, list[FileUnits]] = {
    "phone": [
        FileUnits(
            "calls_2026-08-03.csv",
            [
                ("calls", "CALL-0001", "phone/calls_2026-08-03.csv:2"),
                ("calls", "CALL-0002", "phone/calls_2026-08-03.csv:3"),
            ],
            [
                ("calls", "phone/calls_2026-08-03.csv:4", "not valid UTF-8 at byte offset 29 (0xf3)"),
                ("calls", "phone/calls_2026-08-03.csv:5", "expected 13 columns, found 11"),
            ],
        ),
        FileUnits(
            "calls_2026-08-04.csv",
            [("calls", "CALL-0005", "phone/calls_2026-08-04.csv:2")],
            [
                ("calls", "phone/calls_2026-08-04.csv:3", "missing call_id"),
                ("calls", "phone/calls_2026-08-04.csv:4", "malformed CSV line"),
            ],
        ),
        FileUnits(
            "calls_2026-08-05.csv",
            [],
            [("calls", "phone/calls_2026-08-05.csv", "the header row lacks column(s) call_id, caller_number")],
        ),
    ],
    "email": [
        FileUnits(
            "mailbox_2026-08-03.mbox",
            [
                ("messages", "root-1@mail.example", "email/mailbox_2026-08-03.mbox#0"),
                ("messages", "reply-1@albaconnect.example", "email/mailbox_2026-08-03.mbox#1"),
            ],
            [
                ("messages", "email/mailbox_2026-08-03.mbox#2", "missing Message-ID header"),
                ("messages", "email/mailbox_2026-08-03.mbox#3", "missing Date header"),
            ],
        ),
        FileUnits(
            "mailbox_2026-08-04.mbox",
            [("messages", "praise-4@mail.example", "email/mailbox_2026-08-04.mbox#0")],
            [
                ("messages", "email/mailbox_2026-08-04.mbox#1", "body is not valid utf-8"),
                ("messages", "email/mailbox_2026-08-04.mbox#2", "unparseable Date header 'yesterday'"),
            ],
        ),
        FileUnits(
            "mailbox_2026-08-05.mbox",
            [],
            [("messages", "email/mailbox_2026-08-05.mbox", "not an mbox file")],
        ),
    ],
    "chat": [
        FileUnits(
            "sessions_2026-08-03.json",
            [
                ("sessions", "chs_000123", "chat/sessions_2026-08-03.json#0"),
                ("sessions", "chs_000124", "chat/sessions_2026-08-03.json#1"),
            ],
            [
                ("sessions", "chat/sessions_2026-08-03.json#2", "session has no started_at"),
                ("sessions", "chat/sessions_2026-08-03.json#3", "session has no id"),
            ],
        ),
        FileUnits("sessions_2026-08-04.json", [], [("sessions", "chat/sessions_2026-08-04.json", "truncated JSON")]),
        FileUnits(
            "sessions_2026-08-05.json",
            [],
            [("sessions", "chat/sessions_2026-08-05.json", "expected a JSON object with a 'sessions' list")],
        ),
    ],
    "twitter": [
        FileUnits(
            "mentions/page_00001.json",
            [
                ("tweets", "1820000000000000101", "twitter/mentions/page_00001.json#0"),
                ("tweets", "1820000000000000102", "twitter/mentions/page_00001.json#1"),
                ("users", "2900000000000000011", "twitter/mentions/page_00001.json#users/0"),
                ("users", "2900000000000000012", "twitter/mentions/page_00001.json#users/1"),
            ],
            [("tweets", "twitter/mentions/page_00001.json#2", "tweet has no author_id")],
        ),
        FileUnits("mentions/page_00002.json", [], [("tweets", "twitter/mentions/page_00002.json", "truncated JSON")]),
        FileUnits(
            "timeline/page_00001.json",
            [
                ("tweets", "1820000000000000201", "twitter/timeline/page_00001.json#0"),
                ("users", "1500000000000000001", "twitter/timeline/page_00001.json#users/0"),
                ("users", "2900000000000000011", "twitter/timeline/page_00001.json#users/1"),
            ],
            [("users", "twitter/timeline/page_00001.json#users/2", "user has no id")],
        ),
    ],
    "facebook": [
        FileUnits(
            "feed/page_00001.json",
            [
                ("posts", "104000000000001_501", "facebook/feed/page_00001.json#0"),
                ("posts", "104000000000001_502", "facebook/feed/page_00001.json#1"),
            ],
            [("posts", "facebook/feed/page_00001.json#2", "post has no id")],
        ),
        FileUnits("feed/page_00002.json", [], [("posts", "facebook/feed/page_00002.json", "not valid UTF-8")]),
        FileUnits("feed/page_00003.json"),
    ],
    "web": [
        FileUnits(
            "alerts_2026-08-03.xml",
            [
                ("mentions", "urn:uuid:alert-0001", "web/alerts_2026-08-03.xml#0"),
                ("mentions", "urn:uuid:alert-0002", "web/alerts_2026-08-03.xml#1"),
                ("mentions", "https://reviews.example/alba-connect", "web/alerts_2026-08-03.xml#2"),
            ],
        ),
        FileUnits(
            "blog-movil_2026-08-03.xml",
            [
                ("mentions", "blog-movil-1001", "web/blog-movil_2026-08-03.xml#0"),
                ("mentions", "https://blog-movil.example/2026/08/5g-sevilla", "web/blog-movil_2026-08-03.xml#1"),
            ],
            [
                ("mentions", "web/blog-movil_2026-08-03.xml#2", "item has neither id/guid nor link"),
                ("mentions", "web/blog-movil_2026-08-03.xml#3", "unparseable published date 'yesterday'"),
            ],
        ),
        FileUnits("alerts_2026-08-04.xml", [], [("mentions", "web/alerts_2026-08-04.xml", "truncated XML")]),
        FileUnits(
            "blog-movil_2026-08-04.xml",
            [
                ("mentions", "blog-movil-1002", "web/blog-movil_2026-08-04.xml#0"),
                ("mentions", "blog-movil-1001", "web/blog-movil_2026-08-04.xml#1"),
            ],
        ),
        FileUnits(
            "status-page_2026-08-05.xml",
            [],
            [("mentions", "web/status-page_2026-08-05.xml", "expected an RSS 2.0 or Atom 1.0 feed")],
        ),
    ],
    "surveys": [
        FileUnits(
            "responses_2026-08-03.csv",
            [
                ("responses", "SRV-0001", "surveys/responses_2026-08-03.csv:2"),
                ("responses", "SRV-0002", "surveys/responses_2026-08-03.csv:3"),
            ],
            [("responses", "surveys/responses_2026-08-03.csv:4", "missing response_id")],
        ),
        FileUnits(
            "responses_2026-08-04.csv",
            [("responses", "SRV-0003", "surveys/responses_2026-08-04.csv:2")],
            [("responses", "surveys/responses_2026-08-04.csv:3", "not valid UTF-8")],
        ),
    ],
    "cases": [
        FileUnits(
            "case_events_2026-08-03.csv",
            [
                ("events", "EV-0001", "cases/case_events_2026-08-03.csv:2"),
                ("events", "EV-0002", "cases/case_events_2026-08-03.csv:3"),
            ],
            [("events", "cases/case_events_2026-08-03.csv:4", "expected 9 columns, found 5")],
        ),
        FileUnits("case_events_2026-08-04.csv", [], [("events", "cases/case_events_2026-08-04.csv", "empty file")]),
        FileUnits("case_events_2026-08-05.csv"),
    ],
    "actions": [
        FileUnits(
            "corrective_actions_2026-08-03.csv",
            [("actions", "CA-001", "actions/corrective_actions_2026-08-03.csv:2")],
            [("actions", "actions/corrective_actions_2026-08-03.csv:3", "expected 8 columns, found 7")],
        ),
        FileUnits(
            "corrective_actions_2026-08-10.csv",
            [("actions", "CA-001", "actions/corrective_actions_2026-08-10.csv:2")],
            [("actions", "actions/corrective_actions_2026-08-10.csv:3", "missing action_id")],
        ),
    ],
}

CHANNELS = list(EXPECTED)


def test_every_registered_channel_has_expectations() -> None:
    assert list(REGISTRY) == CHANNELS


@pytest.mark.parametrize("name", CHANNELS)
def test_the_folder_lists_every_file_once_in_delivery_order(name: str, settings: Settings) -> None:
    pages = read_folder(get_channel(name), settings)

    assert [page.cursor for page in pages] == [unit.cursor for unit in EXPECTED[name]]


@pytest.mark.parametrize("name", CHANNELS)
def test_every_unit_is_a_record_or_a_rejected_unit(name: str, settings: Settings) -> None:
    pages = read_folder(get_channel(name), settings)

    for page, expected in zip(pages, EXPECTED[name], strict=True):
        assert [(r.entity, r.key, r.source_ref) for r in page.records] == expected.records, page.cursor
        assert [(r.entity, r.source_ref) for r in page.rejected] == [(e, ref) for e, ref, _ in expected.rejected]
        for rejected, (_, _, reason) in zip(page.rejected, expected.rejected, strict=True):
            assert reason in rejected.reason, rejected.source_ref


@pytest.mark.parametrize("name", CHANNELS)
def test_records_are_storable_and_rejected_units_keep_their_bytes(name: str, settings: Settings) -> None:
    channel = get_channel(name)
    for page in read_folder(channel, settings):
        file_bytes = (settings.channel_dir(name) / page.cursor).read_bytes()
        for record in page.records:
            assert record.entity in channel.entities
            assert record.key
            json.dumps(record.payload, ensure_ascii=False, allow_nan=False).encode("utf-8")
        for rejected in page.rejected:
            assert rejected.entity in channel.entities
            if rejected.source_ref == f"{name}/{page.cursor}":
                assert rejected.original == file_bytes
                continue
            assert rejected.original
            if not channel.folder.pattern.endswith(".json"):
                # CSV lines, mbox messages and feed items are quarantined as the exact bytes of the file
                assert rejected.original in file_bytes
            else:
                json.loads(rejected.original)  # JSON items: the item itself, re-serialised


@pytest.mark.parametrize("name", CHANNELS)
def test_reading_streams_the_file_unit_by_unit(name: str, settings: Settings) -> None:
    """Readers are generators: the first unit comes before the file has been read to its end."""
    channel = get_channel(name)
    root = settings.channel_dir(name)
    path = channel.folder.files(root)[0]
    units = channel.folder.read(path, f"{name}/{path.relative_to(root).as_posix()}")
    assert iter(units) is units
    assert next(units) is not None


@pytest.mark.parametrize("name", CHANNELS)
def test_a_missing_drop_folder_has_no_files(name: str, drop_folder) -> None:
    _, settings = drop_folder

    assert get_channel(name).folder.files(settings.channel_dir(name)) == []
