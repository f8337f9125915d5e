"""`voc demo` / `make demo`: the whole pipeline, run by Airflow itself, on the embedded warehouse and sample data.

1. the warehouse, the dbt manifest and Airflow's metadata database are set up (idempotent);
2. the sample drop folder is written once (kept afterwards, so a rerun lands nothing new);
3. every `ingest_<channel>` DAG, then `transform_dbt`, then `publish_monthly_report` for the last complete month
   run through `dag.test()`; any run that does not succeed stops the demo with its failed tasks named;
4. the report's path and each channel's complaints and responded-within-24-h figures are printed, beside the
   sample's ground truth.
"""

from __future__ import annotations

import json
import time
from datetime import date, datetime

import pendulum

from voc import airflow_env
from voc.settings import Settings


class DemoError(RuntimeError):
    """The demo cannot run as configured; the message says why. Nothing was written."""


class DemoRunFailed(RuntimeError):
    pass


def _say(message: str) -> None:
    print(message, flush=True)


def last_complete_month(end: datetime, timezone: str) -> date:
    local = pendulum.instance(end).in_timezone(timezone)
    first_of_month = local.start_of("month")
    previous = first_of_month.subtract(months=1)
    return date(previous.year, previous.month, 1)


def run_dag(dag, **kwargs):
    """Run a DAG with `dag.test()` and raise, naming the failed tasks, unless the run succeeded."""
    started = time.monotonic()
    run = dag.test(**kwargs)
    state = str(run.state)
    if not state.endswith("success"):
        failed = [ti.task_id for ti in run.get_task_instances() if str(ti.state).endswith(("failed", "upstream_failed"))]
        raise DemoRunFailed(
            f"DAG {dag.dag_id} run {run.run_id} ended {state}; failed tasks: {', '.join(failed) or 'none recorded'}"
        )
    _say(f"[demo] {dag.dag_id}: {state} in {time.monotonic() - started:.1f}s")
    return run


def load_dags(settings: Settings) -> dict:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(settings.project_root / "dags"))
    if bag.import_errors:
        raise DemoRunFailed(f"DAG import errors: {json.dumps(bag.import_errors, indent=2)}")
    return bag.dags


def run_demo(settings: Settings, *, seed: int = 42, scale: float = 1.0, end: str | None = None) -> int:
    started = time.monotonic()
    airflow_env.configure(settings)
    from voc import warehouse
    from voc.sample import generate
    from voc.transform import parse

    if settings.drop_dir is not None and settings.drop_dir != settings.sample_dir:
        raise DemoError(
            f"the demo lands its own sample from {settings.sample_dir}, but VOC_DROP_DIR points the channels at "
            f"{settings.drop_dir}; unset VOC_DROP_DIR to run the demo (nothing was written)"
        )
    _say("[demo] starting the warehouse")
    warehouse.ensure_running(settings)
    airflow_env.configure(settings)  # now with the warehouse's connection for dbt
    truth_path = settings.sample_dir / "ground_truth.json"
    if truth_path.exists():
        _say(f"[demo] reusing the sample data in {settings.sample_dir} (`voc sample` rewrites it)")
        truth = json.loads(truth_path.read_text())
    else:
        _say(f"[demo] writing the sample data to {settings.sample_dir}")
        end_at = datetime.fromisoformat(end) if end else None
        truth = generate(settings.sample_dir, seed=seed, end=end_at, scale=scale, timezone=settings.timezone, progress=_say)
    _say(f"[demo] dbt manifest: {parse(settings)}")
    _say("[demo] Airflow metadata database")
    airflow_env.migrate(settings)

    dags = load_dags(settings)
    from voc.channels import REGISTRY

    for name in REGISTRY:
        run_dag(dags[f"ingest_{name}"])
    run_dag(dags["transform_dbt"])
    month = last_complete_month(datetime.fromisoformat(truth["end"]), settings.timezone)
    next_month = pendulum.datetime(month.year, month.month, 1, tz=settings.timezone).add(months=1)
    run = run_dag(dags["publish_monthly_report"], logical_date=next_month)

    report = settings.reports_dir / month.strftime("%Y-%m") / "report.html"
    _print_figures(settings, month, truth)
    _say(f"[demo] run {run.run_id}")
    _say(f"[demo] report: {report}")
    _say(f"[demo] data docs: {settings.expectations_dir / 'uncommitted' / 'data_docs' / 'local_site' / 'index.html'}")
    _say(f"[demo] BI tools: `voc warehouse add-reader NAME` (a login to the marts); done in {time.monotonic() - started:.0f}s")
    return 0


def _print_figures(settings: Settings, month: date, truth: dict) -> None:
    from voc import warehouse

    with warehouse.connect(settings) as conn:
        rows = conn.execute(
            """
            select channel, complaints, complaints_responded_within_24h, responded_within_24h_rate
            from marts.kpi_channel_monthly
            where month_start_date = %s
            order by channel
            """,
            (month,),
        ).fetchall()
    expected = {row["channel"]: row for row in truth["kpis"] if row["month"] == month.strftime("%Y-%m")}
    _say(f"\n{month:%B %Y}, per channel: the KPI mart beside the sample's ground truth")
    _say("(the truth counts the type each text was written for; the mart counts the agents' codes and the classifier's")
    _say(" reading of the texts, so complaint counts differ where the classifier errs: see `make eval`)")
    _say(f"{'channel':10s} {'complaints':>10s} {'responded within 24 h':>22s} {'rate':>6s}  |  {'truth':>10s} {'truth':>6s}")
    for channel, complaints, within_24h, rate in rows:
        want = expected.get(channel, {})
        shown_rate = f"{rate:.0%}" if rate is not None else "—"
        _say(
            f"{channel:10s} {complaints:10d} {within_24h:22d} {shown_rate:>6s}  |  "
            f"{want.get('complaints', '?'):>10} {want.get('complaints_responded_within_24h', '?'):>6}"
        )
    agreement = truth.get("classifier_agreement")
    if agreement:
        _say(
            f"classifier {agreement['model_version']}: agrees with the sample's intended type on "
            f"{agreement['agreement']:.1%} of {agreement['texts']:,} texts"
        )
    with warehouse.connect(settings, duty="reviewer") as conn:
        (awaiting,) = conn.execute(
            "select count(*) from restricted.classification_review where month_start_date = %s", (month,)
        ).fetchone()
    _say(f"{awaiting} low-confidence classifications of {month:%B %Y} await review in restricted.classification_review")
