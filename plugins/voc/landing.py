"""Raw landing: channel pages into `raw.<channel>_<entity>` tables, idempotently.

Pages a channel's reader returns are grouped into batches (up to `BATCH_RECORDS` records); each batch is one
transaction:
1. records with a new natural key are COPYed into the raw table; records whose key is known go through a temporary
   table and update their row only when the payload changed (a rerun writes nothing);
2. rejected records go to `raw.quarantine` with the reason and their original bytes (once: unique on
   channel, source_ref and the bytes' sha256);
3. the batch in `audit.landing_batches`, and what the batch completes: the files read to their end in
   `audit.landed_files` (path, size, modification time, SHA-256) and, for a live stream (`land_stream`), its cursor
   in `audit.channel_cursors`.
So loaded + quarantined = records in the source, and a crash never leaves rows without their cursor or the reverse.

Drop folders are tracked by that manifest, not by a file-name cursor: every run lists the folder once and reads each
file that is new or whose content changed (size and modification time first, then the checksum), in any order; a
corrected file lands what changed in it (known keys are updated only when their payload differs). A file its reader
cannot handle (any error, e.g. a document nested too deep) is quarantined whole with the reason and recorded as read,
so the channel's other files go on. Logs carry counts and source references only, never payloads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from voc import warehouse
from voc.channels import REGISTRY, get_channel
from voc.channels.base import Channel, Page, RawRecord, Rejected, Unit
from voc.channels.live import LiveStream
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
create table if not exists audit.landed_files (
    channel text not null,
    file_path text not null,
    size_bytes bigint not null,
    mtime_ns bigint not null,
    sha256 text not null,
    records integer not null,
    rejected integer not null,
    batch_id uuid not null,
    first_landed_at timestamptz not null default now(),
    landed_at timestamptz not null default now(),
    times_landed integer not null default 1,
    primary key (channel, file_path)
);
comment on table audit.landed_files is 'The drop-folder manifest: every file read to its end, with the size, modification time and SHA-256 it had; a file is read again only when its content changes.';
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
    files: int = 0  # drop-folder files read (new or changed)
    note: str | None = None  # why a live run stopped early (a rate limit)
    unreadable: list[str] = field(default_factory=list)  # files quarantined whole because their reader failed
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
            "files": self.files,
            "note": self.note,
            "unreadable_files": list(self.unreadable),
            "inserted_by_table": dict(self.by_table),
        }


def ensure_tables(conn: psycopg.Connection, channels: list[Channel] | None = None, *, if_missing: bool = False) -> None:
    """Create the raw, quarantine and audit tables (idempotent). With ``if_missing`` only the tables that do not
    exist are created: the loader does not own the tables the warehouse set-up made, and only creates a new
    channel's."""
    raw = {
        f"raw.{table}": RAW_TABLE_DDL.format(table=table, channel=channel.name, entity=entity)
        for channel in channels or list(REGISTRY.values())
        for entity, table in channel.entities.items()
    }
    audit = re.findall(r"create table if not exists (\w+\.\w+)", AUDIT_DDL)
    existing: set[str] = set()
    if if_missing:
        query = "select name from unnest(%s::text[]) as name where to_regclass(name) is not null"
        existing = {row[0] for row in conn.execute(query, ([*audit, *raw],))}
        if existing >= {*audit, *raw}:
            return
    conn.execute("select pg_advisory_xact_lock(hashtext('voc.landing.ddl'))")
    if not existing >= set(audit):
        conn.execute(AUDIT_DDL)
    for name, ddl in raw.items():
        if name not in existing:
            conn.execute(ddl)


def read_cursor(conn: psycopg.Connection, channel: str) -> str | None:
    row = conn.execute("select cursor_value from audit.channel_cursors where channel = %s", (channel,)).fetchone()
    return row[0] if row else None


def reset_cursor(conn: psycopg.Connection, channel: str) -> None:
    """Forget where a channel was: the next landing replays the source from the start (and adds nothing twice)."""
    conn.execute("delete from audit.channel_cursors where channel = %s", (channel,))
    conn.execute("delete from audit.landed_files where channel = %s", (channel,))


@dataclass(frozen=True)
class LandedFile:
    """A drop-folder file read to its end: what the manifest remembers of it."""

    path: str  # relative to the channel's folder
    size_bytes: int
    mtime_ns: int
    sha256: str
    records: int = 0
    rejected: int = 0


def read_manifest(conn: psycopg.Connection, channel: str) -> dict[str, LandedFile]:
    rows = conn.execute(
        "select file_path, size_bytes, mtime_ns, sha256, records, rejected from audit.landed_files where channel = %s",
        (channel,),
    ).fetchall()
    return {row[0]: LandedFile(*row) for row in rows}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


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
    files: tuple[LandedFile, ...] = (),
    cursor_key: str | None = None,
) -> LandingSummary:
    """Write consecutive pages and what they complete in one transaction: the drop-folder files read to their end
    (`files`) and, for a live stream, its cursor (the last page's, under `cursor_key`). `started_at` is when the batch began reading its pages (default: when
    writing began); the batch row's `finished_at` is when it was written."""
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
        if cursor_key is not None:
            cur.execute(
                """
                insert into audit.channel_cursors (channel, cursor_value, batch_id) values (%s, %s, %s)
                on conflict (channel) do update
                set cursor_value = excluded.cursor_value, batch_id = excluded.batch_id, updated_at = now()
                """,
                (cursor_key, cursor_after, batch_id),
            )
        for done in files:
            cur.execute(
                """
                insert into audit.landed_files (channel, file_path, size_bytes, mtime_ns, sha256, records, rejected, batch_id)
                values (%s, %s, %s, %s, %s, %s, %s, %s)
                on conflict (channel, file_path) do update
                set size_bytes = excluded.size_bytes, mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256,
                    records = excluded.records, rejected = excluded.rejected, batch_id = excluded.batch_id,
                    landed_at = now(), times_landed = audit.landed_files.times_landed + 1
                """,
                (channel.name, done.path, done.size_bytes, done.mtime_ns, done.sha256, done.records, done.rejected, batch_id),
            )
    return summary


class LandingError(RuntimeError):
    """A landing that could not keep everything it was given (the rest was landed)."""


class _Batches:
    """Pages waiting to be written, written as one transaction once they hold `batch_records` units."""

    def __init__(self, conn, channel: Channel, total: LandingSummary, run_id, progress, batch_records: int) -> None:
        self.conn, self.channel, self.total, self.run_id = conn, channel, total, run_id
        self.progress, self.batch_records = progress, batch_records
        self.pages: list[Page] = []
        self.files: list[LandedFile] = []
        self.units = 0
        self.started = datetime.now(UTC)

    def add(self, page: Page) -> None:
        self.pages.append(page)
        self.units += len(page.records) + len(page.rejected)
        if self.units >= self.batch_records:
            self.flush()

    def file_done(self, done: LandedFile) -> None:
        self.files.append(done)

    def flush(self) -> None:
        if not self.pages and not self.files:
            return
        pages = self.pages or [Page(cursor=self.files[-1].path)]
        done = land_pages(
            self.conn, self.channel, pages, self.total.cursor, self.run_id, started_at=self.started, files=tuple(self.files)
        )
        for attr in ("pages", "received", "inserted", "updated", "rejected", "quarantined"):
            setattr(self.total, attr, getattr(self.total, attr) + getattr(done, attr))
        for table, count in done.by_table.items():
            self.total.by_table[table] += count
        self.total.cursor = done.cursor
        if self.progress:
            self.progress(
                f"{self.channel.name}: up to {done.cursor} ({done.received} records, {done.inserted} new, "
                f"{done.rejected} rejected)"
            )
        self.pages, self.files, self.units = [], [], 0
        self.started = datetime.now(UTC)


def land_channel(
    name: str,
    settings: Settings | None = None,
    *,
    from_start: bool = False,
    run_id: str | None = None,
    progress: Callable[[str], None] | None = None,
    batch_records: int = BATCH_RECORDS,
) -> LandingSummary:
    """Land what is new in the channel's drop folder: every new or changed file; with `from_start` every file again
    (nothing is landed twice). Live streams land with `land_stream`.

    Raises `LandingError` after landing everything else when a file could neither be read nor kept in quarantine.
    """
    settings = settings or get_settings()
    channel = get_channel(name)
    total = LandingSummary(channel=name)
    with warehouse.connect(settings, duty="loader", autocommit=True) as conn:
        with conn.transaction():
            ensure_tables(conn, [channel], if_missing=True)
            if from_start:
                reset_cursor(conn, name)
        batches = _Batches(conn, channel, total, run_id, progress, batch_records)
        failed = _land_folder(conn, channel, settings, batches, progress)
        batches.flush()
    log.info("landed %s: %s", name, json.dumps(total.as_dict()))
    if failed:
        raise LandingError(f"{name}: {len(failed)} file(s) could not be read or kept: {'; '.join(failed)}")
    return total


def land_stream(
    name: str | LiveStream,
    settings: Settings | None = None,
    *,
    from_start: bool = False,
    run_id: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> LandingSummary:
    """Land what a live stream's server has after the stream's cursor (``voc.channels.live``): each response is
    kept as a file of the channel's drop folder, read by the channel's reader, and landed with the file's manifest
    row and the new cursor in one transaction. With ``from_start`` the stream's cursor is forgotten first.

    Ends early, successfully, when the source's rate limit resets too late (``LandingSummary.note``); raises
    ``LiveSourceError`` when the source cannot be read or gave a malformed response (kept and quarantined).
    """
    from voc.channels import get_stream
    from voc.channels.live import LiveSourceError

    settings = settings or get_settings()
    stream = name if isinstance(name, LiveStream) else get_stream(name, settings)
    channel = get_channel(stream.channel)
    total = LandingSummary(channel=channel.name)
    root = settings.channel_dir(channel.name)
    with warehouse.connect(settings, duty="loader", autocommit=True) as conn:
        with conn.transaction():
            ensure_tables(conn, [channel], if_missing=True)
            if from_start:
                conn.execute("delete from audit.channel_cursors where channel = %s", (stream.name,))
        cursor = total.cursor = read_cursor(conn, stream.name)
        while True:
            fetched = stream.fetch(cursor, settings)
            files: tuple[LandedFile, ...] = ()
            page = Page(cursor=fetched.cursor)
            file_ref = f"{channel.name}/{fetched.file_name}"
            if fetched.content is not None and fetched.file_name:
                path = _keep(root / fetched.file_name, fetched.content)
                for unit in _units(channel, path, file_ref, total):
                    (page.records if isinstance(unit, RawRecord) else page.rejected).append(unit)
                for item in page.rejected:
                    log.warning("quarantined %s (%s): %s", item.source_ref, item.entity, item.reason)
                stat = path.stat()
                files = (
                    LandedFile(
                        fetched.file_name,
                        stat.st_size,
                        stat.st_mtime_ns,
                        hashlib.sha256(fetched.content).hexdigest(),
                        len(page.records),
                        len(page.rejected),
                    ),
                )
            if files or fetched.cursor != cursor:
                done = land_pages(conn, channel, [page], cursor, run_id, files=files, cursor_key=stream.name)
                for attr in ("pages", "received", "inserted", "updated", "rejected", "quarantined"):
                    setattr(total, attr, getattr(total, attr) + getattr(done, attr))
                for table, count in done.by_table.items():
                    total.by_table[table] += count
                total.files += len(files)
                total.cursor = cursor = fetched.cursor
                if progress and files:
                    progress(
                        f"{stream.name}: {file_ref} ({done.received} records, {done.inserted} new, {done.rejected} rejected)"
                    )
            if fetched.malformed:
                raise LiveSourceError(
                    f"{stream.name}: {fetched.malformed}, every attempt; the response was kept as {file_ref} and "
                    "quarantined, and the cursor is where it was"
                )
            if fetched.note:
                total.note = fetched.note
                (progress or log.warning)(fetched.note)
            if not fetched.has_more:
                break
    log.info("landed %s: %s", stream.name, json.dumps(total.as_dict()))
    return total


def _keep(path: Path, content: bytes) -> Path:
    """Write a live response into the drop folder atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    partial.replace(path)
    return path


def _land_folder(
    conn: psycopg.Connection,
    channel: Channel,
    settings: Settings,
    batches: _Batches,
    progress: Callable[[str], None] | None,
) -> list[str]:
    """Read every new or changed file of the drop folder; returns the files that could be neither read nor kept."""
    legacy = read_cursor(conn, channel.name)
    if legacy is not None:
        (progress or log.warning)(
            f"{channel.name}: the file-name cursor {legacy!r} left by an earlier version is no longer used; files are "
            "now tracked by content (audit.landed_files): every file is checked once and nothing is landed twice"
        )
        conn.execute("delete from audit.channel_cursors where channel = %s", (channel.name,))
    manifest = read_manifest(conn, channel.name)
    root = settings.channel_dir(channel.name)
    failed: list[str] = []
    for path in channel.folder.files(root):
        relative = path.relative_to(root).as_posix()
        file_ref = f"{channel.name}/{relative}"
        try:
            stat = path.stat()
            known = manifest.get(relative)
            if known and (known.size_bytes, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                continue
            digest = file_sha256(path)
        except OSError as error:
            failed.append(f"{file_ref}: {error.strerror or type(error).__name__}")
            log.error("cannot read %s: %s", file_ref, error.strerror or type(error).__name__)
            continue
        if known and (known.size_bytes, known.sha256) == (stat.st_size, digest):
            # touched, not changed: remember the new time so that the next run need not read it
            conn.execute(
                "update audit.landed_files set mtime_ns = %s where channel = %s and file_path = %s",
                (stat.st_mtime_ns, channel.name, relative),
            )
            continue
        if known:
            (progress or log.info)(f"{file_ref} changed since it was landed: reading it again (only what changed is written)")
        counts = {"records": 0, "rejected": 0}
        page = Page(cursor=relative)
        try:
            for unit in _units(channel, path, file_ref, batches.total):
                if isinstance(unit, RawRecord):
                    page.records.append(unit)
                    counts["records"] += 1
                else:
                    page.rejected.append(unit)
                    counts["rejected"] += 1
                    log.warning("quarantined %s (%s): %s", unit.source_ref, unit.entity, unit.reason)
                if len(page.records) + len(page.rejected) >= batches.batch_records:
                    batches.add(page)
                    page = Page(cursor=relative)
        except OSError as error:  # neither readable nor keepable: not in the manifest, so tried again next run
            batches.add(page)
            failed.append(f"{file_ref}: {error.strerror or type(error).__name__}")
            continue
        # the manifest row goes with the file's last units, in one transaction
        batches.file_done(LandedFile(relative, stat.st_size, stat.st_mtime_ns, digest, counts["records"], counts["rejected"]))
        batches.add(page)
        batches.total.files += 1
    return failed


def _units(channel: Channel, path: Path, file_ref: str, total: LandingSummary) -> Iterator[Unit]:
    """The file's units as its reader gives them; if the reader fails, the file itself, quarantined whole with the
    kind of failure (not its message, which may quote the file's content)."""
    units = iter(channel.folder.read(path, file_ref))
    while True:
        try:
            unit = next(units)
        except StopIteration:
            return
        except Exception as error:  # any reader failure: the file is kept, the channel goes on
            reason = f"the file could not be read ({type(error).__name__}); it is kept whole"
            log.error("%s: %s", file_ref, reason)
            original = path.read_bytes()  # an OSError here: the file can be neither read nor kept
            total.unreadable.append(file_ref)
            yield Rejected(channel.first_entity, file_ref, reason, original)
            return
        yield unit
