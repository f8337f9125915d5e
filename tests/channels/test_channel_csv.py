"""CSV channels (phone, surveys, cases): payloads as read, line-by-line quarantine, header checks."""

from __future__ import annotations

from pathlib import Path

from folder_reading import read_after
from voc.channels import base, cases, phone, surveys
from voc.channels.base import RawRecord
from voc.settings import Settings

PHONE_HEADER = (
    "call_id,caller_number,queue,agent_id,started_at,answered_at,ended_at,wait_seconds,talk_seconds,abandoned,"
    "disposition_code,callback_requested,language"
)


def test_phone_payload_is_the_row_as_strings(settings: Settings) -> None:
    page = read_after(phone.CHANNEL, None, settings)

    abandoned = page.records[1]
    assert abandoned.payload == {
        "call_id": "CALL-0002",
        "caller_number": "+34600000002",
        "queue": "technical",
        "agent_id": "",
        "started_at": "2026-08-03T10:02:00+02:00",
        "answered_at": "",
        "ended_at": "2026-08-03T10:04:30+02:00",
        "wait_seconds": "150",
        "talk_seconds": "0",
        "abandoned": "true",
        "disposition_code": "",
        "callback_requested": "true",
        "language": "es",
    }


def test_a_badly_encoded_line_is_quarantined_with_its_own_bytes(settings: Settings) -> None:
    page = read_after(phone.CHANNEL, None, settings)
    lines = (settings.channel_dir("phone") / "calls_2026-08-03.csv").read_bytes().split(b"\n")

    badly_encoded = page.rejected[0]
    assert badly_encoded.original == lines[3]
    assert "atenci\xf3n".encode("latin-1") in badly_encoded.original


def test_crlf_line_ends_are_not_part_of_the_values(settings: Settings) -> None:
    page = read_after(phone.CHANNEL, "calls_2026-08-03.csv", settings)

    assert page.records[0].payload["language"] == "en"
    assert list(page.records[0].payload) == PHONE_HEADER.split(",")


def test_quoted_fields_keep_their_commas_and_quotes(settings: Settings) -> None:
    page = read_after(surveys.CHANNEL, None, settings)

    assert page.records[0].payload["comment"] == 'Me cobraron dos veces, "otra vez"'
    assert page.records[1].payload["nps"] == ""


def test_a_utf8_byte_order_mark_does_not_rename_the_first_column(settings: Settings) -> None:
    page = read_after(surveys.CHANNEL, "responses_2026-08-03.csv", settings)

    assert page.records[0].key == "SRV-0003"
    assert next(iter(page.records[0].payload)) == "response_id"


def test_a_header_only_file_has_no_units(settings: Settings) -> None:
    page = read_after(cases.CHANNEL, "case_events_2026-08-04.csv", settings)

    assert page.cursor == "case_events_2026-08-05.csv"
    assert (page.records, page.rejected) == ([], [])


def write_phone_file(folder: Path, body: bytes, name: str = "calls_2026-08-10.csv") -> None:
    (folder / "phone").mkdir(exist_ok=True)
    (folder / "phone" / name).write_bytes(body)


def test_an_extra_column_is_kept_and_column_order_does_not_matter(drop_folder) -> None:
    folder, settings = drop_folder
    columns = PHONE_HEADER.split(",")
    header = ",".join(reversed(columns)) + ",site"
    row = ",".join(reversed([f"v-{name}" for name in columns])) + ",madrid"
    write_phone_file(folder, f"{header}\n{row}\n".encode())

    (record,) = read_after(phone.CHANNEL, None, settings).records

    assert record.key == "v-call_id"
    assert record.payload["site"] == "madrid"
    assert record.payload["caller_number"] == "v-caller_number"


def test_a_repeated_header_column_rejects_the_file(drop_folder) -> None:
    folder, settings = drop_folder
    write_phone_file(folder, f"{PHONE_HEADER},queue\n".encode())

    (rejected,) = read_after(phone.CHANNEL, None, settings).rejected

    assert rejected.source_ref == "phone/calls_2026-08-10.csv"
    assert "repeats column(s) queue" in rejected.reason


def test_a_nul_character_cannot_be_stored_so_the_line_is_quarantined(drop_folder) -> None:
    folder, settings = drop_folder
    values = ["CALL-9"] + ["x"] * 12
    values[2] = "bill\x00ing"
    write_phone_file(folder, f"{PHONE_HEADER}\n{','.join(values)}\n".encode())

    page = read_after(phone.CHANNEL, None, settings)

    assert page.records == []
    assert page.rejected[0].source_ref == "phone/calls_2026-08-10.csv:2"
    assert page.rejected[0].reason == "contains a NUL character in 'queue'"


def test_blank_lines_are_not_units_and_line_numbers_stay_physical(drop_folder) -> None:
    folder, settings = drop_folder
    row = ",".join(["CALL-7"] + ["x"] * 12)
    write_phone_file(folder, f"{PHONE_HEADER}\n\n{row}\n\n".encode())

    page = read_after(phone.CHANNEL, None, settings)

    assert [record.source_ref for record in page.records] == ["phone/calls_2026-08-10.csv:3"]
    assert page.rejected == []


def _line_by_line(path: Path, file_ref: str, key_column: str) -> list[tuple]:
    """The contract, from the csv module alone: every physical line (split at LF, a trailing CR dropped) that is not
    blank is parsed on its own; a line that cannot be (not UTF-8, malformed, a NUL, the wrong width, no key) is a
    rejected unit with its own bytes."""
    import csv

    header_line, *lines = path.read_bytes().split(b"\n")
    header = next(csv.reader([header_line.removesuffix(b"\r").decode("utf-8")]))
    units = []
    for number, line in enumerate(lines, start=2):
        line = line.removesuffix(b"\r")
        if not line.strip():
            continue
        ref = f"{file_ref}:{number}"
        try:
            values = next(csv.reader([line.decode("utf-8")], strict=True), [])
        except (UnicodeDecodeError, csv.Error):
            units.append(("rejected", ref, line))
            continue
        if len(values) != len(header) or not values[header.index(key_column)].strip() or "\x00" in line.decode():
            units.append(("rejected", ref, line))
        else:
            units.append(("record", ref, values[header.index(key_column)], dict(zip(header, values, strict=True))))
    return units


def test_a_large_file_read_in_blocks_gives_what_reading_each_line_alone_gives(drop_folder) -> None:
    """Lines are parsed a block at a time where that cannot change the result; hostile lines (a quote left open, a
    carriage return inside a line, a NUL, Latin-1, whitespace that is not ASCII, the wrong width, no key) scattered
    over several blocks are still units of their own, and every other line's payload is what the csv module reads
    from the line alone."""
    import random

    folder, settings = drop_folder
    hostile = [
        # a quote left open on one line and closed on the next: two lines, each a unit of its own
        'CALL-Q1,"an open quote,x,x,x,x,x,x,x,x,x,x,x\r\nx",closing the quote above,x,x,x,x,x,x,x,x,x,x,x',
        'CALL-Q2,"a quote never closed',
        "CALL-R1,carriage\rreturn,x,x,x,x,x,x,x,x,x,x,x",
        "CALL-N1,nul\x00,x,x,x,x,x,x,x,x,x,x,x",
        "CALL-W1,too,few",
        ",no key,x,x,x,x,x,x,x,x,x,x,x",
        "\u00a0",
        "   ",
        "",
        'CALL-D1,"quoted, with ""quotes""",x,x,x,x,x,x,x,x,x,x,x',
        'CALL-E1,a"quote in a field,x,x,x,x,x,x,x,x,x,x,x',
    ]
    rng = random.Random(7)
    lines = [",".join([f"CALL-{n:06d}", f"queue {n % 7}"] + [str(n)] * 11) for n in range(40_000)]
    for line in hostile:
        lines.insert(rng.randrange(len(lines)), line)
    body = "\r\n".join([PHONE_HEADER, *lines]).encode("utf-8")
    body = body.replace(b"CALL-000123,queue 4", "CALL-000123,atenci\xf3n".encode("latin-1"))
    write_phone_file(folder, body + b"\n")
    path = folder / "phone" / "calls_2026-08-10.csv"
    assert len(body) > 2 * base.CSV_BLOCK_BYTES  # several blocks

    units = [
        ("record", unit.source_ref, unit.key, unit.payload)
        if isinstance(unit, RawRecord)
        else ("rejected", unit.source_ref, unit.original)
        for unit in phone.read(path, f"phone/{path.name}")
    ]

    assert units == _line_by_line(path, f"phone/{path.name}", "call_id")
    assert sum(unit[0] == "rejected" for unit in units) >= 6
