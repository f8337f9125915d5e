"""Reader benchmark: each channel's reader against a plain parser of its format, on the same files, in the same run.

    uv run python bench/bench_readers.py [--scale 2.0] [--repeat 3]

A throw-away sample folder is written under a temporary directory (no warehouse is needed). For each channel, every
file of its drop folder is read by the channel's reader (records and rejected units, payloads built) and by the
plain parser of its format, which only splits the file into units and decodes them:
- CSV (phone, surveys, cases, actions): ``csv.DictReader`` over the decoded file;
- JSON (chat, twitter, facebook): ``json.loads`` of the file and a walk over its items;
- mbox (email): the file split into messages, each parsed by the ``email`` package with the ``compat32`` policy and
  every header decoded with ``email.header.decode_header``;
- feeds (web): ``xml.etree.ElementTree`` parsing the file and finding its items (RSS ``item``, Atom ``entry``).
Units/s count the units of the files (records plus rejected units for the reader; items for the parser). The ratio
is the reader's speed over the parser's; the target is at least 0.5. Results are recorded in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import csv
import email
import email.header
import email.policy
import json
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

FORMATS = {
    "phone": "csv",
    "surveys": "csv",
    "cases": "csv",
    "actions": "csv",
    "chat": "json",
    "twitter": "json",
    "facebook": "json",
    "email": "mbox",
    "web": "feed",
}
ATOM = "{http://www.w3.org/2005/Atom}"


def parse_csv(path: Path) -> int:
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def parse_json(path: Path) -> int:
    try:
        document = json.loads(path.read_bytes())
    except ValueError:  # the sample's broken files: the parser gives up on them, as the reader quarantines them
        return 0
    if isinstance(document, dict):
        items = next((value for value in document.values() if isinstance(value, list)), [])
        return sum(1 for item in items if isinstance(item, dict)) + sum(
            len(value) for value in document.get("includes", {}).values() if isinstance(value, list)
        )
    return 0


def parse_mbox(path: Path) -> int:
    from voc.channels.mail import mbox_messages

    count = 0
    for original in mbox_messages(path):
        message = email.message_from_bytes(original, policy=email.policy.compat32)
        for _name, value in message.items():
            for part, charset in email.header.decode_header(value):
                if isinstance(part, bytes):
                    part.decode(charset or "ascii", errors="replace")
        count += 1
    return count


def parse_feed(path: Path) -> int:
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError:
        return 0
    return len(root.findall("./channel/item")) + len(root.findall(f"./{ATOM}entry"))


PARSERS: dict[str, Callable[[Path], int]] = {"csv": parse_csv, "json": parse_json, "mbox": parse_mbox, "feed": parse_feed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from voc.channels import REGISTRY

    missing = set(REGISTRY) - set(FORMATS)
    if missing:
        print(f"no plain parser for channel(s) {', '.join(sorted(missing))}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="voc-bench-readers-") as folder:
        return measure(Path(folder), args)


def measure(root: Path, args: argparse.Namespace) -> int:
    from voc.channels import REGISTRY
    from voc.sample import generate

    generate(root, seed=1, end=datetime(2026, 11, 20, tzinfo=UTC), scale=args.scale)
    print(f"sample at scale {args.scale} in {root}; median of {args.repeat} runs")
    print(f"{'channel':10s} {'format':6s} {'units':>8s} {'reader units/s':>15s} {'parser units/s':>15s} {'× parser':>9s}")
    worst = None
    for name, channel in REGISTRY.items():
        folder = root / name
        files = list(channel.folder.files(folder))
        if not files:
            continue
        reader_speeds, parser_speeds, units = [], [], 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            units = sum(
                1 for path in files for _unit in channel.folder.read(path, f"{name}/{path.relative_to(folder).as_posix()}")
            )
            reader_speeds.append(units / (time.perf_counter() - started))
            started = time.perf_counter()
            items = sum(PARSERS[FORMATS[name]](path) for path in files)
            parser_speeds.append(items / (time.perf_counter() - started))
        reader, plain = statistics.median(reader_speeds), statistics.median(parser_speeds)
        ratio = reader / plain
        worst = ratio if worst is None else min(worst, ratio)
        print(f"{name:10s} {FORMATS[name]:6s} {units:8,d} {reader:15,.0f} {plain:15,.0f} {ratio:9.2f}")
    print(f"slowest reader: {worst:.2f}× its format's plain parser (target ≥ 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
