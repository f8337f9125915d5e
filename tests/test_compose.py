"""docker-compose.yml and the Dockerfile cannot be started on machines without a Docker engine; they are validated."""

from __future__ import annotations

import json
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
        "airflow-worker",
        "redis",
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
    assert env["AIRFLOW_CONN_VOC_WAREHOUSE"].startswith("postgresql://voc:${VOC_WAREHOUSE_PASSWORD")
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert env["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] == "False"
    # the live channels' connections come from an optional file, never from docker-compose.yml itself
    assert _compose()["x-airflow"]["env_file"] == [{"path": "./live-channels.env", "required": False}]
    assert not any(key.startswith(("AIRFLOW_CONN_VOC_X", "AIRFLOW_CONN_VOC_FACEBOOK", "AIRFLOW_CONN_VOC_IMAP")) for key in env)
    for duty in ("loader", "transformer", "reader", "eraser"):
        assert env[f"AIRFLOW_CONN_VOC_WAREHOUSE_{duty.upper()}"].startswith(
            f"postgresql://pipeline_{duty}:${{VOC_{duty.upper()}_PASSWORD:?"
        )
    for secret in ("AIRFLOW_DB_PASSWORD", "AIRFLOW_JWT_SECRET", "VOC_WAREHOUSE_PASSWORD", "VOC_PSEUDONYM_SECRET"):
        assert "${" + secret in text
    assert not re.search(r"PASSWORD:\s*[\"']?[A-Za-z0-9]{6,}", text), "a literal password in docker-compose.yml"


def test_dockerfile_copies_files_that_exist():
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            *sources, _ = line.split()[1:]
            for source in sources:
                assert (ROOT / source).exists(), f"Dockerfile copies {source}, which is missing"


def _image(tmp_path: Path) -> Path:
    """What the Dockerfile puts in /opt/voc/app, from a fresh checkout (tracked files only), at tmp_path/opt/app."""
    import shutil

    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    app = tmp_path / "opt" / "app"
    app.mkdir(parents=True)
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            *sources, _ = line.split()[1:]
            for source in sources:
                for name in tracked:
                    if name == source or name.startswith(source.rstrip("/") + "/"):
                        (app / name).parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(ROOT / name, app / name)
    return app


def _service_env(tmp_path: Path, values: dict[str, str]) -> dict[str, str]:
    """The Airflow services' environment as docker-compose.yml gives it, with .env's values and /opt/voc mapped."""
    import os

    env = {}
    for key, value in _compose()["x-airflow"]["environment"].items():
        value = re.sub(
            r"\$\{(\w+)(?::?([-?])([^}]*))?\}",
            lambda match: values.get(match.group(1)) or (match.group(3) if match.group(2) == "-" else ""),
            str(value),
        )
        env[key] = value.replace("/opt/voc", str(tmp_path / "opt"))
    path = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    keep = {key: os.environ[key] for key in ("HOME", "LANG", "TMPDIR") if key in os.environ}
    return keep | env | {"PATH": path}


def test_the_services_command_sequence_runs_from_what_the_image_contains(warehouse, settings, tmp_path):
    """No Docker engine here: the image's build step and the services' commands run from a fresh checkout's
    Dockerfile-copied files with the compose file's environment, against databases of the test server standing
    in for `airflow-db` and `warehouse`."""
    owner = warehouse.connection_info(settings)
    with warehouse.connect(settings, autocommit=True) as conn:
        for database in ("compose_airflow", "compose_warehouse"):
            conn.execute(f"drop database if exists {database}")
            conn.execute(f"create database {database}")
    app = _image(tmp_path)
    assert not (app / "dbt_project" / "target").exists()

    # docker build: `RUN VOC_HOME=/tmp/voc-build voc manifest` (no warehouse, no secret)
    build = _service_env(tmp_path, {}) | {"VOC_PROJECT_ROOT": str(app), "VOC_HOME": str(tmp_path / "build")}
    for key in list(build):
        if key.startswith(("AIRFLOW_CONN", "VOC_PSEUDONYM", "VOC_WAREHOUSE")):
            del build[key]
    done = subprocess.run(["voc", "manifest"], env=build, cwd=app, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (app / "dbt_project" / "target" / "manifest.json").exists()
    assert (app / "dbt_project" / "target" / "dbt_ls.json").stat().st_size > 0  # what transform_dbt renders from

    import secrets

    duties = ("loader", "transformer", "reader", "eraser")
    secret_values = {
        "AIRFLOW_DB_PASSWORD": owner.password,
        "AIRFLOW_JWT_SECRET": "compose-test-jwt-secret",
        "VOC_WAREHOUSE_PASSWORD": owner.password,
        "VOC_PSEUDONYM_SECRET": "compose-test-pseudonym-secret",
    } | {f"VOC_{duty.upper()}_PASSWORD": secrets.token_urlsafe(12) for duty in duties}
    env = _service_env(tmp_path, secret_values) | {"VOC_PROJECT_ROOT": str(app)}
    secrets_given = [value for key, value in secret_values.items() if key != "AIRFLOW_JWT_SECRET"]
    # the compose hosts are this server's databases
    env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].replace(
        f"airflow:{owner.password}@airflow-db:5432/airflow",
        f"{owner.user}:{owner.password}@{owner.host}:{owner.port}/compose_airflow",
    )
    for key in [key for key in env if key.startswith("AIRFLOW_CONN_VOC_WAREHOUSE")]:
        env[key] = env[key].replace("@warehouse:5432/voc", f"@{owner.host}:{owner.port}/compose_warehouse")
    assert "VOC_WAREHOUSE_URL" not in env and not any(key.startswith("VOC_PG_") for key in env), "credentials given twice"
    for folder in ("state", "airflow/logs", "dropfolder"):
        (tmp_path / "opt" / folder).mkdir(parents=True, exist_ok=True)

    services = _compose()["services"]
    init = subprocess.run(services["airflow-init"]["command"], env=env, cwd=app, capture_output=True, text=True)
    assert init.returncode == 0, (init.stdout + init.stderr)[-3000:]
    import psycopg

    with psycopg.connect(env["AIRFLOW_CONN_VOC_WAREHOUSE"]) as conn:
        schemas = {row[0] for row in conn.execute("select nspname from pg_namespace")}
    assert {"raw", "audit", "marts", "restricted"} <= schemas
    # the init created each duty's login from its connection, in its role and nothing more
    for duty in duties:
        with psycopg.connect(env[f"AIRFLOW_CONN_VOC_WAREHOUSE_{duty.upper()}"]) as conn:
            assert conn.execute(
                "select current_user, rolsuper, array(select b.rolname from pg_auth_members m "
                "join pg_roles b on b.oid = m.roleid where m.member = r.oid) from pg_roles r where rolname = current_user"
            ).fetchone() == (f"pipeline_{duty}", False, [f"voc_{duty}"])

    # the dag-processor's work, then what every Airflow service and healthcheck runs exists in the image's environment
    airflow = str(Path(sys.executable).with_name("airflow"))
    parsed = subprocess.run([airflow, "dags", "reserialize"], env=env, cwd=app, capture_output=True, text=True)
    assert parsed.returncode == 0, (parsed.stdout + parsed.stderr)[-3000:]
    listed = subprocess.run([airflow, "dags", "list", "-o", "json"], env=env, cwd=app, capture_output=True, text=True)
    assert listed.returncode == 0, listed.stderr[-2000:]
    (listing,) = [line for line in listed.stdout.splitlines() if line.startswith("[{")]
    dag_ids = {dag["dag_id"] for dag in json.loads(listing)}
    errors = subprocess.run(
        [airflow, "dags", "list-import-errors", "-o", "json"], env=env, cwd=app, capture_output=True, text=True
    )
    assert errors.returncode == 0 and "Error" not in errors.stdout, errors.stdout[-3000:]
    assert {"transform_dbt", "publish_monthly_report", "housekeeping", "ingest_phone"} <= dag_ids, sorted(dag_ids)

    # a worker runs dbt through Cosmos (the watcher's producer: the whole `dbt build`) with the profile mapped from
    # the transformer's connection
    for task_id in ("prepare_warehouse", "dbt.dbt_producer_watcher"):
        ran = subprocess.run(
            [airflow, "tasks", "test", "transform_dbt", task_id], env=env, cwd=app, capture_output=True, text=True
        )
        # `airflow tasks test` exits 0 even when the task failed: read its outcome from the log
        failed = ran.returncode != 0 or "Task failed with exception" in ran.stdout + ran.stderr
        assert not failed, f"{task_id}: {(ran.stdout + ran.stderr)[-3000:]}"
        for secret in secrets_given:
            assert secret not in ran.stdout + ran.stderr, f"{task_id} printed a secret"
    with psycopg.connect(env["AIRFLOW_CONN_VOC_WAREHOUSE"]) as conn:
        built = dict(
            conn.execute(
                "select c.relname, pg_get_userbyid(c.relowner) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                "where n.nspname in ('reference', 'staging', 'intermediate', 'marts', 'restricted') and c.relkind in ('r', 'v')"
            ).fetchall()
        )
    assert {"channels", "stg_phone__calls", "fct_contacts", "kpi_channel_monthly"} <= set(built)
    assert set(built.values()) == {"voc_transformer"}
    for name, service in services.items():
        command = service.get("command")
        if command and command[0] == "airflow":
            helped = subprocess.run([airflow, *command[1:], "--help"], env=env, capture_output=True, text=True)
            assert helped.returncode == 0, f"{name}: {' '.join(command)} --help failed: {helped.stderr[-500:]}"
        check = service.get("healthcheck", {}).get("test", [])
        if check[:1] == ["CMD-SHELL"] and check[1].startswith("airflow jobs check"):
            assert subprocess.run([airflow, "jobs", "check", "--help"], env=env, capture_output=True).returncode == 0
    # every long-running Airflow service waits for the init, and has a healthcheck
    for name, service in services.items():
        if name.startswith("airflow-") and name not in {"airflow-init", "airflow-db"}:
            assert service["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully", name
            assert service.get("healthcheck"), name
