"""DAG parse benchmark: the seconds Airflow's DagBag takes to parse each file of `dags/`, beside a one-task DAG file
parsed the same way, in the same run.

    uv run python bench/bench_dag_parse.py [--repeat 3]

Each parse runs in a fresh interpreter that has already imported Airflow (as Airflow's DAG processor has), so the
figure is what the file itself costs: its imports (the project's modules, Cosmos) and building its DAGs (Cosmos
renders `transform_dbt` from the dbt node list). The target is at most 0.5 s per file. `voc manifest` must have
written `dbt_project/target/dbt_ls.json` (`voc setup` does). Results are recorded in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE_DAG = """
from datetime import datetime
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

with DAG("baseline", start_date=datetime(2026, 1, 1), schedule=None):
    EmptyOperator(task_id="only")
"""
PARSE = """
import json, sys, time
import airflow  # the DAG processor has Airflow imported before it parses a file
from airflow.dag_processing.dagbag import DagBag
started = time.perf_counter()
bag = DagBag(dag_folder=sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - started, "dags": len(bag.dags), "errors": list(bag.import_errors)}))
"""


def parse(path: Path, env: dict[str, str]) -> dict:
    result = subprocess.run([sys.executable, "-c", PARSE, str(path)], capture_output=True, text=True, env=env, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from voc.airflow_env import airflow_env
    from voc.settings import get_settings

    if not (ROOT / "dbt_project" / "target" / "dbt_ls.json").exists():
        print("dbt_project/target/dbt_ls.json is missing: run `uv run voc manifest` first", file=sys.stderr)
        return 2
    env = os.environ | airflow_env(get_settings())
    with tempfile.TemporaryDirectory(prefix="voc-bench-dag-") as folder:
        baseline_file = Path(folder) / "baseline.py"
        baseline_file.write_text(BASELINE_DAG)
        return measure(baseline_file, env, args.repeat)


def measure(baseline_file: Path, env: dict[str, str], repeat: int) -> int:
    files = [baseline_file, *sorted((ROOT / "dags").glob("*.py"))]
    print(f"{'file':28s} {'DAGs':>5s} {'parse s (median of ' + str(repeat) + ')':>24s} {'× one-task DAG':>15s}")
    baseline = None
    worst = 0.0
    for path in files:
        runs = [parse(path, env) for _ in range(repeat)]
        if runs[0]["errors"]:
            print(f"{path.name}: import errors {runs[0]['errors']}", file=sys.stderr)
            return 1
        seconds = statistics.median(run["seconds"] for run in runs)
        baseline = baseline or seconds
        if path != baseline_file:
            worst = max(worst, seconds)
        name = "one-task DAG (baseline)" if path == baseline_file else path.name
        print(f"{name:28s} {runs[0]['dags']:5d} {seconds:24.3f} {seconds / baseline:15.1f}")
    print(f"slowest file: {worst:.3f} s (target ≤ 0.5 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
