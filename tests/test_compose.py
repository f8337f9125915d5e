"""docker-compose.yml and the Dockerfile cannot be started on machines without a Docker engine; they are validated."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_airflow_3_services_and_two_databases():
    services = _compose()["services"]
    assert {
        "airflow-db",
        "warehouse",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
    } <= set(services)
    airflow_commands = {
        name: service["command"] for name, service in services.items() if name.startswith("airflow-") and name != "airflow-db"
    }
    available = subprocess.run([str(Path(sys.executable).with_name("airflow")), "--help"], capture_output=True, text=True).stdout
    for name, command in airflow_commands.items():
        if command[0] == "airflow":
            assert re.search(rf"^\s+{command[1]}\s", available, re.M), (
                f"{name}: `airflow {command[1]}` is not an Airflow 3 command"
            )


def test_compose_configures_the_warehouse_and_keeps_secrets_out_of_the_file():
    text = (ROOT / "docker-compose.yml").read_text()
    env = _compose()["x-airflow"]["environment"]
    assert env["VOC_WAREHOUSE_URL"].startswith("postgresql://voc:${VOC_WAREHOUSE_PASSWORD")
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert env["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] == "False"
    for secret in ("AIRFLOW_DB_PASSWORD", "AIRFLOW_JWT_SECRET", "VOC_WAREHOUSE_PASSWORD"):
        assert "${" + secret in text
    assert not re.search(r"PASSWORD:\s*[\"']?[A-Za-z0-9]{6,}", text), "a literal password in docker-compose.yml"


def test_dockerfile_copies_files_that_exist():
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            *sources, _ = line.split()[1:]
            for source in sources:
                assert (ROOT / source).exists(), f"Dockerfile copies {source}, which is missing"
