"""The warehouse: a configured PostgreSQL, or an embedded one started from the `pgserver` wheel's binaries.

With no `VOC_WAREHOUSE_URL` (or `AIRFLOW_CONN_VOC_WAREHOUSE`), `ensure_running()` starts a PostgreSQL 16 server whose
data lives in `$VOC_HOME/warehouse/pgdata`, listening on 127.0.0.1 on a port chosen once and kept in
`$VOC_HOME/warehouse/connection.json` (mode 0600, it holds the generated password), so psql, dbt, GX, Airflow and BI
tools connect over TCP the way they would to any server. The server is reused across runs until `stop()`.

`bootstrap()` creates the schemas and the roles the platform uses (idempotent). Each pipeline step connects with the
role of its duty (``DUTY_ROLES``): landing as ``voc_loader`` (raw and audit), dbt and the data-quality gate as
``voc_transformer`` (reads raw, builds reference to marts), the report as ``voc_reader`` (marts and the classifier's
identity only), ``voc override`` as ``voc_reviewer`` (reads the marts, appends overrides), ``voc erase`` as
``voc_eraser`` (deletes a person's raw records, logs the erasure). The owner (``voc``) only
sets the warehouse up. In the embedded warehouse the duty roles log in with passwords generated once and kept in
``duties.json`` beside the connection file; with a configured warehouse, ``VOC_<DUTY>_URL`` (``VOC_LOADER_URL``,
``VOC_TRANSFORMER_URL``, ``VOC_READER_URL``, ``VOC_REVIEWER_URL``, ``VOC_ERASER_URL``) names each duty's login (a member of its role), and
a duty without one connects as the configured owner. ``add_login`` creates a BI tool's login (reader) or a quality
staff member's (reviewer: also reads schema ``restricted``, customers' own words).
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import logging
import os
import re
import secrets
import socket
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import psycopg
from psycopg import sql

from voc.settings import DUTIES, Settings, get_settings

log = logging.getLogger(__name__)

SCHEMAS = {
    "raw": "payloads exactly as the sources gave them, plus the quarantine",
    "audit": "landing batches and channel cursors",
    "review": "decisions of people (classification overrides): kept across rebuilds and replays",
    "classifier": "the installed classifier artefact (models and weights), read by dbt as a source",
    "reference": "dbt seeds: disposition codes, channels and SLAs",
    "staging": "dbt staging models: one per channel entity",
    "intermediate": "dbt intermediate models: interactions, contacts, responses, classification",
    "marts": "facts, dimensions and KPI marts read by reports and BI tools (no personal data: customers by pseudonym)",
    "restricted": "customers' own words (contact and message texts) for quality staff (voc_reviewer), not BI tools",
}

# The duties of the pipeline's steps and the role each connects as.
DUTY_ROLES = {duty: f"voc_{duty}" for duty in DUTIES}
# Where the transformer builds (it owns every relation there; dbt grants the reader each mart).
DBT_SCHEMAS = ("reference", "staging", "intermediate", "marts", "restricted")

ROLES_SQL = """
do $$
begin
    if not exists (select from pg_roles where rolname = 'voc_loader') then create role voc_loader nologin; end if;
    if not exists (select from pg_roles where rolname = 'voc_transformer') then create role voc_transformer nologin; end if;
    if not exists (select from pg_roles where rolname = 'voc_reader') then create role voc_reader nologin; end if;
    if not exists (select from pg_roles where rolname = 'voc_reviewer') then create role voc_reviewer nologin; end if;
    if not exists (select from pg_roles where rolname = 'voc_eraser') then create role voc_eraser nologin; end if;
end
$$;
revoke all on database {database} from public;
revoke all on schema public from public;
grant connect on database {database} to voc_loader, voc_transformer, voc_reader, voc_reviewer, voc_eraser;
grant temporary on database {database} to voc_loader, voc_transformer;

grant usage, create on schema raw, audit to voc_loader;
grant select, insert, update, delete on all tables in schema raw, audit to voc_loader;
grant usage, select on all sequences in schema raw, audit to voc_loader;
alter default privileges in schema raw, audit grant select, insert, update, delete on tables to voc_loader;

grant usage on schema raw to voc_transformer;
grant select on all tables in schema raw to voc_transformer;
alter default privileges in schema raw grant select on tables to voc_transformer;
alter default privileges for role voc_loader in schema raw grant select on tables to voc_transformer;
grant usage, create on schema reference, staging, intermediate, marts, restricted to voc_transformer;
grant usage on schema review, classifier to voc_transformer;
grant select on all tables in schema review, classifier to voc_transformer;
-- a new classifier artefact replaces the classifier tables (voc.classifier.model.install): they keep their readers
alter default privileges in schema classifier grant select on tables to voc_transformer, voc_reader;

grant usage on schema classifier, marts to voc_reader;
grant select on all tables in schema classifier to voc_reader;
revoke select on all tables in schema raw, audit, review, staging, intermediate, reference, restricted from voc_reader;
-- customers' words left the marts for schema restricted: a warehouse built before keeps no copy BI tools can read
drop table if exists marts.classification_review;
alter default privileges in schema marts revoke select on tables from voc_reader;

-- people's decisions: a reviewer reads the marts and appends overrides, and can neither change nor delete one
grant voc_reader to voc_reviewer;
grant usage on schema review, restricted to voc_reviewer;
grant select, insert on review.classification_overrides to voc_reviewer;

-- erasure (voc.erasure): deletes or rewrites a person's raw records, quarantine and overrides, and logs it by
-- pseudonym; it cannot insert raw records, and nobody may change the erasure log
grant usage on schema raw, audit, review to voc_eraser;
grant select, update, delete on all tables in schema raw to voc_eraser;
alter default privileges in schema raw grant select, update, delete on tables to voc_eraser;
alter default privileges for role voc_loader in schema raw grant select, update, delete on tables to voc_eraser;
grant select, delete on review.classification_overrides to voc_eraser;
-- a drop-folder file cut without the person is recorded as landed with its new content (voc.erasure_files)
grant select, update (size_bytes, mtime_ns, sha256) on audit.landed_files to voc_eraser;
revoke all on audit.erasures, audit.retention_runs from voc_loader;
grant select, insert on audit.erasures, audit.retention_runs to voc_eraser;

do $$
declare
    relation record;
begin
    -- what dbt built as the owner (before the duties) becomes the transformer's, so that dbt can replace it
    for relation in
        select namespace.nspname, class.relname, class.relkind
        from pg_class as class
        inner join pg_namespace as namespace on namespace.oid = class.relnamespace
        where namespace.nspname in ('reference', 'staging', 'intermediate', 'marts', 'restricted')
            and class.relkind in ('r', 'p', 'v', 'm')
            and pg_get_userbyid(class.relowner) <> 'voc_transformer'
    loop
        execute format(
            'alter %s %I.%I owner to voc_transformer',
            case relation.relkind when 'v' then 'view' when 'm' then 'materialized view' else 'table' end,
            relation.nspname,
            relation.relname
        );
    end loop;
end
$$;
"""

# People's decisions: never written by a pipeline step, read by dbt as a source. Append-only: the latest row for a
# contact wins, and a row without a type reverts the contact to the automatic classification.
REVIEW_SQL = """
create table if not exists review.classification_overrides (
    override_id bigint generated always as identity primary key,
    contact_id text not null,
    contact_type text check (contact_type in ('complaint', 'praise', 'suggestion', 'inquiry', 'other')),
    reason text not null check (btrim(reason) <> ''),
    overridden_by text not null check (btrim(overridden_by) <> ''),
    overridden_at timestamptz not null default now()
);
create index if not exists classification_overrides_contact on review.classification_overrides (contact_id, overridden_at);
comment on table review.classification_overrides is
    'A quality manager''s decision on a contact''s type, with who, when and why; the latest row per contact wins over '
    'the agent''s disposition and the classifier; a row with no type reverts to them.';
"""


class WarehouseError(RuntimeError):
    """The warehouse could not be started or reached; the message says what to do."""


@dataclass(frozen=True)
class Connection:
    host: str
    port: int
    user: str
    password: str
    database: str

    @property
    def url(self) -> str:
        return f"postgresql://{quote(self.user)}:{quote(self.password, safe='')}@{self.host}:{self.port}/{self.database}"

    @classmethod
    def from_url(cls, url: str) -> Connection:
        parts = urlsplit(url)
        if parts.scheme.split("+")[0] not in ("postgresql", "postgres"):
            raise WarehouseError(f"the warehouse URL must start with postgresql:// (got scheme {parts.scheme!r})")
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 5432,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            database=(parts.path or "/").lstrip("/") or "postgres",
        )


def _bin_dir() -> Path:
    spec = importlib.util.find_spec("pgserver")
    if spec is None or spec.origin is None:
        raise WarehouseError("the pgserver package is not installed: run `uv sync` (or set VOC_WAREHOUSE_URL)")
    return Path(spec.origin).parent / "pginstall" / "bin"


def _connection_file(settings: Settings) -> Path:
    return settings.warehouse_dir / "connection.json"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def is_embedded(settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    return settings.warehouse_url is None


def connection_info(settings: Settings | None = None, duty: str | None = None) -> Connection:
    """How to reach the warehouse as the owner, or as the login of a duty (``DUTY_ROLES``); the embedded one must
    have been initialised (see `ensure_running`)."""
    settings = settings or get_settings()
    if duty is not None and duty not in DUTY_ROLES:
        raise ValueError(f"unknown duty {duty!r}: one of {', '.join(DUTY_ROLES)}")
    if settings.warehouse_url:
        return Connection.from_url(dict(settings.duty_urls).get(duty or "") or settings.warehouse_url)
    path = _connection_file(settings)
    if not path.exists():
        raise WarehouseError(f"the embedded warehouse is not initialised ({path} is missing): run `voc warehouse start`")
    owner = Connection(**json.loads(path.read_text()))
    if duty is None:
        return owner
    password = _duty_passwords(settings).get(duty)
    if password is None:
        raise WarehouseError(f"the embedded warehouse has no {duty} login yet: run `voc warehouse start`")
    return Connection(owner.host, owner.port, DUTY_ROLES[duty], password, owner.database)


def session_role(settings: Settings | None = None, duty: str | None = None) -> str | None:
    """The role a duty's session acts as (``SET ROLE``), so that what it creates belongs to the duty, whichever
    login it used; None where the duty has no login of its own and connects as the owner."""
    settings = settings or get_settings()
    if duty is None or (settings.warehouse_url and duty not in dict(settings.duty_urls)):
        return None
    return DUTY_ROLES[duty]


def _duties_file(settings: Settings) -> Path:
    return settings.warehouse_dir / "duties.json"


def _duty_passwords(settings: Settings) -> dict[str, str]:
    path = _duties_file(settings)
    return json.loads(path.read_text()) if path.exists() else {}


def url(settings: Settings | None = None, duty: str | None = None) -> str:
    """A libpq DSN (postgresql://...) that psql and BI tools can use over TCP."""
    return connection_info(settings, duty).url


def sqlalchemy_url(settings: Settings | None = None, duty: str | None = None) -> str:
    """The same DSN with the driver named (SQLAlchemy 2.1 would otherwise pick psycopg 3) and the duty's role."""
    dsn = url(settings, duty).replace("postgresql://", "postgresql+psycopg2://", 1)
    role = session_role(settings, duty)
    return f"{dsn}?options={quote(f'-c role={role}')}" if role else dsn


def libpq_env(settings: Settings | None = None, duty: str | None = None) -> dict[str, str]:
    """Environment variables for dbt's profile (VOC_PG_*, with the duty's role in VOC_PG_ROLE) and for psql (PG*).
    (No PGOPTIONS: libpq would apply it to every connection of the process, the owner's too.)"""
    info = connection_info(settings, duty)
    role = session_role(settings, duty)
    env = {
        "VOC_PG_HOST": info.host,
        "VOC_PG_PORT": str(info.port),
        "VOC_PG_USER": info.user,
        "VOC_PG_PASSWORD": info.password,
        "VOC_PG_DATABASE": info.database,
        "VOC_PG_ROLE": role or "",
    }
    env |= {
        "PGHOST": info.host,
        "PGPORT": str(info.port),
        "PGUSER": info.user,
        "PGPASSWORD": info.password,
        "PGDATABASE": info.database,
    }
    return env


def connect(settings: Settings | None = None, duty: str | None = None, **kwargs) -> psycopg.Connection:
    """A psycopg 3 connection to the warehouse, as the owner or as the login of a duty (``DUTY_ROLES``)."""
    info = connection_info(settings, duty)
    role = session_role(settings, duty)
    if role:
        kwargs.setdefault("options", f"-c role={role}")
    try:
        return psycopg.connect(
            host=info.host, port=info.port, user=info.user, password=info.password, dbname=info.database, **kwargs
        )
    except psycopg.OperationalError as exc:
        hint = "run `voc warehouse start`" if is_embedded(settings) else "check VOC_WAREHOUSE_URL and VOC_<DUTY>_URL"
        as_whom = f" as {info.user}" if duty else ""
        raise WarehouseError(
            f"cannot connect to the warehouse at {info.host}:{info.port}/{info.database}{as_whom}: {exc}; {hint}"
        ) from exc


_LOGIN_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


# People's logins: a BI tool reads the marts (voc_reader); quality staff also read customers' words (voc_reviewer).
LOGIN_DUTIES = ("reader", "reviewer")


def add_login(name: str, settings: Settings | None = None, duty: str = "reader") -> str:
    """Create a person's or a BI tool's login in a duty's role (``LOGIN_DUTIES``), or give an existing one a new
    password; return its DSN (shown once: the password is kept nowhere)."""
    settings = settings or get_settings()
    if duty not in LOGIN_DUTIES:
        raise WarehouseError(f"a login is a reader or a reviewer, not a {duty}")
    role = DUTY_ROLES[duty]
    owner = connection_info(settings)
    if not _LOGIN_NAME.fullmatch(name) or name.startswith("pg_") or name in {owner.user, "public", *DUTY_ROLES.values()}:
        raise WarehouseError(
            f"{name!r} cannot be a {duty} login: use lowercase letters, digits and _ (at most 63), "
            "not the owner's, a duty role's or a reserved name"
        )
    password = secrets.token_urlsafe(18)
    with connect(settings, autocommit=True) as conn:
        found = conn.execute(
            "select pg_has_role(oid, %s, 'member') and not rolsuper, pg_has_role(oid, 'voc_reviewer', 'member') "
            "from pg_roles where rolname = %s",
            (role, name),
        ).fetchone()
        if found is None:
            statement = sql.SQL("create role {} login password {} in role {}")
        elif found[0] and (duty == "reviewer" or not found[1]):
            statement = sql.SQL("alter role {} login password {}")
        else:
            raise WarehouseError(f"a role {name!r} exists and is not a {duty} login: choose another name")
        conn.execute(statement.format(sql.Identifier(name), sql.Literal(password), sql.Identifier(role)))
    return Connection(owner.host, owner.port, name, password, owner.database).url


def add_reader(name: str, settings: Settings | None = None) -> str:
    """A BI tool's login: the marts only (see ``add_login``)."""
    return add_login(name, settings, "reader")


@contextmanager
def _lock(settings: Settings) -> Iterator[None]:
    settings.warehouse_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.warehouse_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# PostgreSQL refuses to run as root: as root, the server runs as this unprivileged system user (pgserver's own choice).
_SYSTEM_USER = "pgserver"


def _server_user() -> str | None:
    return _SYSTEM_USER if os.geteuid() == 0 else None


def _prepare_for_system_user(pgdata: Path) -> None:
    """As root: create the system user and let it reach the binaries and own the data folder."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # importing pgserver warns about XDG_RUNTIME_DIR, which we do not use
        from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

    entry = ensure_user_exists(_SYSTEM_USER)
    bin_dir = _bin_dir()
    ensure_prefix_permissions(pgdata)
    ensure_prefix_permissions(bin_dir)
    ensure_folder_permissions(bin_dir, stat.S_IRGRP | stat.S_IROTH | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(bin_dir.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
    os.chown(pgdata, entry.pw_uid, entry.pw_gid)
    os.chown(pgdata.parent, entry.pw_uid, entry.pw_gid)


def _run(args: list[str], what: str) -> str:
    # Output goes to files, not pipes: a server started by pg_ctl keeps inherited pipes open and would hang the read.
    with tempfile.TemporaryFile("w+") as out:
        result = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, text=True, user=_server_user(), timeout=120)
        out.seek(0)
        output = out.read().strip()
    if result.returncode != 0:
        raise WarehouseError(f"{what} failed ({Path(args[0]).name} exited {result.returncode}): {output}")
    return output


def _pg_is_running(pgdata: Path) -> bool:
    if not (pgdata / "postmaster.pid").exists():
        return False
    status = subprocess.run([str(_bin_dir() / "pg_ctl"), "status", "-D", str(pgdata)], capture_output=True, user=_server_user())
    return status.returncode == 0


def _initdb(settings: Settings) -> Connection:
    pgdata = settings.warehouse_dir / "pgdata"
    info = Connection(host="127.0.0.1", port=_free_port(), user="voc", password=secrets.token_urlsafe(18), database="voc")
    pgdata.mkdir(parents=True, exist_ok=True)
    pgdata.chmod(0o700)
    if _server_user():
        _prepare_for_system_user(pgdata)
    pwfile = pgdata.parent / ".pwfile"
    pwfile.write_text(info.password)
    pwfile.chmod(0o600)
    if _server_user():
        import pwd

        entry = pwd.getpwnam(_SYSTEM_USER)
        os.chown(pwfile, entry.pw_uid, entry.pw_gid)
    try:
        log.info("initialising the embedded warehouse in %s", pgdata)
        _run(
            [
                str(_bin_dir() / "initdb"),
                "-D",
                str(pgdata),
                "-U",
                info.user,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            "initdb",
        )
    finally:
        pwfile.unlink(missing_ok=True)
    with open(pgdata / "postgresql.conf", "a") as conf:
        conf.write(
            f"\n# embedded VoC warehouse\nlisten_addresses = '127.0.0.1'\nport = {info.port}\nunix_socket_directories = ''\n"
            "max_connections = 50\nshared_buffers = 256MB\nfsync = on\ntimezone = 'UTC'\n"
        )
    path = _connection_file(settings)
    path.write_text(json.dumps(info.__dict__, indent=2))
    path.chmod(0o600)
    return info


def ensure_running(settings: Settings | None = None) -> str:
    """Start the embedded warehouse if needed (idempotent, safe from parallel tasks), bootstrap it, return its DSN.

    With a configured warehouse only checks that it answers and bootstraps it.
    """
    settings = settings or get_settings()
    if is_embedded(settings):
        with _lock(settings):
            pgdata = settings.warehouse_dir / "pgdata"
            fresh = not (pgdata / "PG_VERSION").exists()
            info = _initdb(settings) if fresh else connection_info(settings)
            if not _pg_is_running(pgdata):
                log.info("starting the embedded warehouse on %s:%s", info.host, info.port)
                _run(
                    [
                        str(_bin_dir() / "pg_ctl"),
                        "start",
                        "-w",
                        "-t",
                        "60",
                        "-D",
                        str(pgdata),
                        "-l",
                        str(settings.warehouse_dir / "postgres.log"),
                    ],
                    f"starting PostgreSQL (see {settings.warehouse_dir / 'postgres.log'})",
                )
            if fresh:
                with psycopg.connect(
                    host=info.host, port=info.port, user=info.user, password=info.password, dbname="postgres", autocommit=True
                ) as conn:
                    conn.execute(f'create database "{info.database}" owner "{info.user}"')
            bootstrap(settings)
    else:
        bootstrap(settings)
    return url(settings)


def stop(settings: Settings | None = None) -> bool:
    """Stop the embedded warehouse; returns False when it was not running."""
    settings = settings or get_settings()
    if not is_embedded(settings):
        raise WarehouseError("the warehouse is configured (VOC_WAREHOUSE_URL), not embedded: stop it where it runs")
    pgdata = settings.warehouse_dir / "pgdata"
    with _lock(settings):
        if not _pg_is_running(pgdata):
            return False
        _run([str(_bin_dir() / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(pgdata)], "stopping PostgreSQL")
        return True


def status(settings: Settings | None = None) -> str:
    settings = settings or get_settings()
    if not is_embedded(settings):
        return "configured"
    pgdata = settings.warehouse_dir / "pgdata"
    if not (pgdata / "PG_VERSION").exists():
        return "not initialised"
    return "running" if _pg_is_running(pgdata) else "stopped"


def bootstrap(settings: Settings | None = None) -> None:
    """Create the schemas, every channel's raw table and the audit tables, the review table, the installed classifier
    and the group roles (idempotent; serialised so parallel tasks do not collide). The raw tables exist before any
    landing, so a first build on a channel that has delivered nothing yet reads an empty table, not a missing one."""
    from voc import erasure, retention
    from voc.classifier import model as classifier_model
    from voc.landing import ensure_tables

    with connect(settings) as conn:
        conn.execute("select pg_advisory_xact_lock(hashtext('voc.bootstrap'))")
        for schema, comment in SCHEMAS.items():
            conn.execute(f"create schema if not exists {schema}")
            conn.execute(sql.SQL("comment on schema {} is {}").format(sql.Identifier(schema), sql.Literal(comment)))
        ensure_tables(conn)
        conn.execute(REVIEW_SQL)
        conn.execute(erasure.ERASURES_DDL)
        conn.execute(retention.RETENTION_DDL)
        classifier_model.install(conn)
        database = conn.execute("select current_database()").fetchone()[0]
        conn.execute(ROLES_SQL.replace("{database}", sql.Identifier(database).as_string(conn)))
        if is_embedded(settings):
            _duty_logins(conn, settings or get_settings())
        else:
            _configured_logins(conn, settings or get_settings())


def _configured_logins(conn: psycopg.Connection, settings: Settings) -> None:
    """A configured warehouse's duty logins, as their URLs name them (``VOC_<DUTY>_URL`` or the Airflow connection
    ``voc_warehouse_<duty>``): a missing login is created in its duty's role, an existing one gets the configured
    password, so the credentials live in one place (the deployment's connections). A duty whose login is the owner
    is left alone; an existing login outside its duty's role is refused, not silently granted."""
    owner = Connection.from_url(settings.warehouse_url or "")
    for duty, login_url in settings.duty_urls:
        login, role = Connection.from_url(login_url), DUTY_ROLES[duty]
        if login.user == owner.user:
            continue
        if not _LOGIN_NAME.fullmatch(login.user) or login.user.startswith("pg_"):
            raise WarehouseError(f"the {duty} login {login.user!r} is not a valid login name (lowercase letters, digits, _)")
        found = conn.execute(
            "select rolsuper, pg_has_role(oid, %s, 'member') from pg_roles where rolname = %s", (role, login.user)
        ).fetchone()
        if found is None:
            if not login.password:
                raise WarehouseError(
                    f"the {duty} login {login.user!r} does not exist and its URL has no password to create it with"
                )
            statement = sql.SQL("create role {} login password {} in role {}")
            conn.execute(statement.format(sql.Identifier(login.user), sql.Literal(login.password), sql.Identifier(role)))
            log.info("created the %s login %s (role %s)", duty, login.user, role)
            continue
        superuser, member = found
        if superuser or not (member or login.user == role):
            raise WarehouseError(
                f"the {duty} login {login.user!r} exists and is "
                + ("a superuser" if superuser else f"not a member of {role}")
                + f": name another login in VOC_{duty.upper()}_URL, or `grant {role} to {login.user}`"
            )
        if login.password:
            conn.execute(
                sql.SQL("alter role {} login password {}").format(sql.Identifier(login.user), sql.Literal(login.password))
            )


def _duty_logins(conn: psycopg.Connection, settings: Settings) -> None:
    """The embedded warehouse's duty roles log in themselves, with passwords generated once (kept beside the
    owner's, mode 0600)."""
    passwords = _duty_passwords(settings)
    missing = {duty: secrets.token_urlsafe(18) for duty in DUTY_ROLES if duty not in passwords}
    if missing:
        path = _duties_file(settings)
        path.touch(mode=0o600)
        path.write_text(json.dumps(passwords | missing, indent=2))
        path.chmod(0o600)
    for duty, password in (passwords | missing).items():
        conn.execute(sql.SQL("alter role {} login password {}").format(sql.Identifier(DUTY_ROLES[duty]), sql.Literal(password)))
