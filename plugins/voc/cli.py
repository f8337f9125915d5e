"""`voc`: the platform's command line.

voc warehouse start|stop|status|url|env   the embedded PostgreSQL (or the configured one)
voc warehouse add-reader NAME             a login for a BI tool (reads the marts only); prints its DSN
voc warehouse add-reviewer NAME           a login for quality staff (marts, customers' texts, overrides)
voc sample [--seed N] [--end ISO] [--scale X]   write the sample drop folder and its ground truth
voc land [CHANNEL ...] [--from-start]     land channels into raw (all by default)
voc dbt ARGS...                           run dbt with the warehouse's profile
voc report --month YYYY-MM                the quality gate, then that month's report
voc train                                 fit the classifier on the labelled corpus, write its artefact
voc eval [--split test] [--markdown] [--by-writer]   the classifier's figures on the labelled corpus
voc override CONTACT_ID TYPE --by --reason  a reviewer's decision on a contact's type (--revert to undo)
voc erase KIND:VALUE ... [--dry-run]      remove a person from the warehouse, log it by pseudonym, rebuild dbt
voc erase KIND:VALUE ... --queue --request REF   the same, by the housekeeping DAG
voc retention [--dry-run]                 remove raw and quarantined records past their retention period
voc manifest                              the dbt manifest and node list only (image builds: no warehouse needed)
voc setup                                 warehouse, Airflow metadata database, dbt manifest
voc airflow-env                           exports for the airflow CLI (eval "$(voc airflow-env)")
voc demo                                  the whole pipeline through Airflow on the sample data
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from voc.settings import get_settings


def _say(message: str) -> None:
    print(message, flush=True)


def cmd_warehouse(args: argparse.Namespace) -> int:
    from voc import warehouse

    settings = get_settings()
    if args.action == "start":
        warehouse.ensure_running(settings)
        info = warehouse.connection_info(settings)
        _say(f"warehouse running on {info.host}:{info.port}, database {info.database} (`voc warehouse url` prints the DSN)")
    elif args.action == "stop":
        _say("warehouse stopped" if warehouse.stop(settings) else "warehouse was not running")
    elif args.action == "status":
        _say(warehouse.status(settings))
    elif args.action == "url":
        print(warehouse.url(settings))
    elif args.action == "env":
        from voc.transform import dbt_env

        # what dbt on the command line needs: the transformer's login, its role, the pseudonymisation key pads
        for key, value in dbt_env(settings).items():
            print(f"export {key}={shlex.quote(value)}")
    elif args.action in ("add-reader", "add-reviewer"):
        duty = args.action.removeprefix("add-")
        if not args.name:
            raise SystemExit(f"voc warehouse {args.action}: give the login's name, e.g. `voc warehouse {args.action} powerbi`")
        warehouse.ensure_running(settings)
        dsn = warehouse.add_login(args.name, settings, duty)
        reads = "the marts" if duty == "reader" else "the marts and customers' texts (schema restricted)"
        _say(f"login {args.name} reads {reads} (role voc_{duty}); its DSN, shown once:")
        print(dsn)
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from voc.sample import generate
    from voc.sample.generator import SampleFolderError

    settings = get_settings()
    out_dir = args.out or settings.sample_dir
    end = datetime.fromisoformat(args.end) if args.end else None
    if end is not None and end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    try:
        truth = generate(
            out_dir, seed=args.seed, end=end, months=args.months, scale=args.scale, timezone=settings.timezone, progress=_say
        )
    except SampleFolderError as exc:
        print(exc, file=sys.stderr)
        return 1
    _say(
        f"sample written to {out_dir} ({len(truth['malformed'])} malformed records injected); ground truth: {out_dir}/ground_truth.json"
    )
    return 0


def cmd_land(args: argparse.Namespace) -> int:
    """Land each channel in turn; a channel that fails is reported and the others still land (exit 1 at the end)."""
    from voc import warehouse
    from voc.channels import REGISTRY
    from voc.landing import LandingError, land_channel

    settings = get_settings()
    warehouse.ensure_running(settings)
    if args.live:
        return _land_live(args, settings)

    def land(name: str) -> None:
        summary = land_channel(name, settings, from_start=args.from_start, progress=_say if args.verbose else None)
        _say(
            f"{name:9s} pages {summary.pages:4d}  received {summary.received:6d}  new {summary.inserted:6d}  "
            f"changed {summary.updated:5d}  quarantined {summary.quarantined:3d}  files {summary.files:4d}"
        )
        for file_ref in summary.unreadable:
            _say(f"{name:9s} {file_ref}: its reader failed; the file is kept whole in raw.quarantine")

    return _land_each(args.channels or list(REGISTRY), land, (LandingError,), "landing", "channels")


def _land_each(names: list[str], land: Callable[[str], None], errors: tuple, what: str, others: str) -> int:
    """Land each name in turn; one that fails is reported and the others still land (exit 1 at the end)."""
    import psycopg

    from voc import warehouse

    failed: list[str] = []
    for name in names:
        try:
            land(name)
        except (*errors, psycopg.Error, warehouse.WarehouseError) as error:
            print(f"{name}: {what} failed: {_first_line(error)}", file=sys.stderr)
            failed.append(name)
    if failed:
        print(f"{what} failed for {', '.join(failed)}; the other {others} landed", file=sys.stderr)
        return 1
    return 0


def _land_live(args: argparse.Namespace, settings) -> int:
    """`voc land --live [CHANNEL|STREAM ...]`: each live stream in turn, from its server."""
    from voc.channels import live_streams
    from voc.channels.live import LiveSourceError
    from voc.landing import land_stream

    streams = live_streams(settings)
    wanted = args.channels or list(streams)
    names = [name for name in streams if name in wanted or name.split(".")[0] in wanted]
    unknown = [name for name in wanted if name not in streams and not any(s.startswith(name + ".") for s in streams)]
    if unknown:
        print(f"voc land --live: no live stream {', '.join(unknown)}; known: {', '.join(streams)}", file=sys.stderr)
        return 2

    def land(name: str) -> None:
        summary = land_stream(name, settings, from_start=args.from_start, progress=_say if args.verbose else None)
        _say(
            f"{name:18s} responses {summary.files:4d}  received {summary.received:6d}  new {summary.inserted:6d}  "
            f"changed {summary.updated:5d}  quarantined {summary.quarantined:3d}"
            + (f"  ({summary.note})" if summary.note else "")
        )

    return _land_each(names, land, (LiveSourceError,), "live landing", "streams")


def _first_line(error: BaseException) -> str:
    """An error's first line: the database's message without the statement or values it may quote."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def cmd_dbt(args: argparse.Namespace) -> int:
    from voc import warehouse
    from voc.transform import DbtError, run_dbt

    try:
        warehouse.ensure_running(get_settings())
        run_dbt(args.dbt_args)
    except (DbtError, warehouse.WarehouseError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """The quality gate, then (only if it passes, unless --gate-only) the month's report: what the publish DAG does.

    A failed gate or a refused publication withdraws the month's earlier report, so it never looks current."""
    import uuid

    from voc import warehouse
    from voc.quality import QualityGateError, QualityGateFailed, run_gate
    from voc.reporting import ReportError, render_monthly_report, withdraw_report

    settings = get_settings()
    warehouse.ensure_running(settings)
    month = datetime.strptime(args.month, "%Y-%m").date() if args.month else None
    run_id = f"cli__{datetime.now(UTC):%Y-%m-%dT%H:%M:%S}__{uuid.uuid4().hex[:8]}"

    def withdraw(reason: str) -> None:
        if month is not None and (withdrawn := withdraw_report(settings, month, reason)) is not None:
            print(f"the earlier report of {month:%Y-%m} was withdrawn: {withdrawn}", file=sys.stderr)

    try:
        gate = run_gate(settings, run_id=run_id)
    except QualityGateFailed as failed:
        print(f"quality gate failed, nothing published:\n{failed}", file=sys.stderr)
        withdraw(f"the quality gate of run {run_id} failed")
        return 1
    except QualityGateError as error:
        print(f"quality gate could not run (not a data problem): {error}", file=sys.stderr)
        return 1
    _say(f"quality gate passed ({gate['data_docs_index']})")
    if month is None:
        return 0
    try:
        path = render_monthly_report(settings, month=month, gate=gate, run_id=run_id, generated_at=datetime.now(UTC))
    except ReportError as error:
        print(f"report of {month:%Y-%m} not published: {error}", file=sys.stderr)
        withdraw(str(error))
        return 1
    _say(f"report: {path}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from voc.classifier.train import train

    train(progress=_say, select_only=args.select_only)
    if args.select_only:
        _say("selection only: the test split was not read and the artefact is unchanged")
        return 0
    _say("review the diff, then `voc eval`; the warehouse installs the new artefact at its next set-up (`voc dbt build`)")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from voc.classifier.evaluate import by_writer, evaluate, render, render_by_writer
    from voc.classifier.model import load_models

    versions = {name: model.version for name, model in load_models().items()}
    if args.by_writer:
        text = render_by_writer(by_writer(progress=_say))
    else:
        text = render(evaluate(args.split), split=args.split, versions=versions)
    if args.markdown:
        print(text, end="")
    else:
        print(text.replace("`", ""), end="")
    return 0


def cmd_override(args: argparse.Namespace) -> int:
    from voc import review, warehouse

    settings = get_settings()
    warehouse.ensure_running(settings)
    if args.history:
        for decision in review.history(settings, args.contact_id):
            _say(
                f"{decision.overridden_at:%Y-%m-%d %H:%M} {decision.contact_id} -> "
                f"{decision.contact_type or '(automatic)'} by {decision.overridden_by}: {decision.reason}"
            )
        return 0
    if not args.contact_id:
        print("voc override: name the contact (e.g. email:<message-id>; see restricted.classification_review)", file=sys.stderr)
        return 2
    if args.revert == bool(args.contact_type):
        print("voc override: give a TYPE, or --revert to hand the contact back to the automatic rules", file=sys.stderr)
        return 2
    try:
        decision = review.record(
            settings, args.contact_id, None if args.revert else args.contact_type, by=args.by or "", reason=args.reason or ""
        )
    except review.OverrideError as error:
        print(f"voc override: {error}", file=sys.stderr)
        return 2
    _say(
        f"recorded override #{decision.override_id}: {decision.contact_id} -> {decision.contact_type or '(automatic)'}; "
        "the marts show it after the next `voc dbt build` (or transform_dbt run)"
    )
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    from voc import erasure, warehouse

    settings = get_settings()
    warehouse.ensure_running(settings)
    if args.history:
        for entry in erasure.history(settings):
            deleted = sum(entry["raw_rows_deleted"].values())
            _say(
                f"{entry['requested_at']:%Y-%m-%d %H:%M} {entry['erasure_id']} ref={entry['request_ref'] or '-'} "
                f"key={entry['key_id']} {', '.join(entry['pseudonyms'])}: {deleted} raw record(s) deleted"
            )
        return 0
    try:
        if args.queue:
            path = erasure.queue_request(args.identifiers, args.request, settings)
            _say(f"queued as {path.name}: the housekeeping DAG carries it out on its next run")
            return 0
        report = erasure.erase(args.identifiers, settings, request_ref=args.request, dry_run=args.dry_run)
    except erasure.ErasureError as error:
        print(f"voc erase: {error}", file=sys.stderr)
        return 2
    _say(("[dry run] " if args.dry_run else "") + report.summary())
    for table in sorted(report.raw_rows_deleted | report.raw_rows_rewritten):
        _say(f"  {table}: {report.raw_rows_deleted[table]} deleted, {report.raw_rows_rewritten[table]} rewritten")
    for path in report.files_rewritten:
        _say(f"  drop folder: {path} " + ("would be " if args.dry_run else "") + "rewritten without the person")
    for path in report.files_deleted:
        _say(f"  drop folder: {path} " + ("would be " if args.dry_run else "") + "deleted (unreadable, held only in quarantine)")
    if args.dry_run:
        for path in report.files_naming_person:
            _say(f"  drop folder: {path} would still name the person")
        return 0
    if _rebuild_after_removal(settings, args, "the person"):
        _say("done: the person is in no table; audit.erasures logs the request by pseudonym")
    if report.files_naming_person:
        for path in report.files_naming_person:
            print(f"voc erase: the drop folder still names the person: {path}", file=sys.stderr)
        return 1
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    from voc import retention, warehouse

    settings = get_settings()
    warehouse.ensure_running(settings)
    removed = retention.apply(settings, dry_run=args.dry_run)
    if not removed:
        _say("no retention period is set (VOC_RETENTION_RAW_DAYS, VOC_RETENTION_QUARANTINE_DAYS): everything is kept")
        return 0
    for layer in removed:
        _say(
            ("[dry run] " if args.dry_run else "")
            + f"{layer.layer}: {layer.total} record(s) loaded before {layer.cutoff:%Y-%m-%d %H:%M} UTC removed"
        )
    if not args.dry_run and any(layer.total for layer in removed):
        _rebuild_after_removal(settings, args, "them")
    return 0


def _rebuild_after_removal(settings, args: argparse.Namespace, what: str) -> bool:
    """After erasure or retention: dbt build, so that no table keeps what went from raw (unless --no-rebuild)."""
    from voc import transform

    if args.no_rebuild:
        _say("dbt not rebuilt (--no-rebuild): the staging views show the removal now, the tables after the next build")
        return False
    _say(f"rebuilding the warehouse (dbt build) so that no model keeps {what}")
    transform.build(settings)
    return True


def _removal_options(parser: argparse.ArgumentParser) -> None:
    """The options every removing command shares."""
    parser.add_argument("--dry-run", action="store_true", help="count what would be removed; change nothing")
    parser.add_argument("--no-rebuild", action="store_true", help="do not run dbt build afterwards")


def cmd_holidays(args: argparse.Namespace) -> int:
    from voc.calendar import write_holidays

    first, _, last = args.years.partition("-")
    try:
        years = range(int(first), int(last or first) + 1)
    except ValueError:
        print(f"voc holidays: --years is YYYY or YYYY-YYYY, not {args.years!r}", file=sys.stderr)
        return 2
    path = write_holidays(args.country, years)
    _say(f"public holidays of {args.country} {years.start}-{years.stop - 1} written to {path}; run dbt build to load them")
    return 0


def cmd_manifest(args: argparse.Namespace) -> int:
    from voc.transform import parse

    _say(f"dbt manifest written: {parse(get_settings())}")
    return 0


def cmd_setup(args: argparse.Namespace) -> int:
    from voc import airflow_env, warehouse
    from voc.transform import parse

    settings = get_settings()
    _say("[setup] starting the warehouse")
    warehouse.ensure_running(settings)
    _say(f"[setup] parsing the dbt project -> {parse(settings)}")
    _say("[setup] migrating the Airflow metadata database")
    airflow_env.migrate(settings)
    _say("[setup] done")
    return 0


def cmd_airflow_env(args: argparse.Namespace) -> int:
    from voc import airflow_env, warehouse

    settings = get_settings()
    warehouse.ensure_running(settings)
    for key, value in airflow_env.configure(settings).items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from voc.demo import DemoError, run_demo
    from voc.sample.generator import SampleFolderError

    try:
        return run_demo(get_settings(), seed=args.seed, scale=args.scale, end=args.end)
    except (SampleFolderError, DemoError) as exc:
        print(exc, file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="voc", description="Voice-of-the-Customer quality platform (ISO 9001).")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "warehouse",
        help="the warehouse: start, stop, status, url (the owner's DSN), env (shell exports for dbt and psql, as the "
        "transformer), add-reader NAME (a BI login), "
        "add-reviewer NAME (quality staff)",
    )
    p.add_argument("action", choices=["start", "stop", "status", "url", "env", "add-reader", "add-reviewer"])
    p.add_argument("name", nargs="?", help="add-reader/add-reviewer: the login's name (lowercase letters, digits, _)")
    p.set_defaults(func=cmd_warehouse)

    p = sub.add_parser("sample", help="write the seeded sample drop folder and its ground truth")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--end", help="ISO timestamp the sample ends at (default: now, to the hour)")
    p.add_argument("--months", type=int, default=3, help="complete months before the current one (default 3)")
    p.add_argument("--scale", type=float, default=1.0, help="volume multiplier (1.0 = about 60 contacts a day)")
    p.add_argument("--out", type=Path, help="folder (default: $VOC_SAMPLE_DIR; never the drop folder of real exports)")
    p.set_defaults(func=cmd_sample)

    p = sub.add_parser(
        "land",
        help="land channels into the raw schema: their drop folders, or with --live their servers",
        description="Land what is new. By default each channel's drop folder (your exports, or the sample). With "
        "--live, the live streams read from their servers instead: twitter.mentions, twitter.timeline, "
        "twitter.search (X API v2, Airflow connection voc_x) and web.<feed> (VOC_WEB_FEEDS); each response is "
        "kept in the channel's drop folder, which stays the replay path (--from-start).",
    )
    p.add_argument("channels", nargs="*", help="channel names (default: all); with --live, streams or channels")
    p.add_argument("--live", action="store_true", help="read the live streams from their servers (README: Live channels)")
    p.add_argument("--from-start", action="store_true", help="replay the source from the start (adds nothing twice)")
    p.add_argument("-v", "--verbose", action="store_true", help="one line per page")
    p.set_defaults(func=cmd_land)

    p = sub.add_parser("dbt", help="run dbt with the warehouse's profile, e.g. `voc dbt docs generate`")
    p.add_argument("dbt_args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_dbt)

    p = sub.add_parser("report", help="run the quality gate and, if it passes, write a month's report")
    p.add_argument("--month", help="YYYY-MM; without it only the gate runs")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "train", help="fit the classifier on the labelled corpus and write its artefact (plugins/voc/classifier/artefact/)"
    )
    p.add_argument(
        "--select-only",
        action="store_true",
        help="only fit on train and choose settings on dev; leave the test split unread and the artefact unchanged",
    )
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("eval", help="precision, recall, F1, confusion matrix and sentiment accuracy on the labelled corpus")
    p.add_argument("--split", choices=["train", "dev", "test"], default="test", help="corpus split (default: held-out test)")
    p.add_argument("--markdown", action="store_true", help="Markdown, as in EVALUATION.md")
    p.add_argument(
        "--by-writer",
        action="store_true",
        help="refit without each writer of the corpus and score that writer's messages (takes a few minutes)",
    )
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("override", help="record a reviewer's decision on a contact's type (wins over codes and the classifier)")
    p.add_argument("contact_id", nargs="?", help="the contact, e.g. email:<message-id> (see restricted.classification_review)")
    p.add_argument("contact_type", nargs="?", choices=["complaint", "praise", "suggestion", "inquiry", "other"])
    p.add_argument("--by", help="who decides (name or role)")
    p.add_argument("--reason", help="why (kept as audit evidence)")
    p.add_argument("--revert", action="store_true", help="hand the contact back to the disposition code and the classifier")
    p.add_argument("--history", action="store_true", help="list the decisions (on CONTACT_ID, or all)")
    p.set_defaults(func=cmd_override)

    p = sub.add_parser(
        "erase",
        help="remove a person (right to erasure): raw records, quarantine, overrides; logged by pseudonym; dbt rebuilt",
    )
    p.add_argument(
        "identifiers",
        nargs="*",
        metavar="KIND:VALUE",
        help="the person's identifiers: email:ADDRESS, phone:NUMBER, chat:VISITOR_ID, twitter:USER_ID, "
        "facebook:USER_ID, web:AUTHOR_NAME (give all you know)",
    )
    p.add_argument("--request", help="the request's reference in your own register (not personal data)")
    _removal_options(p)
    p.add_argument("--queue", action="store_true", help="queue the request for the housekeeping DAG instead (needs --request)")
    p.add_argument("--history", action="store_true", help="list the erasures carried out (by pseudonym)")
    p.set_defaults(func=cmd_erase)

    p = sub.add_parser(
        "holidays",
        help="regenerate the public holidays seed from the holidays package (for the business calendars' regions)",
    )
    p.add_argument("--country", default="ES", help="ISO 3166-1 country code (default ES)")
    p.add_argument("--years", default="2025-2028", help="YYYY or YYYY-YYYY (default 2025-2028)")
    p.set_defaults(func=cmd_holidays)

    p = sub.add_parser("retention", help="remove raw and quarantined records past their retention period, then rebuild")
    _removal_options(p)
    p.set_defaults(func=cmd_retention)

    p = sub.add_parser(
        "manifest", help="write the dbt manifest and the node list the transform DAG is rendered from (no warehouse needed)"
    )
    p.set_defaults(func=cmd_manifest)

    p = sub.add_parser("setup", help="start the warehouse, parse the dbt project, migrate Airflow's database")
    p.set_defaults(func=cmd_setup)

    p = sub.add_parser(
        "airflow-env", help='shell exports for running the airflow CLI on this project (eval "$(voc airflow-env)")'
    )
    p.set_defaults(func=cmd_airflow_env)

    p = sub.add_parser("demo", help="run the whole pipeline through Airflow on the sample data")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--end", help="ISO timestamp the sample ends at (default: now, to the hour)")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    args = build_parser().parse_args(argv)
    from voc.airflow_env import AirflowSetupError
    from voc.transform import DbtError
    from voc.warehouse import WarehouseError

    try:
        return args.func(args)
    except (WarehouseError, KeyError, ValueError) as exc:
        print(f"voc {args.command}: {exc}", file=sys.stderr)
        return 2
    except (DbtError, AirflowSetupError) as exc:  # a step of the set-up failed: its message, not a traceback
        print(f"voc {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
