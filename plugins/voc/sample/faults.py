"""Faulty units, added to the exports the way real sources break: extra units, so no real record is lost.

CSV exports get a line in Latin-1, a line without its key and a line with one column too many; the ground truth names
each by ``<path>:<line>`` (1-based physical line, the header being line 1). API page streams get a retry that broke
off (a truncated copy of the page that follows it), named by its path.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from voc.sample.model import Malformed
from voc.sample.writers import csv_line, csv_lines, truncated


def pick_files(rng: random.Random, files: dict[str, list], count: int, *, minimum: int = 3) -> list[str]:
    """``count`` distinct files holding at least ``minimum`` units, preferably away from both ends of the period."""
    paths = sorted(path for path, units in files.items() if len(units) >= minimum)
    if not paths:
        paths = sorted(files)
    if not paths:
        raise ValueError("no file to place a faulty unit in")
    inner = paths[1:-1] if len(paths) > count + 2 else paths
    if len(inner) >= count:
        return rng.sample(inner, count)
    return [inner[index % len(inner)] for index in range(count)]


def pick_page(rng: random.Random, count: int, *, avoid: int | None = None) -> int:
    """A 0-based page index among ``count`` pages, away from the first and last when there are enough."""
    candidates = [index for index in range(count) if index != avoid] or [0]
    return rng.choice(candidates[1:-1] if len(candidates) > 3 else candidates)


def write_csv_exports(
    rng: random.Random,
    *,
    channel: str,
    entity: str,
    header: Sequence[str],
    files: dict[str, list[list[str]]],
    key_column: str,
    fresh_key: Callable[[str], str],
    accented: tuple[str, str],
    extra_value: str,
) -> tuple[dict[str, bytes], list[Malformed]]:
    """The CSV files' bytes with three faulty lines added, and the faults.

    ``files`` maps a path relative to the sample folder (``phone/calls_2026-08-03.csv``) to its rows.
    ``fresh_key(key)`` makes an unused key from a real row's key (the faulty extra units must not collide with real
    ones); ``accented`` is (column, value) written in Latin-1; ``extra_value`` is the stray field of the line with
    one column too many.
    """
    key_index = list(header).index(key_column)
    accent_index = list(header).index(accented[0])
    lines = {path: csv_lines(header, rows) for path, rows in files.items()}
    malformed = []
    targets = pick_files(rng, files, 3)
    faults = ("latin-1", "missing key", "extra column")
    for fault, path in zip(faults, targets, strict=True):
        rows = files[path]
        template = list(rng.choice(rows)) if rows else [""] * len(header)
        if fault == "latin-1":
            template[key_index] = fresh_key(template[key_index])
            template[accent_index] = accented[1]
            line = csv_line(template).encode("latin-1")
            problem = f"bad encoding: the line is Latin-1, not UTF-8 ({accented[0]} {accented[1]!r})"
        elif fault == "missing key":
            template[key_index] = ""
            line = csv_line(template).encode("utf-8")
            problem = f"missing {key_column}"
        else:
            template[key_index] = fresh_key(template[key_index])
            template.append(extra_value)
            line = csv_line(template).encode("utf-8")
            problem = f"wrong number of columns: {len(template)} instead of {len(header)}"
        position = rng.randint(1, len(lines[path]))  # after the header, possibly at the end
        lines[path].insert(position, line)
        # Earlier faults in the same file sit above or below; keep their line numbers right.
        for index, earlier in enumerate(malformed):
            earlier_path, earlier_line = earlier.source_ref.rsplit(":", 1)
            if earlier_path == path and int(earlier_line) >= position + 1:
                malformed[index] = Malformed(channel, entity, f"{earlier_path}:{int(earlier_line) + 1}", earlier.problem)
        malformed.append(Malformed(channel, entity, f"{path}:{position + 1}", problem))
    return {path: b"".join(file_lines) for path, file_lines in lines.items()}, malformed


def pages_with_truncated_retry(
    rng: random.Random,
    *,
    channel: str,
    entity: str,
    folder: str,
    pages: list[bytes],
    avoid: int,
    faults: list[Malformed],
) -> tuple[dict[str, bytes], list[Malformed]]:
    """API response pages as ``<folder>/page_NNNNN.json``, one of them preceded by a delivery that broke off.

    The broken file is a prefix of the page after it, so nothing is lost. ``avoid`` is the 0-based page already
    holding a fault; ``faults`` placed in pages (``<folder>/page_NNNNN.json#<index>``) are renumbered past the
    inserted file.
    """
    retried = pick_page(rng, len(pages), avoid=avoid)
    files = list(pages)
    files.insert(retried, truncated(files[retried], rng.uniform(0.3, 0.8)))

    def renumbered(fault: Malformed) -> Malformed:
        number = int(fault.source_ref.split("page_")[1][:5])
        if number - 1 < retried:
            return fault
        index = fault.source_ref.split("#", 1)[1]
        return Malformed(fault.channel, fault.entity, f"{folder}/page_{number + 1:05d}.json#{index}", fault.problem)

    problem = f"truncated JSON: a retry whose complete content is page_{retried + 2:05d}.json"
    shifted = [renumbered(fault) for fault in faults]
    shifted.append(Malformed(channel, entity, f"{folder}/page_{retried + 1:05d}.json", problem))
    return {f"{folder}/page_{number:05d}.json": content for number, content in enumerate(files, start=1)}, shifted
