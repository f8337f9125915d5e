"""Landing benchmark: the project's landing against a plain COPY of the same rows, in the same run.

    uv run python bench/bench_landing.py [--scale 2.0] [--repeat 3]

A throw-away embedded warehouse and sample folder are made under a temporary VOC_HOME. Three figures per run:
- landing (end to end): channels read their files and land them (upsert, quarantine, manifest, batch row);
- landing (write path): the same pages, already read, landed in the same batches into empty tables (excludes parsing);
- plain COPY: every record of those pages serialised to JSON and sent in one COPY into an unindexed table with the
  same three columns (the baseline: the least any loader must do with the same rows).
Rows/s count readable records. Results are recorded in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime

from throwaway import throwaway_home


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with throwaway_home("landing"):
        return run(args)


def run(args: argparse.Namespace) -> int:
    from voc import warehouse
    from voc.channels import REGISTRY
    from voc.channels.base import Page, RawRecord
    from voc.landing import BATCH_RECORDS, ensure_tables, land_channel, land_pages
    from voc.sample import generate
    from voc.settings import get_settings

    settings = get_settings()
    generate(settings.sample_dir, seed=1, end=datetime(2026, 11, 20, tzinfo=UTC), scale=args.scale)
    pages = {name: [] for name in REGISTRY}
    for name, channel in REGISTRY.items():
        root = settings.channel_dir(name)
        for path in channel.folder.files(root):
            relative = path.relative_to(root).as_posix()
            page = Page(cursor=relative)
            for unit in channel.folder.read(path, f"{name}/{relative}"):
                (page.records if isinstance(unit, RawRecord) else page.rejected).append(unit)
            pages[name].append((relative, page))
    records = [r for name in pages for _, page in pages[name] for r in page.records]
    rows = records
    print(f"{len(rows):,} records in {sum(len(p) for p in pages.values()):,} pages (scale {args.scale})")

    def reset(conn):
        for channel in REGISTRY.values():
            for table in channel.entities.values():
                conn.execute(f"drop table if exists raw.{table}")
        conn.execute(
            "drop table if exists raw.quarantine; drop table if exists audit.channel_cursors; "
            "drop table if exists audit.landed_files; drop table if exists audit.landing_batches; "
            "drop table if exists public.copy_baseline"
        )
        conn.commit()

    results = {"landing_end_to_end": [], "landing_write_path": [], "plain_copy": []}
    for _ in range(args.repeat):
        with warehouse.connect(settings) as conn:
            reset(conn)
        started = time.perf_counter()
        for name in REGISTRY:
            land_channel(name, settings)
        results["landing_end_to_end"].append(len(rows) / (time.perf_counter() - started))

        with warehouse.connect(settings) as conn:
            reset(conn)
            with conn.transaction():
                ensure_tables(conn)
            started = time.perf_counter()
            for name, channel in REGISTRY.items():
                batch, size, cursor_before = [], 0, None
                for _, page in pages[name]:
                    batch.append(page)
                    size += len(page.records) + len(page.rejected)
                    if size >= BATCH_RECORDS:
                        land_pages(conn, channel, batch, cursor_before)
                        batch, size, cursor_before = [], 0, page.cursor
                if batch:
                    land_pages(conn, channel, batch, cursor_before)
            results["landing_write_path"].append(len(rows) / (time.perf_counter() - started))

            conn.execute("create table public.copy_baseline (record_key text, payload jsonb, source_ref text)")
            conn.commit()
            started = time.perf_counter()
            with conn.transaction(), conn.cursor() as cur:
                with cur.copy("copy public.copy_baseline (record_key, payload, source_ref) from stdin") as copy:
                    for record in records:  # the same serialisation the landing does
                        copy.write_row((record.key, json.dumps(record.payload, ensure_ascii=False), record.source_ref))
            results["plain_copy"].append(len(rows) / (time.perf_counter() - started))

    median = {key: statistics.median(values) for key, values in results.items()}
    baseline = median["plain_copy"]
    print(f"{'method':24s} {'rows/s (median of ' + str(args.repeat) + ')':>24s} {'× plain COPY':>14s}")
    for key, value in median.items():
        print(f"{key:24s} {value:24,.0f} {value / baseline:14.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
