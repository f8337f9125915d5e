"""Transform benchmark: the `transform_dbt` DAG (Cosmos, through `dag.test()`) against a plain `dbt build` of the
same project on the same landed data, in the same run.

    uv run python bench/bench_transform.py [--scale 1.0] [--repeat 1]

A throw-away embedded warehouse, sample folder and Airflow home are made under a temporary VOC_HOME; the sample is
landed and built once (not measured), so that both sides do the same work: a build of an up-to-date warehouse, as
every scheduled run after the first is (the incremental models find nothing to rewrite; every view, table and test
is built again). Each repeat runs a plain `voc dbt build` (the baseline: dbt's own threads, one process) and the
DAG (one `dbt build` in Cosmos's producer task, then a task per dbt node, one after another under `dag.test()`).
Figures are wall seconds; the target is the DAG at most 2× the plain build. Results are recorded in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime

from bench_scale import slowest_nodes
from throwaway import throwaway_home


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    with throwaway_home("transform"):
        return run(args)


def run(args: argparse.Namespace) -> int:
    from voc import airflow_env
    from voc.settings import get_settings

    settings = get_settings()
    for key, value in airflow_env.airflow_env(settings).items():
        os.environ[key] = value
    from voc.channels import REGISTRY
    from voc.demo import load_dags, run_dag
    from voc.landing import land_channel
    from voc.orchestration import PRODUCER
    from voc.sample import generate
    from voc.transform import build, parse

    generate(settings.sample_dir, seed=1, end=datetime(2026, 11, 20, tzinfo=UTC), scale=args.scale)
    landed = sum(land_channel(name, settings).inserted for name in REGISTRY)
    parse(settings)
    airflow_env.configure(settings)
    airflow_env.migrate(settings)
    dag = load_dags(settings)["transform_dbt"]
    tasks = len(dag.tasks)
    started = time.perf_counter()
    build(settings)
    print(
        f"{landed:,} records landed (scale {args.scale}) and built once ({time.perf_counter() - started:.1f} s, "
        f"not measured; slowest nodes: {slowest_nodes(settings, 3)}); transform_dbt has {tasks} tasks"
    )
    plain, cosmos = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        build(settings)
        plain.append(time.perf_counter() - started)
        print(f"  plain build: slowest nodes {slowest_nodes(settings, 3)}")
        started = time.perf_counter()
        dag_run = run_dag(dag)
        cosmos.append(time.perf_counter() - started)
        durations = {ti.task_id: ti.duration or 0.0 for ti in dag_run.get_task_instances()}
        producer = durations.pop(f"dbt.{PRODUCER}")
        print(
            f"  DAG: the producer's dbt build {producer:.1f} s; the other {len(durations)} tasks "
            f"{sum(durations.values()):.1f} s of task time; Airflow between tasks "
            f"{cosmos[-1] - producer - sum(durations.values()):.1f} s"
        )
    baseline = statistics.median(plain)
    print(f"{'method':34s} {'seconds (median of ' + str(args.repeat) + ')':>24s} {'× plain dbt build':>18s}")
    print(f"{'plain dbt build (baseline)':34s} {baseline:24.1f} {1.0:18.2f}")
    print(f"{'transform_dbt through Cosmos':34s} {statistics.median(cosmos):24.1f} {statistics.median(cosmos) / baseline:18.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
