"""The data-quality gate: Great Expectations validates the marts before anything is published.

The GX file data context lives in `expectations/` (committed: `great_expectations.yml`, the suites as JSON, the
validation definitions and the checkpoint; `expectations/uncommitted/` holds validation results and Data Docs and is
not committed). One checkpoint, `voc_quality_gate`, runs six suites:

| suite | table | checks |
|---|---|---|
| `fct_complaints` | `marts.fct_complaints` | complaint_id unique and not null; channel a contact channel; first response never before reception, never negative; responded flags consistent |
| `kpi_channel_monthly` | `marts.kpi_channel_monthly` | one row per channel and month; counts ≥ 0 and nested (complaints ≤ contacts, responded ≤ complaints, within 24 h / SLA ≤ responded); rates, CSAT in 0–1; NPS in −100–100; rates agree with counts; complaints and contacts agree with their fact tables |
| `reconciliation` | `marts.fct_interactions` | for each raw interaction table, its row count equals the distinct `source_record_key` of its channel in the marts (twitter users and case events are not interactions) |
| `fct_complaint_lifecycle` | `marts.fct_complaint_lifecycle` | one row per complaint; stages known and in order; reopenings ≥ 0; resolved-first-time consistent |
| `fct_corrective_actions` | `marts.fct_corrective_actions` | one row per action of the register; status and verdict known; counts ≥ 0; an effect stated only where both windows were counted |
| `fct_complaint_backlog_daily` | `marts.fct_complaint_backlog_daily` | one row per day and group; age bands known; counts ≥ 1; no day beyond the data; never more open than received |

`run_gate()` loads the context inside the call (never at import: GX is slow and chatty to import), points the
datasource at the warehouse through the `${VOC_GX_CONNECTION_STRING}` substitution, runs the checkpoint (which
updates Data Docs), and returns a JSON-safe summary. A failed expectation raises `QualityGateFailed`, whose message
names every failed expectation and which carries the same summary: publication stops and says why.

**Period.** The gate validates every row of every table, whatever the period: the marts are rebuilt from raw on
each run, so a defect in an earlier month is a defect of the warehouse being published and blocks publication too.
`period_start`/`period_end` (the period being published, as the caller cuts it) are checked for sense and recorded
in the summary (`period.validated_rows` = "all") so the evidence says what the validation was for.

**Personal data.** The summary and the failure message carry expectation types, columns, counts and percentages
only. Rows are included only for expectations whose `meta.rows_are_aggregates` is true (the reconciliation and the
KPI cross-checks, whose queries return tables, channels, months and counts) — never row contents of raw payloads.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import warnings
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

from voc.settings import Settings

log = logging.getLogger(__name__)

CHECKPOINT_NAME = "voc_quality_gate"
CONNECTION_VARIABLE = "VOC_GX_CONNECTION_STRING"
DATA_DOCS_SITE = "local_site"
_MAX_ERROR_CHARS = 300
_MAX_ROWS_IN_SUMMARY = 20


class QualityGateError(RuntimeError):
    """The gate could not run (no context, unreachable warehouse, a missing table): nothing may be published."""


class QualityGateFailed(Exception):
    """The data did not pass the gate. `summary` is the JSON-safe summary `run_gate` would have returned."""

    def __init__(self, summary: dict) -> None:
        self.summary = summary
        super().__init__(failure_message(summary))


@dataclass(frozen=True)
class _FailedExpectation:
    expectation_type: str
    column: str | None
    description: str | None
    observed_value: Any
    query: str | None = None
    raw_table: str | None = None
    rows_are_aggregates: bool = False
    unexpected_rows: list[dict] | None = None
    error: str | None = None

    def as_dict(self) -> dict:
        data = {
            "expectation_type": self.expectation_type,
            "column": self.column,
            "description": self.description,
            "observed_value": _json_safe(self.observed_value),
        }
        if self.query is not None:
            data["query"] = self.query
        if self.raw_table is not None:
            data["raw_table"] = self.raw_table
        if self.unexpected_rows is not None:
            data["unexpected_rows"] = _json_safe(self.unexpected_rows)
        if self.error is not None:
            data["error"] = self.error
        return data


def run_gate(
    settings: Settings,
    *,
    run_id: str,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
) -> dict:
    """Validate the marts with the `voc_quality_gate` checkpoint; return the summary or raise `QualityGateFailed`.

    The summary: `success`, `run_id`, `checked_at` (UTC, ISO 8601), `checkpoint`, `period` (or None), counts of
    evaluated and failed expectations, `suites` (each: `name`, `table`, `success`, `evaluated_expectations`,
    `successful_expectations`, `failed_expectations` with type, column, description and observed value) and
    `data_docs_index` (the path of the Data Docs index page).

    Raises `QualityGateError` when the gate cannot run at all (the warehouse, a table or the context is missing).
    """
    if not run_id:
        raise ValueError("run_gate needs a run_id (the identity the report and the evidence are stamped with)")
    period = _period(period_start, period_end)
    _probe_warehouse(settings)
    checked_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    with warnings.catch_warnings():
        # GX and its dependencies warn about their own deprecations on import and on every load; not our findings.
        warnings.simplefilter("ignore", DeprecationWarning)
        context = _load_context(settings)
        from great_expectations.core.run_identifier import RunIdentifier

        try:
            checkpoint = context.checkpoints.get(CHECKPOINT_NAME)
        except Exception as exc:
            raise QualityGateError(
                f"the checkpoint {CHECKPOINT_NAME!r} is missing from {settings.expectations_dir}/checkpoints: {exc}"
            ) from exc
        log.info("quality gate %s: running checkpoint %s", run_id, CHECKPOINT_NAME)
        try:
            result = checkpoint.run(run_id=RunIdentifier(run_name=run_id, run_time=checked_at))
        except Exception as exc:
            raise QualityGateError(
                f"the checkpoint {CHECKPOINT_NAME!r} could not run against the warehouse: {_first_line(exc)}; "
                "check that the warehouse is up and `dbt build` has created the marts"
            ) from exc
        docs_index = _data_docs_index(context)

    suites = [
        _summarise_suite(settings, validation_result, _validation_definition(checkpoint, validation_result.suite_name))
        for validation_result in result.run_results.values()
    ]
    failed = [failure for suite in suites for failure in suite["failed_expectations"]]
    unreachable = [failure for failure in failed if _is_connection_error(failure.get("error"))]
    if unreachable:
        # an outage during the run makes every expectation "fail": that is not a finding about the data
        raise QualityGateError(
            f"the warehouse could not be reached during the quality gate ({len(unreachable)} expectations could not "
            f"run: {unreachable[0]['error']}); this is not a data failure: check the warehouse and run the gate again"
        )
    summary = {
        "success": bool(result.success) and not failed,
        "run_id": run_id,
        "checked_at": checked_at.isoformat(),
        "checkpoint": CHECKPOINT_NAME,
        "period": period,
        "evaluated_expectations": sum(suite["evaluated_expectations"] for suite in suites),
        "failed_expectations": len(failed),
        "suites": suites,
        "data_docs_index": docs_index,
    }
    for suite in suites:
        log.info(
            "quality gate %s: suite %s %s (%d/%d expectations passed)",
            run_id,
            suite["name"],
            "passed" if suite["success"] else "FAILED",
            suite["successful_expectations"],
            suite["evaluated_expectations"],
        )
    if not summary["success"]:
        log.error("%s", failure_message(summary))
        raise QualityGateFailed(summary)
    log.info(
        "quality gate %s passed: %d expectations; Data Docs at %s",
        run_id,
        summary["evaluated_expectations"],
        summary["data_docs_index"],
    )
    return summary


def failure_message(summary: dict) -> str:
    """One line per failed expectation: suite, expectation type, column or query, observed value."""
    lines = [
        f"quality gate failed for run {summary.get('run_id')}: {summary.get('failed_expectations', 0)} expectation(s) failed"
    ]
    for suite in summary.get("suites", []):
        for failure in suite.get("failed_expectations", []):
            lines.append(f"- {suite['name']}: {_describe_failure(failure)}")
    if summary.get("data_docs_index"):
        lines.append(f"Details in Data Docs: {summary['data_docs_index']}")
    return "\n".join(lines)


def data_docs_index(settings: Settings) -> Path:
    """Where the Data Docs index page is written (it exists once the gate has run)."""
    return settings.expectations_dir / "uncommitted" / "data_docs" / DATA_DOCS_SITE / "index.html"


# --------------------------------------------------------------------------------------------------- internals


# Messages of psycopg/libpq/SQLAlchemy when the server is gone, as GX reports them in an expectation's exception.
_CONNECTION_ERRORS = (
    "connection refused",
    "could not connect",
    "server closed the connection",
    "terminating connection",
    "connection to server",
    "connection is closed",
    "connection already closed",
    "the database system is shutting down",
    "no connection to the server",
)


def _is_connection_error(error: str | None) -> bool:
    return bool(error) and any(marker in error.lower() for marker in _CONNECTION_ERRORS)


def _probe_warehouse(settings: Settings) -> None:
    """Fail fast, in one line, when the warehouse is not there: otherwise GX reports every expectation as failed."""
    from voc import warehouse

    try:
        with warehouse.connect(settings, duty="transformer", connect_timeout=10) as conn:
            conn.execute("select 1")
    except warehouse.WarehouseError as exc:
        raise QualityGateError(f"the quality gate cannot reach the warehouse (not a data failure): {_first_line(exc)}") from exc
    except Exception as exc:  # psycopg errors after connecting
        raise QualityGateError(f"the quality gate cannot query the warehouse (not a data failure): {_first_line(exc)}") from exc


def _period(period_start: dt.date | None, period_end: dt.date | None) -> dict | None:
    if period_start is None and period_end is None:
        return None
    if period_start is None or period_end is None:
        raise ValueError("give both period_start and period_end, or neither")
    if period_end < period_start:
        raise ValueError(f"period_end {period_end} is before period_start {period_start}")
    return {"start": period_start.isoformat(), "end": period_end.isoformat(), "validated_rows": "all"}


def _load_context(settings: Settings):
    root = settings.expectations_dir
    if not (root / "great_expectations.yml").is_file():
        raise QualityGateError(f"no Great Expectations context at {root} (great_expectations.yml is missing)")

    from voc import warehouse

    try:
        url = warehouse.sqlalchemy_url(settings, duty="transformer")
    except warehouse.WarehouseError as exc:
        raise QualityGateError(f"the quality gate cannot reach the warehouse: {exc}") from exc

    # GX logs hundreds of INFO lines per run; unless someone chose its level, keep only its warnings.
    gx_logger = logging.getLogger("great_expectations")
    if gx_logger.level == logging.NOTSET:
        gx_logger.setLevel(logging.WARNING)

    import great_expectations as gx

    # runtime_environment feeds ${VOC_GX_CONNECTION_STRING}: the URL (with its password) never touches a file.
    return gx.get_context(mode="file", context_root_dir=str(root), runtime_environment={CONNECTION_VARIABLE: url})


def _validation_definition(checkpoint, suite_name: str):
    for validation_definition in checkpoint.validation_definitions:
        if validation_definition.suite.name == suite_name:
            return validation_definition
    return None


def _summarise_suite(settings: Settings, validation_result, validation_definition) -> dict:
    statistics = validation_result.statistics or {}
    table = _table_of(validation_definition)
    failures = [
        _failure(expectation_result) for expectation_result in validation_result.results if not expectation_result.success
    ]
    failures = _with_unexpected_rows(settings, failures, table)
    return {
        "name": validation_result.suite_name,
        "table": table,
        "success": bool(validation_result.success) and not failures,
        "evaluated_expectations": int(statistics.get("evaluated_expectations", len(validation_result.results))),
        "successful_expectations": int(statistics.get("successful_expectations", 0)),
        "failed_expectations": [failure.as_dict() for failure in failures],
    }


def _table_of(validation_definition) -> str | None:
    if validation_definition is None:
        return None
    asset = validation_definition.data.data_asset
    table_name = getattr(asset, "table_name", None)
    if not table_name:
        return None
    return f"{getattr(asset, 'schema_name', None) or 'public'}.{table_name}"


def _failure(expectation_result) -> _FailedExpectation:
    config = expectation_result.expectation_config
    kwargs = dict(config.kwargs)
    meta = dict(config.meta or {})
    query = kwargs.get("unexpected_rows_query")
    return _FailedExpectation(
        expectation_type=config.type,
        column=_column_of(kwargs),
        description=config.description,
        observed_value=_observed_value(dict(expectation_result.result or {})),
        query=query if isinstance(query, str) else None,
        raw_table=meta.get("raw_table"),
        rows_are_aggregates=bool(meta.get("rows_are_aggregates")),
        error=_error_of(expectation_result.exception_info),
    )


def _with_unexpected_rows(settings: Settings, failures: list[_FailedExpectation], table: str | None) -> list[_FailedExpectation]:
    """Fetch the rows of failed queries that return aggregates (tables, months, counts), so the failure says by how much.

    The checkpoint keeps only the row count (SUMMARY results); the query is run again here, read-only, with `{batch}`
    standing for the validated table as GX substitutes it.
    """
    wanted = [f for f in failures if f.query and f.rows_are_aggregates and f.error is None and table]
    if not wanted:
        return failures
    from voc import warehouse

    fetched: dict[int, list[dict]] = {}
    try:
        with warehouse.connect(settings, duty="transformer") as conn:
            conn.read_only = True
            for failure in wanted:
                with conn.cursor() as cursor:
                    cursor.execute(failure.query.format(batch=table))
                    columns = [column.name for column in cursor.description or []]
                    fetched[id(failure)] = [
                        dict(zip(columns, row, strict=True)) for row in cursor.fetchmany(_MAX_ROWS_IN_SUMMARY)
                    ]
    except Exception as exc:  # the rows are a courtesy for the reader; the failures stand without them
        log.warning("could not fetch the rows of the failed reconciliation queries: %s", _first_line(exc))
    return [replace(f, unexpected_rows=fetched[id(f)]) if id(f) in fetched else f for f in failures]


def _column_of(kwargs: dict) -> str | None:
    if kwargs.get("column"):
        return str(kwargs["column"])
    if kwargs.get("column_A") and kwargs.get("column_B"):
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    if kwargs.get("column_list"):
        return ", ".join(str(column) for column in kwargs["column_list"])
    return None


def _observed_value(result: dict) -> Any:
    if "observed_value" in result:
        return result["observed_value"]
    if "unexpected_count" in result:
        return {
            "unexpected_count": result.get("unexpected_count"),
            "unexpected_percent": result.get("unexpected_percent"),
            "element_count": result.get("element_count"),
        }
    return None


def _error_of(exception_info: Any) -> str | None:
    if not exception_info:
        return None
    infos = [exception_info] if "raised_exception" in exception_info else list(exception_info.values())
    for info in infos:
        info = info if isinstance(info, dict) else getattr(info, "to_json_dict", lambda: {})()
        if info.get("raised_exception"):
            return _first_line(info.get("exception_message") or "the expectation raised an exception")
    return None


def _first_line(value: Any) -> str:
    text = str(value).strip().splitlines()[0] if str(value).strip() else type(value).__name__
    return text if len(text) <= _MAX_ERROR_CHARS else text[: _MAX_ERROR_CHARS - 1] + "…"


def _data_docs_index(context) -> str | None:
    try:
        sites = context.get_docs_sites_urls(site_name=DATA_DOCS_SITE, only_if_exists=True)
    except Exception as exc:
        log.warning("could not locate the Data Docs index: %s", _first_line(exc))
        return None
    for site in sites:
        url = site.get("site_url")
        if url and url.startswith("file://"):
            return unquote(urlsplit(url).path)
        if url:
            return url
    return None


def _describe_failure(failure: dict) -> str:
    target = failure.get("column")
    if target is None and failure.get("query") is not None:
        target = f"query: {(failure.get('description') or failure['query']).rstrip('.')}"
    text = f"{failure['expectation_type']} ({target or 'table'})"
    if failure.get("error"):
        return f"{text}: error {failure['error']}"
    observed = failure.get("observed_value")
    if isinstance(observed, dict) and "unexpected_count" in observed:
        text += f": {observed['unexpected_count']} unexpected of {observed.get('element_count')} rows"
    elif failure.get("query") is not None and isinstance(observed, int):
        text += f": {observed} unexpected row(s)"
    elif observed is not None:
        text += f": observed {observed}"
    for row in failure.get("unexpected_rows") or []:
        text += "; " + ", ".join(f"{key}={value}" for key, value in row.items())
    return text


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            return str(value)
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_json_safe(item) for item in value]
    return str(value)
