"""Shared fixtures: one embedded PostgreSQL, one sample drop folder, one landed and built warehouse per test session.

Everything lives in a temporary VOC_HOME (never the developer's .voc/); the server is stopped at the end.
Airflow's environment points at that home before anything imports airflow.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

_HOME = Path(tempfile.mkdtemp(prefix="voc-tests-"))
os.environ["VOC_HOME"] = str(_HOME)
for _var in list(os.environ):
    # the developer's own warehouse, duty logins and folders never reach the tests
    if _var.startswith("AIRFLOW_CONN_VOC_WAREHOUSE") or re.fullmatch(
        r"VOC_(WAREHOUSE|LOADER|TRANSFORMER|READER|REVIEWER|ERASER)_URL|VOC_(SAMPLE|REPORTS|DROP)_DIR|VOC_TIMEZONE", _var
    ):
        os.environ.pop(_var)

from voc import airflow_env  # noqa: E402
from voc.settings import Settings, get_settings  # noqa: E402

for _key, _value in airflow_env.airflow_env(get_settings()).items():
    os.environ[_key] = _value

# The sample every test sees: fixed seed and end, so figures are reproducible.
SAMPLE_SEED = 7
SAMPLE_END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def settings():
    return get_settings()


@pytest.fixture(scope="session")
def warehouse(settings):
    """The embedded warehouse, started for the session and stopped after it."""
    from voc import warehouse as wh

    wh.ensure_running(settings)
    airflow_env.configure(settings)  # the transformer's Airflow connection for the Cosmos tests
    yield wh
    wh.stop(settings)


@pytest.fixture(scope="session")
def ground_truth(settings):
    """The sample drop folder, generated once; returns its ground truth."""
    from voc.sample import generate

    return generate(settings.sample_dir, seed=SAMPLE_SEED, end=SAMPLE_END, timezone=settings.timezone)


@pytest.fixture(scope="session")
def landed(settings, warehouse, ground_truth):
    """Every channel landed once into raw; returns the landing summaries by channel."""
    from voc.channels import REGISTRY
    from voc.landing import land_channel

    return {name: land_channel(name, settings) for name in REGISTRY}


@pytest.fixture(scope="session")
def built_warehouse(settings, landed):
    """The landed sample transformed by `dbt build` (seeds, models, data tests, unit tests)."""
    from voc import transform

    transform.parse(settings)
    transform.build(settings)
    return settings


@pytest.fixture
def landing_database(warehouse, settings, ground_truth, tmp_path, request):
    """A fresh database and an empty drop folder of the test's own (files are copied from the session's sample):
    (settings, drop folder)."""
    database = "landing_" + re.sub(r"\W", "_", request.node.name)[:40].lower()
    with warehouse.connect(settings, autocommit=True) as conn:
        conn.execute(f"drop database if exists {database}")
        conn.execute(f"create database {database}")
    info = warehouse.connection_info(settings)
    drop = tmp_path / "drop"
    drop.mkdir()
    own = Settings(
        project_root=settings.project_root,
        home=settings.home,
        warehouse_url=info.url.rsplit("/", 1)[0] + "/" + database,
        sample_dir=drop,
        reports_dir=tmp_path,
        timezone=settings.timezone,
        pseudonym_secret="landing-test-secret",  # a configured warehouse must be given one
    )
    warehouse.bootstrap(own)
    return own, drop


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_HOME, ignore_errors=True)
