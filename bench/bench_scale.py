"""Scale benchmark: the pipeline from files to the published report, split by step, and one more day after it.

    uv run python bench/bench_scale.py [--scale 1.0] [--keep]

A throw-away embedded warehouse and sample folder are made under a temporary VOC_HOME (``--keep`` leaves them). The
sample (about 7,400 contacts per unit of scale over four months; scale 136 is about a million) is generated, and its
last day's files are held back. Then, each step timed:
1. the run: every channel landed, `dbt build`, the quality gate (GX) and the month's report;
2. the delta: the held-back day's files put back, landed, and `dbt build` again (what the pipeline does each day).
The baseline for the delta is the full run's land + build in the same run: the delta should cost a small share of it.
The ten slowest dbt nodes of each build are listed. Results are recorded in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

from throwaway import throwaway_home

END = datetime(2026, 11, 20, 23, tzinfo=UTC)  # the sample's last hour; its last day is held back for the delta
REPORT_MONTH = date(2026, 10, 1)  # the last complete month of the sample


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", action="store_true", help="keep the warehouse and sample (their folder is printed)")
    args = parser.parse_args()

    steps: list[tuple[str, float, str]] = []
    with throwaway_home("scale", keep=args.keep) as home:
        from voc.settings import get_settings

        settings = get_settings()
        from voc.channels import REGISTRY
        from voc.landing import land_channel
        from voc.quality import run_gate
        from voc.reporting import render_monthly_report
        from voc.sample import generate
        from voc.transform import build, parse

        def timed(label: str, action, detail=lambda result: ""):
            print(f"[bench] {label} ...", flush=True)
            started = time.perf_counter()
            result = action()
            seconds = time.perf_counter() - started
            steps.append((label, seconds, detail(result)))
            print(f"[bench] {label}: {seconds:.1f} s {detail(result)}", flush=True)
            return result

        truth = timed(
            "sample generated (not part of the run)",
            lambda: generate(settings.sample_dir, seed=1, end=END, scale=args.scale),
            lambda truth: f"{truth['summary']['contacts']:,} contacts",
        )
        held = hold_back_last_day(settings.sample_dir, home / "held_back", END.date())
        print(f"[bench] {len(held)} files of {END.date()} held back for the delta", flush=True)
        parse(settings)

        def land_all() -> int:
            return sum(land_channel(name, settings).received for name in REGISTRY)

        received = timed("run: land every channel", land_all, lambda n: f"{n:,} records")
        timed("run: dbt build", lambda: build(settings), lambda _: slowest_nodes(settings))
        gate = timed("run: quality gate (GX)", lambda: run_gate(settings, run_id="bench_scale"))
        timed(
            "run: monthly report",
            lambda: render_monthly_report(
                settings, month=REPORT_MONTH, gate=gate, run_id="bench_scale", generated_at=datetime.now(UTC)
            ),
        )
        for relative in held:
            (settings.sample_dir / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(home / "held_back" / relative, settings.sample_dir / relative)
        delta = timed("delta: land the held-back day", land_all, lambda n: f"{n:,} records")
        timed("delta: dbt build", lambda: build(settings), lambda _: slowest_nodes(settings))

        print()
        print(
            f"scale {args.scale}: {truth['summary']['contacts']:,} contacts, {received:,} records landed, "
            f"then {delta:,} in the delta ({delta / max(received, 1):.1%})"
        )
        print(f"{'step':44s} {'seconds':>9s}")
        for label, seconds, _ in steps:
            print(f"{label:44s} {seconds:9.1f}")
        run = sum(seconds for label, seconds, _ in steps if label.startswith("run:"))
        run_land_build = sum(seconds for label, seconds, _ in steps if label in ("run: land every channel", "run: dbt build"))
        delta_total = sum(seconds for label, seconds, _ in steps if label.startswith("delta:"))
        print(f"{'run, files to report':44s} {run:9.1f}   (target at a million contacts: 600 s)")
        print(f"{'run, land + dbt build (baseline)':44s} {run_land_build:9.1f}")
        print(
            f"{'delta, land + dbt build':44s} {delta_total:9.1f}   {delta_total / run_land_build:.2f}× the run's "
            "(target at a million contacts: 60 s)"
        )
        print()
        for label, _, detail in steps:
            if "dbt build" in label:
                print(f"{label}, slowest nodes: {detail}")
    return 0


def hold_back_last_day(sample_dir: Path, held_dir: Path, day: date) -> list[Path]:
    """Move the files named for ``day`` out of the sample; return their paths relative to it. Paged exports
    (Twitter, Facebook) are not named by day and stay."""
    held = []
    for path in sorted(sample_dir.rglob(f"*{day.isoformat()}*")):
        if path.is_file():
            relative = path.relative_to(sample_dir)
            (held_dir / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.move(path, held_dir / relative)
            held.append(relative)
    return held


def slowest_nodes(settings, count: int = 10) -> str:
    results = json.loads((settings.dbt_project_dir / "target" / "run_results.json").read_text())
    nodes = sorted(results["results"], key=lambda node: node["execution_time"], reverse=True)[:count]
    return ", ".join(f"{node['unique_id'].split('.')[-1]} {node['execution_time']:.1f}" for node in nodes)


if __name__ == "__main__":
    sys.exit(main())
