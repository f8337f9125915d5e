"""Raw landing: channel pages into `raw.<channel>_<entity>` tables, idempotently.

Pages a channel returns are grouped into batches (up to `BATCH_RECORDS` records); each batch is one transaction:
1. records with a new natural key are COPYed into the raw table; records whose key is known go through a temporary
   table and update their row only when the payload changed (a rerun writes nothing);
2. rejected records go to `raw.quarantine` with the reason and their original bytes (once: unique on
   channel, source_ref and the bytes' sha256);
3. the channel's cursor in `audit.channel_cursors` and the batch in `audit.landing_batches` are written.
So loaded + quarantined = records in the source, and a crash never leaves rows without their cursor or the reverse.
Logs carry counts and source references only, never payloads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import psycopg

from voc import warehouse
from voc.channels import REGISTRY, get_channel
from voc.channels.base import Channel, Page, RawRecord, Rejected
from voc.settings import Settings, get_settings

log = logging.getLogger(__name__)

BATCH_RECORDS = 10_000  # records per transaction: large enough to amortise the commit, small enough to resume cheaply

RAW_TABLE_DDL = """
create table if not exists raw.{table} (
    record_key text primary key,
    payload jsonb not null,
    source_ref text not null,
    batch_id uuid not null,
    cursor_value text,
    loaded_at timestamptz not null default now()
);
comment on table raw.{table} is 'Channel {channel}, entity {entity}: payloads exactly as the source gave them, one row per natural key.';
"""

AUDIT_DDL = """
create table if not exists raw.quarantine (
    quarantine_id bigint generated always as identity primary key,
    channel text not null,
    entity text not null,
    source_ref text not null,
    reason text not null,
    original bytea not null,
    original_sha256 text not null,
    batch_id uuid not null,
    quarantined_at timestamptz not null default now(),
    unique (channel, source_ref, original_sha256)
);
comment on table raw.quarantine is 'Records a channel could not read, with the reason and their original bytes: nothing is dropped.';
create table if not exists audit.channel_cursors (
    channel text primary key,
    cursor_value text,
    batch_id uuid not null,
    updated_at timestamptz not null default now()
);
comment on table audit.channel_cursors is 'Where each channel resumes: written in the same transaction as the rows it covers.';
create table if not exists audit.landing_batches (
    batch_id uuid primary key,
    channel text not null,
    run_id text,
    pages integer not null,
    cursor_before text,
    cursor_after text,
    records_received integer not null,
    records_inserted integer not null,
    records_updated integer not null,
    records_rejected integer not null,
    records_quarantined integer not null,
    started_at timestamptz not null,
    finished_at timestamptz not null default clock_timestamp()
);
comment on table audit.landing_batches is 'One row per landed batch of pages: what arrived and what it changed.';
"""


@dataclass
class LandingSummary:
    """What one landing run did (JSON-safe through `as_dict`: counts and cursors only)."""

    channel: str
    pages: int = 0
    received: int = 0
    inserted: int = 0
    updated: int = 0
    rejected: int = 0
    quarantined: int = 0
    cursor: str | None = None
    by_table: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def as_dict(self) -> dict:
        return {
            "channel": self.channel,
            "pages": self.pages,
            "received": self.received,
            "inserted": self.inserted,
            "updated": self.updated,
            "rejected": self.rejected,
            "quarantined": self.quarantined,
            "cursor": self.cursor,
            "inserted_by_table": dict(self.by_table),
        }


def ensure_tables(conn: psycopg.Connection, channels: list[Channel] | None = None) -> None:
    """Create the raw, quarantine and audit tables (idempotent)."""
    conn.execute("select pg_advisory_xact_lock(hashtext('voc.landing.ddl'))")
    conn.execute(AUDIT_DDL)
    for channel in channels or list(REGISTRY.values()):
        for entity, table in channel.entities.items():
            conn.execute(RAW_TABLE_DDL.format(table=table, channel=channel.name, entity=entity))


def read_cursor(conn: psycopg.Connection, channel: str) -> str | None:
    row = conn.execute("select cursor_value from audit.channel_cursors where channel = %s", (channel,)).fetchone()
    return row[0] if row else None


def reset_cursor(conn: psycopg.Connection, channel: str) -> None:
    """Forget where a channel was: the next landing replays the source from the start (and adds nothing twice)."""
    conn.execute("delete from audit.channel_cursors where channel = %s", (channel,))


def _payload_json(record: RawRecord) -> str | None:
    text = json.dumps(record.payload, ensure_ascii=False)
    # Channels quarantine payloads jsonb cannot hold (with their original bytes); this guard keeps one they miss
    # from failing the whole batch.
    return None if "\\u0000" in text else text


def _upsert(
    cur: psycopg.Cursor, table: str, rows: list[tuple[str, str, str]], batch_id: uuid.UUID, cursor_value: str | None
) -> tuple[int, int]:
    """New keys are COPYed straight into the raw table; known keys are updated only where the payload changed.

    Returns (inserted, updated). The advisory lock serialises writers of one table, so the key lookup stays true.
    """
    cur.execute("select pg_advisory_xact_lock(hashtext(%s))", (f"raw.{table}",))
    cur.execute(f"select record_key from raw.{table} where record_key = any(%s)", ([key for key, _, _ in rows],))
    known = {key for (key,) in cur.fetchall()}
    new_rows = [row for row in rows if row[0] not in known]
    if new_rows:
        with cur.copy(f"copy raw.{table} (record_key, payload, source_ref, batch_id, cursor_value) from stdin") as copy:
            for key, payload, source_ref in new_rows:
                copy.write_row((key, payload, source_ref, batch_id, cursor_value))
    if len(new_rows) == len(rows):
        return len(new_rows), 0
    cur.execute(
        "create temp table if not exists landing_rows (record_key text, payload jsonb, source_ref text) on commit delete rows"
    )
    with cur.copy("copy landing_rows (record_key, payload, source_ref) from stdin") as copy:
        for row in rows:
            if row[0] in known:
                copy.write_row(row)
    cur.execute(
        f"""
        update raw.{table} as target
        set payload = incoming.payload,
            source_ref = incoming.source_ref,
            batch_id = %(batch_id)s,
            cursor_value = %(cursor)s,
            loaded_at = now()
        from landing_rows as incoming
        where target.record_key = incoming.record_key
          and target.payload is distinct from incoming.payload
        """,
        {"batch_id": batch_id, "cursor": cursor_value},
    )
    updated = cur.rowcount
    cur.execute("truncate landing_rows")
    return len(new_rows), updated


def land_pages(
    conn: psycopg.Connection,
    channel: Channel,
    pages: list[Page],
    cursor_before: str | None,
    run_id: str | None = None,
    started_at: datetime | None = None,
) -> LandingSummary:
    """Write consecutive pages and the last one's cursor in one transaction. `started_at` is when the batch began
    reading its pages (default: when writing began); the batch row's `finished_at` is when it was written."""
    cursor_after = pages[-1].cursor
    records = [record for page in pages for record in page.records]
    rejected = [item for page in pages for item in page.rejected]
    summary = LandingSummary(channel=channel.name, pages=len(pages), received=len(records) + len(rejected), cursor=cursor_after)
    batch_id = uuid.uuid4()
    # one row per natural key and table (the latest delivery wins: feeds and API pages repeat records)
    rows_by_table: dict[str, dict[str, tuple[str, str, str]]] = defaultdict(dict)
    for record in records:
        if record.entity not in channel.entities:
            raise ValueError(
                f"channel {channel.name} returned entity {record.entity!r} at {record.source_ref}; known: {sorted(channel.entities)}"
            )
        payload = _payload_json(record)
        if payload is None:
            rejected.append(
                Rejected(
                    record.entity,
                    record.source_ref,
                    "payload contains a NUL character (jsonb cannot store it)",
                    json.dumps(record.payload).encode(),
                )
            )
            continue
        rows_by_table[channel.entities[record.entity]][record.key] = (record.key, payload, record.source_ref)
    summary.rejected = len(rejected)
    with conn.transaction(), conn.cursor() as cur:
        # Safe to not wait for the WAL flush: a batch lost in a crash loses its cursor with it and is landed again.
        cur.execute("set local synchronous_commit = off")
        if started_at is None:
            cur.execute("select clock_timestamp()")
            started_at = cur.fetchone()[0]
        for table, rows in rows_by_table.items():
            inserted, updated = _upsert(cur, table, list(rows.values()), batch_id, cursor_after)
            summary.inserted += inserted
            summary.updated += updated
            summary.by_table[table] += inserted
        for item in rejected:
            cur.execute(
                """
                insert into raw.quarantine (channel, entity, source_ref, reason, original, original_sha256, batch_id)
                values (%s, %s, %s, %s, %s, %s, %s)
                on conflict (channel, source_ref, original_sha256) do nothing
                """,
                (
                    channel.name,
                    item.entity,
                    item.source_ref,
                    item.reason,
                    item.original,
                    hashlib.sha256(item.original).hexdigest(),
                    batch_id,
                ),
            )
            summary.quarantined += cur.rowcount
        cur.execute(
            """
            insert into audit.landing_batches (batch_id, channel, run_id, pages, cursor_before, cursor_after, records_received,
                records_inserted, records_updated, records_rejected, records_quarantined, started_at, finished_at)
            values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, clock_timestamp())
            """,
            (
                batch_id,
                channel.name,
                run_id,
                len(pages),
                cursor_before,
                cursor_after,
                summary.received,
                summary.inserted,
                summary.updated,
                summary.rejected,
                summary.quarantined,
                started_at,
            ),
        )
        cur.execute(
            """
            insert into audit.channel_cursors (channel, cursor_value, batch_id) values (%s, %s, %s)
            on conflict (channel) do update set cursor_value = excluded.cursor_value, batch_id = excluded.batch_id, updated_at = now()
            """,
            (channel.name, cursor_after, batch_id),
        )
    return summary


def land_channel(
    name: str,
    settings: Settings | None = None,
    *,
    from_start: bool = False,
    run_id: str | None = None,
    progress: Callable[[str], None] | None = None,
    batch_records: int = BATCH_RECORDS,
) -> LandingSummary:
    """Land every page the channel has after its stored cursor (or from the start with `from_start`)."""
    settings = settings or get_settings()
    channel = get_channel(name)
    total = LandingSummary(channel=name)
    with warehouse.connect(settings) as conn:
        with conn.transaction():
            ensure_tables(conn, [channel])
            if from_start:
                reset_cursor(conn, name)
        cursor = total.cursor = read_cursor(conn, name)
        pending: list[Page] = []
        pending_records = 0
        batch_started = datetime.now(UTC)

        def flush() -> None:
            nonlocal pending, pending_records, batch_started
            done = land_pages(conn, channel, pending, total.cursor, run_id, started_at=batch_started)
            for attr in ("pages", "received", "inserted", "updated", "rejected", "quarantined"):
                setattr(total, attr, getattr(total, attr) + getattr(done, attr))
            for table, count in done.by_table.items():
                total.by_table[table] += count
            total.cursor = done.cursor
            if progress:
                progress(f"{name}: up to {done.cursor} ({done.received} records, {done.inserted} new, {done.rejected} rejected)")
            pending, pending_records = [], 0
            batch_started = datetime.now(UTC)

        while True:
            page = channel.fetch(cursor, settings)
            if not page.records and not page.rejected and page.cursor == cursor:
                break
            pending.append(page)
            pending_records += len(page.records) + len(page.rejected)
            cursor = page.cursor
            if pending_records >= batch_records:
                flush()
            if not page.has_more:
                break
        if pending:
            flush()
    log.info("landed %s: %s", name, json.dumps(total.as_dict()))
    return total
