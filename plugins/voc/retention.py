"""Retention: raw records and quarantined records are kept for a configured number of days after they were loaded.

| layer | variable | default | clock |
|---|---|---|---|
| raw (every channel's records) | `VOC_RETENTION_RAW_DAYS` | keep | `loaded_at` (the last time the source delivered the record as it is now) |
| quarantine | `VOC_RETENTION_QUARANTINE_DAYS` | keep | `quarantined_at` |

A layer without a period is kept. What retention removes leaves the warehouse at the next dbt build: the staging
views show it at once, the staging tables drop records that left raw, the intermediate tables and marts are rebuilt,
and the classifier's text cache forgets texts no longer in the warehouse. Each run is logged in ``audit.retention_runs`` (layer, cut-off, rows removed). Runs as ``voc_eraser``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from voc import warehouse
from voc.settings import Settings, get_settings

RETENTION_DDL = """
create table if not exists audit.retention_runs (
    run_at timestamptz not null default now(),
    layer text not null,
    keep_days integer not null,
    cutoff timestamptz not null,
    rows_deleted jsonb not null,
    primary key (run_at, layer)
);
comment on table audit.retention_runs is
    'Retention runs: per layer, the period kept, the cut-off applied and how many records were removed, by table.';
"""


@dataclass(frozen=True)
class Removed:
    layer: str
    cutoff: datetime
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def apply(settings: Settings | None = None, *, now: datetime | None = None, dry_run: bool = False) -> list[Removed]:
    """Remove what is older than each layer's period; return what was (or, with ``dry_run``, would be) removed."""
    settings = settings or get_settings()
    now = now or datetime.now(UTC)
    done: list[Removed] = []
    with warehouse.connect(settings, duty="eraser") as conn:
        if settings.retention_raw_days is not None:
            cutoff = now - timedelta(days=settings.retention_raw_days)
            tables = [
                row[0]
                for row in conn.execute(
                    "select tablename from pg_tables where schemaname = 'raw' and tablename <> 'quarantine' order by 1"
                )
            ]
            rows = {}
            for table in tables:
                verb = "select count(*) from" if dry_run else "with gone as (delete from"
                tail = "" if dry_run else " returning 1) select count(*) from gone"
                rows[f"raw.{table}"] = conn.execute(f"{verb} raw.{table} where loaded_at < %s{tail}", (cutoff,)).fetchone()[0]
            done.append(Removed("raw", cutoff, rows))
        if settings.retention_quarantine_days is not None:
            cutoff = now - timedelta(days=settings.retention_quarantine_days)
            verb = "select count(*) from" if dry_run else "with gone as (delete from"
            tail = "" if dry_run else " returning 1) select count(*) from gone"
            count = conn.execute(f"{verb} raw.quarantine where quarantined_at < %s{tail}", (cutoff,)).fetchone()[0]
            done.append(Removed("quarantine", cutoff, {"raw.quarantine": count}))
        if dry_run:
            conn.rollback()
            return done
        for removed in done:
            keep = settings.retention_raw_days if removed.layer == "raw" else settings.retention_quarantine_days
            conn.execute(
                "insert into audit.retention_runs (run_at, layer, keep_days, cutoff, rows_deleted) values (%s, %s, %s, %s, %s)",
                (now, removed.layer, keep, removed.cutoff, _json(removed.rows)),
            )
        conn.commit()
    return done


def _json(rows: dict[str, int]):
    from psycopg.types.json import Jsonb

    return Jsonb(rows)
