"""Classification benchmark: what the classifier's nodes cost inside `voc dbt build`, against the rest of the build.

    uv run python bench/bench_classification.py [--scale 4] [--repeat 3]

A throw-away embedded warehouse and sample folder are made under a temporary VOC_HOME; the sample (at the given
scale) is landed, then `dbt build --threads 1` runs (one thread, so node times add up to the build and each node's
time is its own) in two situations, `--repeat` times each:

- first build: no text scored yet (`intermediate.int_text_predictions` dropped before the build), as after
  installing a new classifier or a `--full-refresh`;
- next day: the scores of about 1/30 of the texts deleted before the build, as when a day's new contacts and
  mentions have landed since the last build (the pipeline's usual build; classification is incremental).

From dbt's run_results.json each node's execution time is attributed to:

- classification: the models that score texts or use the scores (`int_text_predictions`,
  `int_contacts_classified`, `int_interactions_sentiment`) and the data and unit tests of those nodes;
- the rest of the build (the baseline, measured in the same run).

Installing the artefact into the warehouse (`classifier.models`/`classifier.weight_vectors`, a COPY that runs in the
set-up only when the artefact changed) is timed on its own.

The figure that matters is classification / rest: how much classifying adds to the build. Results are recorded in
BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime

from throwaway import throwaway_home

CLASSIFICATION_NODES = {
    "model.voc.int_text_predictions",
    "model.voc.int_contacts_classified",
    "model.voc.int_interactions_sentiment",
}
SITUATIONS = {
    "first build": "drop table if exists intermediate.int_text_predictions",
    "next day": "delete from intermediate.int_text_predictions where ('x' || substr(text_hash, 1, 7))::bit(28)::int % 30 = 0",
}


def is_classification(unique_id: str, manifest: dict) -> bool:
    if unique_id in CLASSIFICATION_NODES:
        return True
    node = manifest["nodes"].get(unique_id) or manifest.get("unit_tests", {}).get(unique_id) or {}
    if unique_id.startswith("unit_test."):
        return any(parent in CLASSIFICATION_NODES for parent in node.get("depends_on", {}).get("nodes", []))
    if unique_id.startswith("test."):
        return node.get("attached_node") in CLASSIFICATION_NODES
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=4.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with throwaway_home("classification"):
        return run(args)


def run(args: argparse.Namespace) -> int:
    from voc import warehouse
    from voc.channels import REGISTRY
    from voc.classifier import model
    from voc.landing import land_channel
    from voc.sample import generate
    from voc.settings import get_settings
    from voc.transform import run_dbt

    settings = get_settings()
    generate(settings.sample_dir, seed=1, end=datetime(2026, 11, 20, tzinfo=UTC), scale=args.scale)
    received = sum(land_channel(name, settings).received for name in REGISTRY)
    print(f"sample at scale {args.scale}: {received:,} records landed", flush=True)
    installs = []
    for _ in range(args.repeat):
        with warehouse.connect(settings) as conn:
            conn.execute("update classifier.models set artefact_sha256 = 'stale'")
            started = time.perf_counter()
            model.install(conn)
            installs.append(time.perf_counter() - started)

    run_dbt(["build", "--threads", "1", "--quiet"], settings, quiet=True)  # warm-up: every relation exists
    figures = {}
    for situation, prepare in SITUATIONS.items():
        classification, rest, walls = [], [], []
        per_node: dict[str, list[float]] = {}
        for run in range(1, args.repeat + 1):
            with warehouse.connect(settings) as conn:
                conn.execute(prepare)
            started = time.perf_counter()
            run_dbt(["build", "--threads", "1", "--quiet"], settings, quiet=True)
            walls.append(time.perf_counter() - started)
            target = settings.dbt_project_dir / "target"
            results = json.loads((target / "run_results.json").read_text())["results"]
            manifest = json.loads((target / "manifest.json").read_text())
            mine = sum(r["execution_time"] for r in results if is_classification(r["unique_id"], manifest))
            total = sum(r["execution_time"] for r in results)
            for r in results:
                if r["unique_id"] in CLASSIFICATION_NODES:
                    per_node.setdefault(r["unique_id"], []).append(r["execution_time"])
            classification.append(mine)
            rest.append(total - mine)
            print(f"{situation}, run {run}: build {walls[-1]:.1f} s wall, nodes {total:.1f} s, classification {mine:.1f} s")
        figures[situation] = (classification, rest, walls, per_node)

    print()
    print(f"`dbt build --threads 1` at sample scale {args.scale}, median of {args.repeat} runs; seconds")
    print()
    print("| part | " + " | ".join(figures) + " |")
    print("|---|" + "---:|" * len(figures))
    medians = {name: (statistics.median(f[0]), statistics.median(f[1])) for name, f in figures.items()}
    print("| rest of the build (baseline) | " + " | ".join(f"{m[1]:.1f}" for m in medians.values()) + " |")
    print("| classification | " + " | ".join(f"{m[0]:.1f}" for m in medians.values()) + " |")
    for unique_id in sorted(CLASSIFICATION_NODES):
        cells = [f"{statistics.median(f[3].get(unique_id, [0.0])):.1f}" for f in figures.values()]
        print(f"| - {unique_id.split('.', 2)[2]} | " + " | ".join(cells) + " |")
    print("| **classification / rest** | " + " | ".join(f"**{m[0] / m[1]:.0%}**" for m in medians.values()) + " |")
    print("| whole build, wall | " + " | ".join(f"{statistics.median(f[2]):.1f}" for f in figures.values()) + " |")
    print()
    print(f"installing the artefact (set-up, only when it changed): {statistics.median(installs):.1f} s")
    print("target: classification adds at most 20 % to the build")
    return 0


if __name__ == "__main__":
    sys.exit(main())
