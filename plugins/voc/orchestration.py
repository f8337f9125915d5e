"""DAG builders: the DAG files in dags/ are one call each to these functions.

Parsing a DAG here touches no database and no network: heavy imports and all I/O happen inside tasks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pendulum
from airflow.sdk import DAG, AssetAny, CronDataIntervalTimetable, task

from voc.assets import MARTS, raw_asset
from voc.channels.base import Channel
from voc.channels.live import LiveStream
from voc.settings import duty_conn_id, get_settings

START_DATE = pendulum.datetime(2026, 1, 1, tz="UTC")
PRODUCER = "dbt_producer_watcher"  # Cosmos's watcher: the task that runs `dbt build`
DEFAULT_ARGS = {
    "owner": "voc",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
}


def build_ingest_dag(channel: Channel, doc_md: str | None = None) -> DAG:
    """`ingest_<channel>`: land everything new in the channel's source into raw (new or changed files of a drop
    folder; pages after the stored cursor of an API)."""
    with DAG(
        dag_id=f"ingest_{channel.name}",
        description=f"Land {channel.title} into raw ({', '.join('raw.' + t for t in channel.entities.values())})",
        schedule="@hourly",
        start_date=START_DATE,
        catchup=False,  # the manifest (or cursor), not the interval, says what is new: one run catches up everything
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["voc", "ingest", channel.name],
        doc_md=doc_md,
    ) as dag:

        @task(outlets=[raw_asset(channel.name)], multiple_outputs=False)
        def land(run_id: str | None = None) -> dict:
            """Land everything new; returns counts, files and cursor (no payloads) for XCom."""
            from voc import warehouse
            from voc.airflow_env import task_settings
            from voc.landing import land_channel

            settings = task_settings()
            warehouse.ensure_running(settings)
            return land_channel(channel.name, settings, run_id=run_id).as_dict()

        land()
    return dag


def build_live_dag(stream: LiveStream, doc_md: str | None = None) -> DAG:
    """`ingest_live_<channel>_<stream>`: land what the stream's server has after its cursor. Paused when created:
    a deployment turns on the streams whose connections it defined. A run stopped by a rate limit ends successful,
    saying until when, and the next run resumes from the saved cursor."""
    with DAG(
        dag_id=f"ingest_live_{stream.name.replace('.', '_')}",
        description=f"Land {stream.title} from its server into raw (cursor {stream.name})",
        schedule=stream.schedule,
        start_date=START_DATE,
        catchup=False,  # the cursor, not the interval, says what is new
        max_active_runs=1,
        is_paused_upon_creation=True,
        default_args=DEFAULT_ARGS | {"execution_timeout": timedelta(minutes=30)},
        tags=["voc", "ingest", "live", stream.channel],
        doc_md=doc_md,
    ) as dag:

        @task(outlets=[raw_asset(stream.channel)], multiple_outputs=False)
        def land(run_id: str | None = None) -> dict:
            """Land the stream's new responses; returns counts, cursor and note (no payloads) for XCom."""
            from voc import warehouse
            from voc.airflow_env import task_settings
            from voc.landing import land_stream

            settings = task_settings()
            warehouse.ensure_running(settings)
            summary = land_stream(stream.name, settings, run_id=run_id)
            if summary.note:
                print(summary.note)
            return summary.as_dict()

        land()
    return dag


TRANSFORMER_CONN_ID = duty_conn_id("transformer")


def build_transform_dag(channels: list[str], doc_md: str | None = None) -> DAG:
    """`transform_dbt`: the dbt project as Airflow tasks (Cosmos, rendered from the dbt manifest)."""
    from cosmos import DbtTaskGroup, ExecutionConfig, LoadMode, ProfileConfig, ProjectConfig, RenderConfig, TestBehavior
    from cosmos.constants import ExecutionMode, InvocationMode
    from cosmos.profiles import PostgresUserPasswordProfileMapping

    from voc.airflow_env import export_dbt_env
    from voc.transform import PROFILE_FLAGS, dbt_executable, node_list_path

    settings = get_settings()
    export_dbt_env(settings)  # the embedded warehouse's transformer connection and the pseudonymisation pads
    if not node_list_path(settings).exists():
        raise FileNotFoundError(
            f"the dbt node list {node_list_path(settings)} is missing: run `voc setup` (or `voc manifest`) to write it"
        )
    with DAG(
        dag_id="transform_dbt",
        description="dbt: staging, intermediate and marts, with their tests",
        schedule=AssetAny(*(raw_asset(name) for name in channels)),
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["voc", "transform", "dbt"],
        doc_md=doc_md,
    ) as dag:

        @task
        def prepare_warehouse() -> None:
            """Set the warehouse up (idempotent) and check that dbt's connection is defined."""
            from airflow.sdk import Connection
            from airflow.sdk.exceptions import AirflowNotFoundException

            from voc import warehouse
            from voc.airflow_env import task_settings

            warehouse.ensure_running(task_settings())
            try:
                Connection.get(TRANSFORMER_CONN_ID)
            except AirflowNotFoundException:
                raise AirflowNotFoundException(
                    f"dbt connects with the Airflow connection {TRANSFORMER_CONN_ID}, which is not defined: define it "
                    "(AIRFLOW_CONN_VOC_WAREHOUSE_TRANSFORMER, the metadata database or a secrets backend) as a login "
                    "in role voc_transformer (`voc setup` creates the login it names) or as the warehouse's owner"
                ) from None

        dbt = DbtTaskGroup(
            group_id="dbt",
            project_config=ProjectConfig(dbt_project_path=settings.dbt_project_dir, install_dbt_deps=False),
            # dbt's profile from the transformer's Airflow connection, acting as voc_transformer whichever login it is
            profile_config=ProfileConfig(
                profile_name=PROFILE_FLAGS["DBT_PROFILE"],
                target_name=PROFILE_FLAGS["DBT_TARGET"],
                profile_mapping=PostgresUserPasswordProfileMapping(
                    conn_id=TRANSFORMER_CONN_ID,
                    profile_args={"schema": "staging", "threads": 4, "role": "voc_transformer"},
                ),
            ),
            # Cosmos's watcher: one `dbt build` of the whole project (the producer task, dbt's own threads and order),
            # and a task per model, seed and test reporting that node's result (BENCHMARKS.md: a task per dbt
            # invocation was 4.5-6.9x a plain build)
            execution_config=ExecutionConfig(
                execution_mode=ExecutionMode.WATCHER,
                invocation_mode=InvocationMode.SUBPROCESS,
                dbt_executable_path=dbt_executable(),
            ),
            # rendered from `dbt ls` output written with the manifest (`voc manifest`): a plain file read, where
            # Cosmos reads a manifest through Airflow's object storage, which loads every Airflow plugin on a parse
            render_config=RenderConfig(
                load_method=LoadMode.DBT_LS_FILE,
                dbt_ls_path=node_list_path(settings),
                test_behavior=TestBehavior.AFTER_EACH,
                emit_datasets=False,
            ),
        )
        # The node tasks follow the producer (Cosmos lets them start beside it and wait, which `dag.test()` cannot
        # do), and the producer is not retried: Cosmos skips a producer's second attempt, which would leave the node
        # tasks skipped and the run green without a build. A failed build fails the run; the next run builds again.
        # The node tasks follow dbt's dependencies: the producer goes before those with no upstream node.
        producer = dag.get_task(f"{dbt.group_id}.{PRODUCER}")
        producer.retries = 0
        watchers = {producer.task_id, f"{dbt.group_id}.{PRODUCER}_done"}
        producer >> [
            member
            for member in dag.tasks
            if member.task_id.startswith(f"{dbt.group_id}.")
            and member.task_id not in watchers
            and not member.upstream_task_ids - watchers
        ]

        @task(outlets=[MARTS])
        def marts_ready() -> None:
            """Marks the marts as updated for the consumers of the asset."""

        prepare_warehouse() >> dbt >> marts_ready()
    return dag


def report_month(data_interval_start: datetime, timezone: str) -> date:
    """The month a publish run reports on: its data interval's start, in the organisation's time zone."""
    local = pendulum.instance(data_interval_start).in_timezone(timezone)
    return date(local.year, local.month, 1)


def build_publish_dag(doc_md: str | None = None) -> DAG:
    """`publish_monthly_report`: the quality gate, then the report; the data interval is the month."""
    settings = get_settings()
    with DAG(
        dag_id="publish_monthly_report",
        description="Great Expectations gate, then the monthly quality report (not written when the gate fails)",
        schedule=CronDataIntervalTimetable("0 0 1 * *", timezone=settings.timezone),
        start_date=pendulum.datetime(2026, 1, 1, tz=settings.timezone),
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["voc", "publish", "report", "quality"],
        doc_md=doc_md,
    ) as dag:

        @task(retries=0, multiple_outputs=False)  # a failed gate is a finding, not a glitch: never retried
        def check_quality(data_interval_start=None, data_interval_end=None, run_id: str | None = None) -> dict:
            """Run the Great Expectations gate; fails naming the failed expectations. Returns the summary."""
            from voc.airflow_env import task_settings
            from voc.quality import QualityGateFailed, run_gate
            from voc.reporting import withdraw_report

            settings = task_settings()
            start = report_month(data_interval_start, settings.timezone)
            end = report_month(data_interval_end, settings.timezone)
            try:
                return run_gate(settings, run_id=run_id, period_start=start, period_end=end)
            except QualityGateFailed:
                withdraw_report(settings, start, f"the quality gate of run {run_id} failed")
                raise

        @task
        def render_report(gate: dict, data_interval_start=None, run_id: str | None = None) -> str:
            """Check that the marts hold every load and cover the month, then write the report; a refusal
            withdraws the month's earlier report."""
            from voc.airflow_env import task_settings
            from voc.reporting import ReportError, render_monthly_report, withdraw_report

            settings = task_settings()
            month = report_month(data_interval_start, settings.timezone)
            try:
                path = render_monthly_report(settings, month=month, gate=gate, run_id=run_id, generated_at=pendulum.now("UTC"))
            except ReportError as error:
                withdraw_report(settings, month, str(error))
                raise
            return str(path)

        render_report(check_quality())
    return dag


def build_housekeeping_dag(doc_md: str | None = None) -> DAG:
    """`housekeeping`: queued erasure requests, then retention, then a dbt build when anything was removed."""
    with DAG(
        dag_id="housekeeping",
        description="Erasure requests and retention periods, then dbt rebuilt so that no model keeps what went",
        schedule="@daily",
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,  # an erasure is idempotent, and a request file goes only once its erasure committed
        tags=["voc", "housekeeping", "privacy"],
        doc_md=doc_md,
    ) as dag:

        @task
        def erase_requested() -> dict:
            """Carry out the queued erasure requests; XCom gets ids, pseudonyms and counts, never an identifier."""
            from voc import erasure, warehouse
            from voc.airflow_env import task_settings

            settings = task_settings()
            warehouse.ensure_running(settings)
            reports = erasure.carry_out_queued(settings)
            for report in reports:
                print(report.summary())
            left = [path for report in reports for path in report.files_naming_person]
            for path in left:
                print(f"the drop folder still names an erased person: {path}")
            return {
                "erasures": [report.erasure_id for report in reports],
                "raw_rows_removed": sum(
                    sum(report.raw_rows_deleted.values()) + sum(report.raw_rows_rewritten.values()) for report in reports
                ),
                "files_still_naming": len(left),
            }

        @task
        def apply_retention() -> dict:
            """Remove raw and quarantined records past their periods (VOC_RETENTION_*_DAYS)."""
            from voc import retention
            from voc.airflow_env import task_settings

            removed = retention.apply(task_settings())
            for layer in removed:
                print(f"{layer.layer}: {layer.total} record(s) loaded before {layer.cutoff:%Y-%m-%d %H:%M} UTC removed")
            if not removed:
                print("no retention period is set: everything is kept")
            return {layer.layer: layer.total for layer in removed}

        @task
        def rebuild(erased: dict, expired: dict) -> str:
            """dbt build, when an erasure or retention removed anything (staging views follow at once; tables do not)."""
            from voc import transform
            from voc.airflow_env import task_settings

            if not erased["raw_rows_removed"] and not erased["erasures"] and not any(expired.values()):
                return "nothing removed: no rebuild"
            transform.build(task_settings())
            if erased.get("files_still_naming"):
                raise RuntimeError(
                    f"{erased['files_still_naming']} drop-folder file(s) still name an erased person (listed in "
                    "erase_requested's log): delete or replace them; the warehouse was rebuilt without the person"
                )
            return "rebuilt"

        rebuild(erase_requested(), apply_retention())
    return dag
