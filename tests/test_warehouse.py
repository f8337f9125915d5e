"""The embedded warehouse: reachable over TCP by psql with the DSN `voc warehouse url` prints; bootstrapped."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from voc.cli import main


def test_warehouse_url_works_with_psql_over_tcp(warehouse, settings, capsys):
    assert main(["warehouse", "url"]) == 0
    dsn = capsys.readouterr().out.strip()
    assert dsn.startswith("postgresql://") and "@127.0.0.1:" in dsn
    psql = shutil.which("psql") or str(Path(sys.executable).parent.parent / "lib")  # fall back to pgserver's psql below
    if not shutil.which("psql"):
        from voc.warehouse import _bin_dir

        psql = str(_bin_dir() / "psql")
    result = subprocess.run(
        [psql, dsn, "-Atc", "select inet_server_addr()::text, current_database()"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "127.0.0.1/32|voc"


def test_bootstrap_creates_schemas_and_roles(warehouse, settings):
    with warehouse.connect(settings) as conn:
        schemas = {row[0] for row in conn.execute("select nspname from pg_namespace")}
        roles = {row[0] for row in conn.execute("select rolname from pg_roles")}
        reader_can_read_marts = conn.execute("select has_schema_privilege('voc_reader', 'marts', 'usage')").fetchone()[0]
        reader_can_read_raw = conn.execute("select has_schema_privilege('voc_reader', 'raw', 'usage')").fetchone()[0]
    assert {"raw", "audit", "reference", "staging", "intermediate", "marts"} <= schemas
    assert {"voc_loader", "voc_transformer", "voc_reader"} <= roles
    assert reader_can_read_marts and not reader_can_read_raw


def test_ensure_running_is_idempotent(warehouse, settings):
    first = warehouse.url(settings)
    assert warehouse.ensure_running(settings) == first
    assert warehouse.status(settings) == "running"


def test_configured_url_is_used_instead_of_embedded(settings, monkeypatch):
    from voc import warehouse as wh
    from voc.settings import get_settings

    monkeypatch.setenv("VOC_WAREHOUSE_URL", "postgresql://someone:s%40cret@db.example.internal:6543/quality")
    configured = get_settings()
    info = wh.connection_info(configured)
    assert (info.host, info.port, info.user, info.password, info.database) == (
        "db.example.internal",
        6543,
        "someone",
        "s@cret",
        "quality",
    )
    assert not wh.is_embedded(configured)
    assert wh.sqlalchemy_url(configured).startswith("postgresql+psycopg2://")


def test_unreachable_warehouse_error_says_what_to_do(settings, monkeypatch):
    from voc import warehouse as wh
    from voc.settings import get_settings

    monkeypatch.setenv("VOC_WAREHOUSE_URL", "postgresql://u:p@127.0.0.1:1/none")
    with pytest.raises(wh.WarehouseError, match="VOC_WAREHOUSE_URL"):
        wh.connect(get_settings())
