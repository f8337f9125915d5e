"""The environment Airflow runs in for the local demo and the tests (metadata on SQLite under $VOC_HOME/airflow).

`configure()` sets defaults only: anything already exported (a real deployment's settings) wins.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from voc.settings import DUTIES, WAREHOUSE_CONN_ID, Settings, conn_variable, duty_conn_id, get_settings


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
        # the watcher's producer keeps node statuses in memory and writes them once if it is retried, not after every
        # node (a hard kill of the producer then re-runs the affected nodes; the results are the same)
        "AIRFLOW__COSMOS__ENABLE_WATCHER_RELIABLE_RETRY": "False",
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
    """Export what the dbt tasks Cosmos runs in this process need, existing values winning: the transformer's Airflow
    connection (``voc_warehouse_transformer``, which Cosmos maps to dbt's profile) where the environment can derive
    it (the embedded warehouse's transformer login, or ``VOC_TRANSFORMER_URL``), the pseudonymisation pads (PGOPTIONS,
    see voc.privacy), the time zone and the phone country code. A connection defined in Airflow's metadata database
    or secrets backend is left to Airflow's own lookup. Reads settings and files only: safe while parsing a DAG."""
    from voc import privacy, warehouse

    settings = settings or get_settings()
    env = {
        "VOC_PHONE_COUNTRY_CODE": settings.phone_country_code,
        "VOC_TIMEZONE": settings.timezone,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    if warehouse.is_embedded(settings) or os.environ.get("VOC_TRANSFORMER_URL"):
        try:
            env[conn_variable(duty_conn_id("transformer"))] = warehouse.url(settings, "transformer")
        except warehouse.WarehouseError:
            pass  # not initialised yet: `voc setup` starts it
    try:
        env["PGOPTIONS"] = privacy.session_options(settings)
    except (privacy.PrivacyError, warehouse.WarehouseError):
        pass  # without the secret, dbt's first statement says what to set (macro check_pseudonym_key)
    for key, value in env.items():
        os.environ.setdefault(key, value)
    return env


def task_settings() -> Settings:
    """The settings inside an Airflow task. The warehouse's connections (``voc_warehouse`` and
    ``voc_warehouse_<duty>``) that the environment does not define are looked up through Airflow (its metadata
    database or secrets backend), so a deployment can keep them there; the values stay in this task's process."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    wanted = {WAREHOUSE_CONN_ID: "VOC_WAREHOUSE_URL"} | {duty_conn_id(duty): f"VOC_{duty.upper()}_URL" for duty in DUTIES}
    for conn_id, variable in wanted.items():
        if os.environ.get(variable) or os.environ.get(conn_variable(conn_id)):
            continue
        try:
            os.environ[conn_variable(conn_id)] = Connection.get(conn_id).get_uri()
        except AirflowNotFoundException:
            continue
    return get_settings()


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
