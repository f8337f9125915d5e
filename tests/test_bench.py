"""The benchmarks still run: each at a tiny scale, once, in a subprocess (they make, stop and remove their own
warehouse and sample).

Their figures are not checked here (speed is measured by the benchmarks, not by tests); only that they complete
and print their table.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("script", "arguments", "expected"),
    [
        ("bench_landing.py", ["--scale", "0.1", "--repeat", "1"], "plain_copy"),
        ("bench_classification.py", ["--scale", "0.1", "--repeat", "1"], "classification / rest"),
        ("bench_readers.py", ["--scale", "0.1", "--repeat", "1"], "slowest reader"),
        ("bench_transform.py", ["--scale", "0.1", "--repeat", "1"], "transform_dbt through Cosmos"),
        ("bench_dag_parse.py", ["--repeat", "1"], "slowest file"),
        ("bench_scale.py", ["--scale", "0.1"], "delta, land + dbt build"),
    ],
)
def test_benchmark_runs_at_a_tiny_scale(script, arguments, expected, tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("VOC_", "AIRFLOW"))}
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *arguments],
        capture_output=True,
        text=True,
        env=env | {"TMPDIR": str(tmp_path)},
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert expected in result.stdout
    # its throw-away home (warehouse, sample) is stopped and removed
    assert not list(tmp_path.glob("voc-bench-*")), result.stdout[-2000:]
