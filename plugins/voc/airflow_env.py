"""The environment Airflow runs in for the local demo and the tests (metadata on SQLite under $VOC_HOME/airflow).

`configure()` sets defaults only: anything already exported (a real deployment's settings) wins.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from voc.settings import Settings, get_settings


def airflow_env(settings: Settings | None = None) -> dict[str, str]:
    settings = settings or get_settings()
    airflow_home = settings.home / "airflow"
    return {
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.project_root / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(settings.project_root / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": "utc",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "DO_NOT_TRACK": "1",
        "SCARF_NO_ANALYTICS": "true",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "VOC_HOME": str(settings.home),
    }


def configure(settings: Settings | None = None) -> dict[str, str]:
    """Export Airflow's and dbt's environment into this process (existing values win). Call before importing airflow."""
    settings = settings or get_settings()
    env = airflow_env(settings) | export_dbt_env(settings)
    for key, value in env.items():
        os.environ.setdefault(key, value)
    Path(os.environ["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    return env


def export_dbt_env(settings: Settings | None = None) -> dict[str, str]:
    """Export dbt's environment (the transformer's VOC_PG_*, the pseudonymisation pads) into this process, for the
    dbt tasks Cosmos runs in it, derived from the one warehouse setting (`VOC_WAREHOUSE_URL` or the Airflow
    connection `voc_warehouse`); existing values win. Reads settings and files only: safe while parsing a DAG."""
    from voc import warehouse
    from voc.transform import dbt_env

    settings = settings or get_settings()
    try:
        # without a pseudonymisation secret dbt's first statement says what to set (macro check_pseudonym_key)
        env = dbt_env(settings, without_secret=True)
    except warehouse.WarehouseError:
        return {}  # not initialised yet: `voc setup` starts it
    for key, value in env.items():
        os.environ.setdefault(key, value)
    return env


class AirflowSetupError(RuntimeError):
    """Airflow's metadata database could not be set up; the message has Airflow's own last line and where the full
    output was written."""


def migrate(settings: Settings | None = None) -> None:
    """`airflow db migrate` (idempotent) in the configured environment."""
    configure(settings)
    airflow = Path(sys.executable).with_name("airflow")
    result = subprocess.run([str(airflow), "db", "migrate"], env=os.environ.copy(), capture_output=True, text=True)
    if result.returncode != 0:
        log_path = Path(os.environ["AIRFLOW_HOME"]) / "db-migrate.log"
        log_path.write_text(result.stdout + result.stderr, encoding="utf-8")
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        errors = [line for line in lines if re.match(r"^[\w.]+(Error|Exception): ", line)]
        last = (errors or lines or ["no output"])[-1][:300]
        raise AirflowSetupError(
            f"`airflow db migrate` failed (exit {result.returncode}): {last}; full output in {log_path}; check "
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"
        )
