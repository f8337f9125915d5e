"""The DagBag: every DAG imports, has tags and retries, and the expected DAGs exist."""

from __future__ import annotations

import pytest
from voc.channels import REGISTRY


@pytest.fixture(scope="module")
def dagbag(settings, warehouse):
    from voc import transform

    transform.parse(settings)  # the transform DAG is rendered from the node list written with the manifest
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


def test_transform_dag_has_a_task_per_model_after_one_dbt_build(dagbag, settings):
    """Cosmos's watcher: one task runs `dbt build` (never retried: Cosmos skips a second attempt), and every model
    has a run and a test task that report its result after it."""
    import json

    from voc.orchestration import PRODUCER
    from voc.transform import manifest_path

    # the DAG is rendered from the node list `voc manifest` writes with the manifest: it must hold every node
    manifest = json.loads(manifest_path(settings).read_text())
    models = {node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    seeds = {node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "seed"}
    dag = dagbag.dags["transform_dbt"]
    task_ids = set(dag.task_ids)
    assert models and seeds
    assert {f"dbt.{model}.run" for model in models} <= task_ids
    assert {f"dbt.{model}.test" for model in models} <= task_ids
    assert {f"dbt.{seed}.seed" for seed in seeds} <= task_ids
    producer = dag.get_task(f"dbt.{PRODUCER}")
    assert producer.retries == 0 and producer.upstream_task_ids == {"prepare_warehouse"}
    nodes = [task for task in dag.tasks if task.task_id.startswith("dbt.") and not task.task_id.startswith(producer.task_id)]
    assert nodes and all(producer.task_id in task.get_flat_relative_ids(upstream=True) for task in nodes)
    # dbt's order: a model's task follows the tasks of the models it reads
    assert "dbt.int_interactions.run" in dag.get_task("dbt.fct_interactions.run").get_flat_relative_ids(upstream=True)


def test_transform_dag_without_its_node_list_says_how_to_write_it(dagbag, settings):
    from voc import orchestration, transform

    node_list = transform.node_list_path(settings)
    aside = node_list.with_suffix(".aside")
    node_list.replace(aside)
    try:
        with pytest.raises(FileNotFoundError, match=r"dbt_ls.json is missing: run `voc setup` \(or `voc manifest`\)"):
            orchestration.build_transform_dag(list(REGISTRY))
    finally:
        aside.replace(node_list)


def test_publish_dag_interval_is_the_month(dagbag, settings):
    import pendulum

    dag = dagbag.dags["publish_monthly_report"]
    from airflow.serialization.encoders import coerce_to_core_timetable

    interval = coerce_to_core_timetable(dag.timetable).infer_manual_data_interval(
        run_after=pendulum.datetime(2026, 11, 1, tz=settings.timezone)
    )
    assert interval.start == pendulum.datetime(2026, 10, 1, tz=settings.timezone)
    assert interval.end == pendulum.datetime(2026, 11, 1, tz=settings.timezone)


def test_tasks_find_the_warehouse_connections_in_airflow_s_metadata_database(landing_database, settings, monkeypatch):
    """A deployment may keep the warehouse's connections in Airflow's metadata database (or a secrets backend)
    instead of the environment: an ingest run finds them through Airflow's own lookup, and lands, as the loader,
    into the warehouse they name."""
    import shutil

    from airflow.models import Connection
    from airflow.utils.session import create_session
    from voc import airflow_env, warehouse
    from voc.channels import REGISTRY
    from voc.demo import run_dag
    from voc.orchestration import build_ingest_dag
    from voc.warehouse import Connection as Login

    own, drop = landing_database
    shutil.copytree(settings.drop_folder / "phone", drop / "phone")
    database = own.warehouse_url.rsplit("/", 1)[1]
    loader = warehouse.connection_info(settings, "loader")
    defined = {
        "voc_warehouse": own.warehouse_url,
        "voc_warehouse_loader": Login(loader.host, loader.port, loader.user, loader.password, database).url,
    }
    variables = ["VOC_WAREHOUSE_URL", "VOC_LOADER_URL", *(f"AIRFLOW_CONN_{conn_id.upper()}" for conn_id in defined)]
    for variable in variables:
        monkeypatch.setenv(variable, "")  # remembered, so that the values the task exports are undone after
        monkeypatch.delenv(variable)
    monkeypatch.setenv("VOC_SAMPLE_DIR", str(drop))
    monkeypatch.setenv("VOC_PSEUDONYM_SECRET", "landing-test-secret")
    with warehouse.connect(own) as conn:  # who inserts into raw.phone_calls: the login of the session
        conn.execute("create table public.probe_inserts (login text)")
        conn.execute(
            "create function public.probe() returns trigger language plpgsql security definer as "
            "$$ begin insert into public.probe_inserts values (session_user); return null; end $$"
        )
        conn.execute("create trigger probe after insert on raw.phone_calls for each statement execute function public.probe()")
        conn.commit()
    airflow_env.migrate()
    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id.in_(list(defined))).delete(synchronize_session=False)
        for conn_id, uri in defined.items():
            session.add(Connection(conn_id=conn_id, uri=uri))
    try:
        run = run_dag(build_ingest_dag(REGISTRY["phone"]))
    finally:
        with create_session() as session:
            session.query(Connection).filter(Connection.conn_id.in_(list(defined))).delete(synchronize_session=False)
    (landed,) = [ti.xcom_pull(task_ids=ti.task_id) for ti in run.get_task_instances()]
    assert landed["inserted"] > 0
    with warehouse.connect(own) as conn:
        assert conn.execute("select count(*) from raw.phone_calls").fetchone() == (landed["inserted"],)
        assert conn.execute("select distinct login from public.probe_inserts").fetchall() == [("voc_loader",)]
