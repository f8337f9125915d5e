"""Readers stream: reading a large export holds one unit at a time, not the file.

Each file here is about 20 MB; the peak of Python allocations while reading it through (tracemalloc) must stay
below a tenth of that. A reader that did ``path.read_bytes()`` or ``json.loads`` on the whole file fails at once.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
from voc.channels import chat, mail, phone

TARGET_BYTES = 20 * 1024 * 1024
PEAK_LIMIT = TARGET_BYTES // 10


def _write_csv(path: Path) -> int:
    header = ",".join(phone.COLUMNS)
    row = "CALL-{n:08d},+34600000000,billing,A-17,2026-08-03T09:00:00+02:00,2026-08-03T09:01:00+02:00,"
    row += "2026-08-03T09:05:00+02:00,60,240,false,BILLING_QUERY,false,es"
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header + "\n")
        while handle.tell() < TARGET_BYTES:
            handle.write(row.format(n=count) + "\n")
            count += 1
    return count


def _write_chat(path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"export_date": "2026-08-03", "sessions": [')
        while handle.tell() < TARGET_BYTES:
            session = {
                "id": f"chs_{count:08d}",
                "started_at": "2026-08-03T09:00:00+02:00",
                "messages": [{"from": "visitor", "text": "hola, tengo una duda con la factura " * 3}] * 4,
            }
            handle.write(("," if count else "") + json.dumps(session))
            count += 1
        handle.write("]}")
    return count


def _write_mbox(path: Path) -> int:
    count = 0
    with path.open("wb") as handle:
        while handle.tell() < TARGET_BYTES:
            handle.write(
                b"From customer@example.com Mon Aug  3 09:00:00 2026\n"
                + f"Message-ID: <m{count}@example.com>\n".encode()
                + b"Date: Mon, 03 Aug 2026 09:00:00 +0200\nFrom: customer@example.com\nSubject: factura\n\n"
                + b"Buenos dias, la factura de agosto viene duplicada.\n" * 20
                + b"\n"
            )
            count += 1
    return count


@pytest.mark.parametrize(
    ("module", "name", "write"),
    [
        (phone, "calls_2026-08-03.csv", _write_csv),
        (chat, "sessions_2026-08-03.json", _write_chat),
        (mail, "mailbox_2026-08-03.mbox", _write_mbox),
    ],
    ids=["csv", "json", "mbox"],
)
def test_reading_a_large_export_holds_one_unit_at_a_time(tmp_path, module, name, write) -> None:
    path = tmp_path / name
    expected = write(path)
    tracemalloc.start()
    try:
        records = rejected = 0
        for unit in module.read(path, f"{module.NAME}/{name}"):
            if hasattr(unit, "payload"):
                records += 1
            else:
                rejected += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert (records, rejected) == (expected, 0)
    assert peak < PEAK_LIMIT, f"peak {peak:,} bytes reading a {path.stat().st_size:,}-byte file"
