"""Running dbt against the warehouse with the project's profile (dbt_project/profiles.yml reads VOC_PG_*)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from voc import warehouse
from voc.settings import Settings, get_settings


class DbtError(RuntimeError):
    """dbt exited non-zero; the message carries the command and dbt's last lines."""


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_env(settings: Settings | None = None) -> dict[str, str]:
    """The environment dbt needs: the warehouse's VOC_PG_* variables, the time zone, no anonymous usage stats."""
    settings = settings or get_settings()
    env = warehouse.libpq_env(settings)
    env |= {
        "VOC_TIMEZONE": settings.timezone,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_PROFILES_DIR": str(settings.dbt_project_dir),
        "DBT_PROJECT_DIR": str(settings.dbt_project_dir),
    }
    return env


def manifest_path(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    return settings.dbt_project_dir / "target" / "manifest.json"


def run_dbt(args: list[str], settings: Settings | None = None, *, quiet: bool = False) -> str:
    """Run `dbt <args>` in the project folder; raise DbtError naming what failed."""
    settings = settings or get_settings()
    command = [dbt_executable(), *args]
    result = subprocess.run(
        command, cwd=settings.dbt_project_dir, env=os.environ | dbt_env(settings), capture_output=True, text=True
    )
    if not quiet or result.returncode != 0:
        sys.stdout.write(result.stdout)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-30:])
        raise DbtError(f"`dbt {' '.join(args)}` failed (exit {result.returncode}):\n{tail}")
    return result.stdout


def parse(settings: Settings | None = None) -> Path:
    """Write target/manifest.json (Cosmos renders the transform DAG from it). Needs no running warehouse."""
    settings = settings or get_settings()
    env_backup = {}
    try:
        warehouse.connection_info(settings)
    except warehouse.WarehouseError:
        # parse never connects: placeholders let it run before the warehouse was ever started
        env_backup = {"VOC_PG_HOST": "127.0.0.1", "VOC_PG_PORT": "5432", "VOC_PG_USER": "voc", "VOC_PG_PASSWORD": "", "VOC_PG_DATABASE": "voc"}
    env = os.environ | env_backup
    if not env_backup:
        env |= dbt_env(settings)
    result = subprocess.run(
        [dbt_executable(), "parse", "--quiet"], cwd=settings.dbt_project_dir,
        env=env | {"DBT_PROFILES_DIR": str(settings.dbt_project_dir), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise DbtError(f"`dbt parse` failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
    return manifest_path(settings)


def build(settings: Settings | None = None, *, quiet: bool = True) -> str:
    """`dbt build`: seeds, models, data tests and unit tests, in dependency order."""
    return run_dbt(["build"], settings, quiet=quiet)
