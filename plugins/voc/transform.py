"""Running dbt against the warehouse with the project's profile (dbt_project/profiles.yml reads VOC_PG_*)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from voc import privacy, warehouse
from voc.settings import Settings, get_settings


class DbtError(RuntimeError):
    """dbt exited non-zero; the message carries the command and dbt's last lines."""


def dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def dbt_env(settings: Settings | None = None, *, without_secret: bool = False) -> dict[str, str]:
    """The environment dbt needs: the transformer's VOC_PG_* variables, the pseudonymisation key pads as session
    settings (PGOPTIONS, dbt's process only: see voc.privacy), the time zone, no anonymous usage stats.
    ``without_secret``: leave the pads out when there is no secret (dbt's first statement then says what to set)."""
    settings = settings or get_settings()
    env = warehouse.libpq_env(settings, duty="transformer")
    try:
        env["PGOPTIONS"] = privacy.session_options(settings)
    except privacy.PrivacyError:
        if not without_secret:
            raise
    env |= {
        "VOC_PHONE_COUNTRY_CODE": settings.phone_country_code,
        "VOC_TIMEZONE": settings.timezone,
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_PROFILES_DIR": str(settings.dbt_project_dir),
        "DBT_PROJECT_DIR": str(settings.dbt_project_dir),
    } | PROFILE_FLAGS
    return env


# The profile and target named as Cosmos names them in transform_dbt: dbt keeps its parse of the project (partial
# parsing) only while they are the same, so a `voc dbt` command and the DAG reuse each other's.
PROFILE_FLAGS = {"DBT_PROFILE": "voc", "DBT_TARGET": "warehouse"}


def manifest_path(settings: Settings | None = None) -> Path:
    settings = settings or get_settings()
    return settings.dbt_project_dir / "target" / "manifest.json"


def node_list_path(settings: Settings | None = None) -> Path:
    """The project's nodes as `dbt ls --output json` lists them: Cosmos renders the transform DAG from this file."""
    settings = settings or get_settings()
    return settings.dbt_project_dir / "target" / "dbt_ls.json"


# the keys Cosmos asks `dbt ls` for in its LoadMode.DBT_LS (not package_name: given one, Cosmos would look for the
# node's file in a folder named after the package instead of the project's folder)
NODE_LIST_KEYS = [
    "name",
    "unique_id",
    "resource_type",
    "depends_on",
    "original_file_path",
    "tags",
    "config",
    "freshness",
    "fqn",
]


def run_dbt(args: list[str], settings: Settings | None = None, *, quiet: bool = False, env: dict[str, str] | None = None) -> str:
    """Run `dbt <args>` in the project folder; raise DbtError naming what failed."""
    settings = settings or get_settings()
    result = subprocess.run(
        [dbt_executable(), *args],
        cwd=settings.dbt_project_dir,
        env=os.environ | (env or dbt_env(settings)),
        capture_output=True,
        text=True,
    )
    if not quiet or result.returncode != 0:
        sys.stdout.write(result.stdout)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-30:])
        raise DbtError(f"`dbt {' '.join(args)}` failed (exit {result.returncode}):\n{tail}")
    return result.stdout


def parse(settings: Settings | None = None) -> Path:
    """Write target/manifest.json and the node list Cosmos renders the transform DAG from (one `dbt ls`, which
    parses the project as `dbt parse` does). Returns the manifest's path."""
    settings = settings or get_settings()
    try:
        env = dbt_env(settings, without_secret=True)
    except warehouse.WarehouseError:
        # `dbt parse` never connects: placeholders let it run before the warehouse was ever started
        env = {
            "VOC_PG_HOST": "127.0.0.1",
            "VOC_PG_PORT": "5432",
            "VOC_PG_USER": "voc",
            "VOC_PG_PASSWORD": "",
            "VOC_PG_DATABASE": "voc",
            "VOC_TIMEZONE": settings.timezone,
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_PROFILES_DIR": str(settings.dbt_project_dir),
        } | PROFILE_FLAGS
    listing = run_dbt(["ls", "--output", "json", "--output-keys", *NODE_LIST_KEYS, "--quiet"], settings, quiet=True, env=env)
    nodes = node_list_path(settings)
    partial = nodes.with_suffix(".partial")
    partial.write_text(listing)
    partial.replace(nodes)  # a DAG parse never reads half a list
    return manifest_path(settings)


def build(settings: Settings | None = None, *, quiet: bool = True) -> str:
    """`dbt build`: seeds, models, data tests and unit tests, in dependency order."""
    return run_dbt(["build"], settings, quiet=quiet)
