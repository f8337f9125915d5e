"""Erasure: remove a person from the warehouse on request (`voc erase`, the `housekeeping` DAG).

A person is named by their identifiers (``kind:value``, the kinds of ``voc.privacy``: an e-mail address, a phone
number, a chat visitor id, an X or Facebook user id, a feed author's name). In one transaction, as ``voc_eraser``:

1. every raw record that names the person goes: a record is the smallest unit whose own values name them, either
   the whole row (a call, an e-mail, a chat session, a tweet, an X user, a mention) or an element of a list inside
   it (a comment in a Facebook post's thread, with its replies): the row is then rewritten without it;
2. records that refer to what was removed go too (one level: an agent's reply in the same thread, a case event or a
   survey response about the removed contact, the replies of an X conversation);
3. quarantined records whose original bytes name the person are deleted;
4. reviewers' overrides of the removed contacts are deleted;
5. ``audit.erasures`` records the request by pseudonym only (with the secret's ``key_id``), and what was removed by
   table, in counts.

The drop folder's files are cut the same way (``voc.erasure_files``): each file that names the person is rewritten
without their units, so a replay from the start (`voc land --from-start`) does not bring them back; a file no
channel reads, or one that cannot be written, is reported and makes the CLI exit non-zero.

dbt is then rebuilt (the CLI and the DAG do it), so staging (views, and the staged e-mails, calls and case events),
the intermediate tables, the classifier's text cache (which keeps only texts still in the warehouse) and the marts no
longer hold the person.
"""

from __future__ import annotations

import json
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb

from voc import privacy, warehouse
from voc.erasure_files import DropFolderErasure
from voc.settings import Settings, get_settings

ERASURES_DDL = """
create table if not exists audit.erasures (
    erasure_id uuid primary key,
    requested_at timestamptz not null default now(),
    request_ref text,
    key_id text not null,
    pseudonyms text[] not null,
    raw_rows_deleted jsonb not null,
    raw_rows_rewritten jsonb not null,
    quarantine_deleted integer not null,
    overrides_deleted integer not null,
    files_naming_person integer not null
);
alter table audit.erasures
    add column if not exists files_rewritten integer not null default 0,
    add column if not exists files_deleted integer not null default 0;
comment on table audit.erasures is
    'Erasure requests carried out: the person by pseudonym only (kind:HMAC, with the secret''s key_id), and how many '
    'records were removed where, and how many drop-folder files were rewritten, deleted or still name them; never an '
    'identifier.';
"""

_PHONE_LIKE = re.compile(r"\+?\d[\d ().\-/]{5,}\d")


class ErasureError(ValueError):
    """An erasure request that cannot be carried out as given; the message says why."""


@dataclass(frozen=True)
class Identifier:
    kind: str
    normalised: str

    @classmethod
    def parse(cls, text: str, country_code: str = "34") -> Identifier:
        kind, sep, value = text.partition(":")
        kind = kind.strip().lower()
        if not sep or kind not in privacy.KINDS:
            raise ErasureError(
                f"name an identifier as KIND:VALUE, KIND one of {', '.join(privacy.KINDS)} (got a {kind or 'blank'!r} kind)"
            )
        normalised = privacy.normalise(kind, value, country_code)
        if not normalised or (kind == "phone" and len(normalised) < 8):
            raise ErasureError(f"the {kind} identifier is empty or too short to identify anyone")
        return cls(kind, normalised)

    def pattern(self) -> str:
        """A PostgreSQL regular expression that every text naming this identifier matches (a superset: the exact
        check is ``names``)."""
        if self.kind == "phone":
            national = self.normalised[-9:]  # the subscriber digits, however the source spaced or prefixed them
            return r"[^0-9]{0,3}".join(national)
        if self.kind == "web":
            return r"\s+".join(re.escape(word) for word in self.normalised.split(" "))
        return re.escape(self.normalised)

    def names(self, text: str, country_code: str) -> bool:
        """Whether a text names this identifier."""
        if self.kind == "phone":
            return any(privacy.normalise("phone", match, country_code) == self.normalised for match in _PHONE_LIKE.findall(text))
        if self.kind == "email":
            return re.search(rf"(?<![\w.+-]){re.escape(self.normalised)}(?![\w-])", text, re.IGNORECASE) is not None
        if self.kind == "web":
            return self.normalised in " ".join(text.lower().split())
        return re.search(rf"(?<![\w.-]){re.escape(self.normalised)}(?![\w-])", text) is not None


@dataclass
class Report:
    erasure_id: str
    pseudonyms: list[str]
    raw_rows_deleted: Counter = field(default_factory=Counter)
    raw_rows_rewritten: Counter = field(default_factory=Counter)
    quarantine_deleted: int = 0
    overrides_deleted: int = 0
    files_rewritten: list[str] = field(default_factory=list)
    files_deleted: list[str] = field(default_factory=list)
    files_naming_person: list[str] = field(default_factory=list)  # "path (why it could not be cut)"

    def summary(self) -> str:
        deleted = sum(self.raw_rows_deleted.values())
        rewritten = sum(self.raw_rows_rewritten.values())
        return (
            f"erasure {self.erasure_id}: {deleted} raw record(s) deleted, {rewritten} rewritten without the person, "
            f"{self.quarantine_deleted} quarantined record(s) and {self.overrides_deleted} override(s) deleted; "
            f"drop folder: {len(self.files_rewritten)} file(s) rewritten without the person, "
            f"{len(self.files_deleted)} deleted, {len(self.files_naming_person)} still naming them"
        )


class Match:
    """Decides whether a JSON unit names the person: by identifier (first pass) or by a removed record's key."""

    def __init__(self, identifiers: list[Identifier], country_code: str, keys: set[str] | None = None) -> None:
        self.identifiers = identifiers
        self.country_code = country_code
        self.keys = keys or set()

    def scalar(self, value: Any) -> bool:
        if isinstance(value, bool) or value is None:
            return False
        text = str(value)
        if self.keys:
            return text in self.keys or any(f"<{key}>" in text for key in self.keys)
        return any(identifier.names(text, self.country_code) for identifier in self.identifiers)

    def own(self, unit: dict | list) -> bool:
        """Whether the unit's own values (nested objects included, not the objects in its lists) name the person."""
        values = unit.values() if isinstance(unit, dict) else unit
        for value in values:
            if isinstance(value, dict):
                if self.own(value):
                    return True
            elif isinstance(value, list):
                if self.own([item for item in value if not isinstance(item, dict)]):
                    return True
            elif self.scalar(value):
                return True
        return False


def prune(value: Any, match: Match, removed: list[str]) -> Any:
    """The value without the list elements (objects) that name the person; their ids go to ``removed``."""
    if isinstance(value, dict):
        return {key: prune(item, match, removed) for key, item in value.items()}
    if isinstance(value, list):
        kept = []
        for item in value:
            if isinstance(item, dict) and match.own(item):
                collect_ids([item], removed)
            else:
                kept.append(prune(item, match, removed))
        return kept
    return value


def collect_ids(unit: Any, into: list[str], *, in_list: bool = False) -> None:
    """The ids of a removed unit's list elements, nested at any depth (a removed comment's replies); the ids of plain
    nested objects (its author's, in ``from``) are not records and are left out."""
    if isinstance(unit, dict):
        for key, value in unit.items():
            if key == "id" and in_list and value is not None:
                into.append(str(value))
            elif isinstance(value, (dict, list)):
                collect_ids(value, into)
    elif isinstance(unit, list):
        for item in unit:
            collect_ids(item, into, in_list=True)


def redact(payload: Any, match: Match) -> tuple[Any | None, list[str]]:
    """(the payload without the person, or None when the whole record is theirs; the ids of what was removed)."""
    removed: list[str] = []
    if isinstance(payload, dict) and match.own(payload):
        return None, removed
    pruned = prune(payload, match, removed)
    return pruned, [key for key in removed if key]


def _raw_tables(conn) -> dict[str, str]:
    """raw table -> channel, for every channel table (not the quarantine)."""
    from voc.channels import REGISTRY

    known = {table: channel.name for channel in REGISTRY.values() for table in channel.entities.values()}
    present = {row[0] for row in conn.execute("select tablename from pg_tables where schemaname = 'raw'")}
    return {table: channel for table, channel in known.items() if table in present}


def erase(
    identifiers: Iterable[str], settings: Settings | None = None, *, request_ref: str | None = None, dry_run: bool = False
) -> Report:
    """Remove the person named by ``identifiers`` (``kind:value``) from raw, the quarantine and the overrides, and log
    it by pseudonym. ``dry_run`` counts what would go and changes nothing. dbt must be rebuilt afterwards."""
    settings = settings or get_settings()
    people = [Identifier.parse(text, settings.phone_country_code) for text in identifiers]
    if not people:
        raise ErasureError("name the person: at least one KIND:VALUE identifier (e.g. email:ana@example.com)")
    secret = privacy.pseudonym_secret(settings)
    report = Report(
        erasure_id=str(uuid.uuid4()),
        pseudonyms=sorted(
            {
                f"{person.kind}:{privacy.pseudonym(person.kind, person.normalised, secret, settings.phone_country_code)}"
                for person in people
            }
        ),
    )
    by_identifier = Match(people, settings.phone_country_code)
    files = DropFolderErasure(settings.drop_folder)
    with warehouse.connect(settings, duty="eraser") as conn:
        tables = _raw_tables(conn)
        removed_keys: set[str] = set()
        removed_contacts: set[str] = set()
        pattern = "|".join(f"({person.pattern()})" for person in people)
        for table, channel in tables.items():
            rows = conn.execute(f"select record_key, payload from raw.{table} where payload::text ~* %s", (pattern,))
            for key, gone in _apply(conn, table, rows.fetchall(), by_identifier, report, dry_run):
                removed_keys.add(key)
                removed_contacts.update(f"{channel}:{item}" for item in gone)
        removed_keys.update(files.cut(by_identifier))
        # one level of references: what answers, rates or tracks a removed record
        by_key = Match(people, settings.phone_country_code, keys={key for key in removed_keys if len(key) >= 4})
        if by_key.keys:
            for table, channel in tables.items():
                rows = conn.execute(
                    f"""
                    select record_key, payload from raw.{table} as raw
                    where exists (
                        select from jsonb_path_query(raw.payload, 'strict $.**') as node
                        where jsonb_typeof(node) in ('string', 'number')
                            and (node #>> '{{}}' = any(%s) or substring(node #>> '{{}}' from '<([^<>]+)>') = any(%s))
                    )
                    """,
                    (sorted(by_key.keys), sorted(by_key.keys)),
                )
                for _key, gone in _apply(conn, table, rows.fetchall(), by_key, report, dry_run):
                    removed_contacts.update(f"{channel}:{item}" for item in gone)
            files.cut(by_key)
        files.check(by_identifier)
        report.quarantine_deleted = _erase_quarantine(conn, by_identifier, dry_run)
        if removed_contacts:
            cursor = conn.execute(
                ("select count(*) from" if dry_run else "delete from")
                + " review.classification_overrides where contact_id = any(%s)"
                + (" " if dry_run else " returning 1"),
                (sorted(removed_contacts),),
            )
            report.overrides_deleted = cursor.fetchone()[0] if dry_run else len(cursor.fetchall())
        if dry_run:
            conn.rollback()
        else:
            # the files first: a failure after them leaves the request to be run again, which finds the rest
            files.write(conn)
        report.files_rewritten = [str(path) for path in files.rewritten]
        report.files_deleted = [str(path) for path in files.deleted]
        report.files_naming_person = [f"{path.relative_to(files.folder)} ({why})" for path, why in files.untouchable.items()]
        if dry_run:
            return report
        conn.execute(
            """
            insert into audit.erasures (erasure_id, request_ref, key_id, pseudonyms, raw_rows_deleted,
                raw_rows_rewritten, quarantine_deleted, overrides_deleted, files_naming_person, files_rewritten,
                files_deleted)
            values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            """,
            (
                report.erasure_id,
                request_ref,
                privacy.key_id(secret),
                report.pseudonyms,
                Jsonb(dict(report.raw_rows_deleted)),
                Jsonb(dict(report.raw_rows_rewritten)),
                report.quarantine_deleted,
                report.overrides_deleted,
                len(report.files_naming_person),
                len(report.files_rewritten),
                len(report.files_deleted),
            ),
        )
        conn.commit()
    return report


def _apply(conn, table: str, rows, match: Match, report: Report, dry_run: bool) -> Iterator[tuple[str, list[str]]]:
    """Delete or rewrite each row that names the person; yield (record key, ids of the contacts removed)."""
    for key, payload in rows:
        pruned, gone = redact(payload, match)
        if pruned is None:
            report.raw_rows_deleted[f"raw.{table}"] += 1
            if not dry_run:
                conn.execute(f"delete from raw.{table} where record_key = %s", (key,))
            yield key, [key, *_nested_ids(payload)]
        elif gone:
            report.raw_rows_rewritten[f"raw.{table}"] += 1
            if not dry_run:
                conn.execute(
                    f"update raw.{table} set payload = %s, loaded_at = now() where record_key = %s", (Jsonb(pruned), key)
                )
            for item in gone:
                yield item, [item]


def _nested_ids(payload: Any) -> list[str]:
    ids: list[str] = []
    collect_ids(payload, ids)
    return ids


def _erase_quarantine(conn, match: Match, dry_run: bool) -> int:
    """Delete the quarantined records whose original bytes name the person (decoded leniently: they are there
    because they could not be read)."""
    doomed = [
        quarantine_id
        for quarantine_id, original in conn.execute("select quarantine_id, original from raw.quarantine")
        if any(
            identifier.names(text, match.country_code)
            for text in (bytes(original).decode("utf-8", "replace"), bytes(original).decode("latin-1"))
            for identifier in match.identifiers
        )
    ]
    if doomed and not dry_run:
        conn.execute("delete from raw.quarantine where quarantine_id = any(%s)", (doomed,))
    return len(doomed)


_REQUEST_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")


def queue_request(identifiers: list[str], request_ref: str, settings: Settings | None = None) -> Path:
    """Queue an erasure for the housekeeping DAG: a file named by the request's reference, holding the identifiers
    (mode 0600; deleted once carried out), so that no identifier enters Airflow's database, logs or XCom."""
    settings = settings or get_settings()
    if not _REQUEST_REF.fullmatch(request_ref or ""):
        raise ErasureError("a queued erasure needs --request REF: letters, digits, '.', '_' or '-' (your register's reference)")
    for text in identifiers:
        Identifier.parse(text, settings.phone_country_code)  # refuse now, not in the DAG
    if not identifiers:
        raise ErasureError("name the person: at least one KIND:VALUE identifier (e.g. email:ana@example.com)")
    folder = settings.erasure_requests
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    path = folder / f"{request_ref}.txt"
    if path.exists():
        raise ErasureError(f"request {request_ref} is already queued")
    path.touch(mode=0o600)
    path.write_text("\n".join(identifiers) + "\n", encoding="utf-8")
    return path


def carry_out_queued(settings: Settings | None = None) -> list[Report]:
    """Carry out every queued request, oldest first; each request's file is deleted once its erasure committed.
    A request that cannot be carried out stops the run (its file stays, with the next ones)."""
    settings = settings or get_settings()
    folder = settings.erasure_requests
    if not folder.is_dir():
        return []
    reports = []
    for path in sorted(folder.glob("*.txt"), key=lambda item: (item.stat().st_mtime_ns, item.name)):
        identifiers = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        try:
            reports.append(erase(identifiers, settings, request_ref=path.stem))
        except ErasureError as error:
            raise ErasureError(f"queued request {path.stem}: {error}") from None
        path.unlink()
    return reports


def history(settings: Settings | None = None, limit: int = 20) -> list[dict[str, Any]]:
    """The latest erasures, as logged."""
    with warehouse.connect(settings, duty="eraser") as conn:
        cursor = conn.execute("select * from audit.erasures order by requested_at desc limit %s", (limit,))
        columns = [column.name for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def as_json(report: Report) -> str:
    return json.dumps(
        {
            "erasure_id": report.erasure_id,
            "pseudonyms": report.pseudonyms,
            "raw_rows_deleted": dict(report.raw_rows_deleted),
            "raw_rows_rewritten": dict(report.raw_rows_rewritten),
            "quarantine_deleted": report.quarantine_deleted,
            "overrides_deleted": report.overrides_deleted,
            "files_rewritten": len(report.files_rewritten),
            "files_deleted": len(report.files_deleted),
            "files_naming_person": len(report.files_naming_person),
        }
    )
