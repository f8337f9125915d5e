"""The DagBag: every DAG imports, has tags and retries, and the expected DAGs exist."""

from __future__ import annotations

import pytest
from voc.channels import REGISTRY


@pytest.fixture(scope="module")
def dagbag(settings, warehouse):
    from voc import transform

    transform.parse(settings)  # the transform DAG is rendered from the dbt manifest
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(settings.project_root / "dags"))


def test_dags_import_without_errors(dagbag):
    assert dagbag.import_errors == {}


def test_expected_dags_exist(dagbag):
    expected = {f"ingest_{name}" for name in REGISTRY} | {"transform_dbt", "publish_monthly_report", "housekeeping"}
    assert expected <= set(dagbag.dag_ids)


def test_every_dag_has_tags_retries_and_docs(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, dag_id
        assert dag.default_args.get("retries", 0) > 0, dag_id
        assert dag.doc_md, dag_id
        assert dag.start_date is not None and dag.start_date.tzinfo is not None, dag_id


def test_transform_dag_has_a_task_per_model(dagbag, settings):
    import json

    from voc.transform import manifest_path

    manifest = json.loads(manifest_path(settings).read_text())
    models = {node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    task_ids = set(dagbag.dags["transform_dbt"].task_ids)
    assert models
    assert {f"dbt.{model}.run" for model in models} <= task_ids
    assert {f"dbt.{model}.test" for model in models} <= task_ids


def test_publish_dag_interval_is_the_month(dagbag, settings):
    import pendulum

    dag = dagbag.dags["publish_monthly_report"]
    from airflow.serialization.encoders import coerce_to_core_timetable

    interval = coerce_to_core_timetable(dag.timetable).infer_manual_data_interval(
        run_after=pendulum.datetime(2026, 11, 1, tz=settings.timezone)
    )
    assert interval.start == pendulum.datetime(2026, 10, 1, tz=settings.timezone)
    assert interval.end == pendulum.datetime(2026, 11, 1, tz=settings.timezone)
