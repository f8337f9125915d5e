"""Least privilege that runs the pipeline: each step connects over TCP as the role of its duty, and each role can do
its step and nothing else. Every check here connects as the role itself (no `has_table_privilege` bookkeeping)."""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import errors


def _try(settings, duty: str, statement: str) -> bool:
    """Whether the duty's login may run the statement (in a transaction that is rolled back)."""
    from voc import warehouse

    with warehouse.connect(settings, duty=duty) as conn:
        try:
            conn.execute(statement)
            return True
        except errors.InsufficientPrivilege:
            return False
        finally:
            conn.rollback()


INSERT_CURSOR = "insert into audit.channel_cursors (channel, cursor_value, batch_id) values ('x', 'x', gen_random_uuid())"

INSERT_OVERRIDE = (
    "insert into review.classification_overrides (contact_id, contact_type, reason, overridden_by) "
    "values ('x', 'complaint', 'probe', 'probe')"
)
INSERT_ERASURE = (
    "insert into audit.erasures (erasure_id, key_id, pseudonyms, raw_rows_deleted, raw_rows_rewritten, "
    "quarantine_deleted, overrides_deleted, files_naming_person) values (gen_random_uuid(), 'k', '{}', '{}', '{}', 0, 0, 0)"
)
DUTIES = ("loader", "transformer", "reader", "reviewer", "eraser")

# statement, then the duties (of DUTIES) that may run it
MATRIX = [
    ("select count(*) from raw.phone_calls", "loader transformer eraser"),
    ("select count(*) from raw.quarantine", "loader transformer eraser"),
    ("update raw.phone_calls set payload = payload where record_key = 'x'", "loader eraser"),
    ("delete from raw.phone_calls where record_key = 'x'", "loader eraser"),
    ("delete from raw.quarantine where quarantine_id = -1", "loader eraser"),
    (
        "insert into raw.phone_calls (record_key, payload, source_ref, batch_id) values ('k', '{}', 'r', gen_random_uuid())",
        "loader",
    ),
    (INSERT_CURSOR, "loader"),
    ("select count(*) from audit.landed_files", "loader eraser"),
    ("update audit.landed_files set sha256 = sha256 where channel = 'x'", "loader eraser"),
    ("update audit.landed_files set records = 0 where channel = 'x'", "loader"),
    ("delete from audit.landed_files where channel = 'x'", "loader"),
    ("select count(*) from review.classification_overrides", "transformer reviewer eraser"),
    (INSERT_OVERRIDE, "reviewer"),
    ("update review.classification_overrides set reason = 'changed'", ""),
    # overrides are append-only for people; an erasure removes the erased contacts' ones
    ("delete from review.classification_overrides", "eraser"),
    (INSERT_ERASURE, "eraser"),
    ("select count(*) from audit.erasures", "eraser"),
    ("update audit.erasures set request_ref = 'changed'", ""),
    ("delete from audit.erasures", ""),
    ("select count(*) from staging.stg_phone__calls", "transformer"),
    ("select count(*) from intermediate.int_contacts", "transformer"),
    ("select count(*) from reference.disposition_codes", "transformer"),
    ("select count(*) from marts.fct_contacts", "transformer reader reviewer"),
    ("select count(*) from classifier.models", "transformer reader reviewer"),
    ("select count(*) from restricted.contact_texts", "transformer reviewer"),
    ("select count(*) from restricted.interaction_texts", "transformer reviewer"),
    ("select count(*) from restricted.classification_review", "transformer reviewer"),
    ("create table staging.role_probe (n int)", "transformer"),
    ("create table marts.role_probe (n int)", "transformer"),
    ("create table raw.role_probe (n int)", "loader"),
    ("create temporary table role_probe (n int)", "loader transformer"),
    ("drop table marts.fct_contacts", "transformer"),
]


@pytest.mark.parametrize(("statement", "allowed"), MATRIX, ids=[statement[:60] for statement, _ in MATRIX])
def test_each_duty_can_do_its_step_and_nothing_else(built_warehouse, statement, allowed):
    found = {duty for duty in DUTIES if _try(built_warehouse, duty, statement)}
    assert found == set(allowed.split())


def test_each_duty_connects_as_its_own_role_over_tcp(built_warehouse):
    from voc import warehouse

    for duty, role in warehouse.DUTY_ROLES.items():
        with warehouse.connect(built_warehouse, duty=duty) as conn:
            assert conn.execute("select current_user, inet_server_addr() is not null").fetchone() == (role, True)
            assert not conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone()[0]


def test_what_dbt_built_belongs_to_the_transformer_and_every_mart_is_granted_to_the_reader(built_warehouse):
    """dbt ran as voc_transformer (it owns every relation it built), and `+grants` gave the reader each mart."""
    from voc import warehouse

    with warehouse.connect(built_warehouse) as conn:
        owners = conn.execute(
            """
            select distinct pg_get_userbyid(class.relowner)
            from pg_class as class
            inner join pg_namespace as namespace on namespace.oid = class.relnamespace
            where namespace.nspname in ('reference', 'staging', 'intermediate', 'marts', 'restricted')
                and class.relkind in ('r', 'v')
            """
        ).fetchall()
        marts = [row[0] for row in conn.execute("select tablename from pg_tables where schemaname = 'marts'")]
    assert owners == [("voc_transformer",)]
    assert len(marts) >= 9
    with warehouse.connect(built_warehouse, duty="reader") as conn:
        for mart in marts:
            conn.execute(f"select * from marts.{mart} limit 1")


def test_a_login_with_no_duty_cannot_even_connect(built_warehouse):
    """PUBLIC keeps neither CONNECT nor TEMP on the warehouse's database."""
    from voc import warehouse

    owner = warehouse.connection_info(built_warehouse)
    with warehouse.connect(built_warehouse, autocommit=True) as conn:
        conn.execute("drop role if exists role_probe_nobody")
        conn.execute("create role role_probe_nobody login password 'probe-password'")
    try:
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            psycopg.connect(
                host=owner.host, port=owner.port, dbname=owner.database, user="role_probe_nobody", password="probe-password"
            )
    finally:
        with warehouse.connect(built_warehouse, autocommit=True) as conn:
            conn.execute("drop role role_probe_nobody")


def test_add_reader_gives_a_bi_tool_a_login_to_the_marts_only(built_warehouse, monkeypatch, capsys):
    from voc import warehouse
    from voc.cli import main

    assert main(["warehouse", "add-reader", "bi_probe"]) == 0
    dsn = capsys.readouterr().out.strip().splitlines()[-1]
    assert dsn.startswith("postgresql://bi_probe:") and "@127.0.0.1:" in dsn
    try:
        with psycopg.connect(dsn) as conn:
            assert conn.execute("select count(*) > 0 from marts.kpi_channel_monthly").fetchone() == (True,)
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("select count(*) from raw.email_messages")
            conn.rollback()
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("select count(*) from staging.stg_email__messages")
        # running it again issues a new password: the old DSN stops working
        again = warehouse.add_reader("bi_probe", built_warehouse)
        assert again != dsn
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(dsn)
        with psycopg.connect(again) as conn:
            conn.execute("select 1 from marts.fct_contacts limit 1")
    finally:
        with warehouse.connect(built_warehouse, autocommit=True) as conn:
            conn.execute("drop role bi_probe")


@pytest.mark.parametrize("name", ["voc_loader", "voc", "pg_probe", "Robert'); drop table x;--", ""])
def test_add_reader_refuses_a_name_that_is_not_a_plain_new_login(built_warehouse, name):
    from voc import warehouse

    with pytest.raises(warehouse.WarehouseError, match="cannot be a reader login"):
        warehouse.add_reader(name, built_warehouse)


def test_add_reader_refuses_an_existing_role_that_is_not_a_reader(built_warehouse):
    from voc import warehouse

    with warehouse.connect(built_warehouse, autocommit=True) as conn:
        conn.execute("drop role if exists someone_else")
        conn.execute("create role someone_else login in role voc_loader")
    try:
        with pytest.raises(warehouse.WarehouseError, match="exists and is not a reader login"):
            warehouse.add_reader("someone_else", built_warehouse)
    finally:
        with warehouse.connect(built_warehouse, autocommit=True) as conn:
            conn.execute("drop role someone_else")


def test_landing_runs_as_the_loader_and_a_new_channel_s_table_is_readable_by_dbt(
    landing_database, warehouse, settings, monkeypatch
):
    """With a loader login configured (VOC_LOADER_URL), landing connects as it: a channel added later gets its raw
    table created by the loader, and the transformer can read it."""
    from voc.channels import REGISTRY
    from voc.channels.base import Channel, DropFolder, RawRecord
    from voc.landing import land_channel
    from voc.warehouse import Connection

    own, drop = landing_database
    database = own.warehouse_url.rsplit("/", 1)[1]
    loader = warehouse.connection_info(settings, "loader")
    transformer = warehouse.connection_info(settings, "transformer")
    as_duties = dataclasses.replace(
        own,
        duty_urls=(
            ("loader", Connection(loader.host, loader.port, loader.user, loader.password, database).url),
            ("transformer", Connection(transformer.host, transformer.port, transformer.user, transformer.password, database).url),
        ),
    )

    def read(path, file_ref):
        yield RawRecord("items", path.stem, {"text": path.read_text()}, f"{file_ref}:1")

    monkeypatch.setitem(
        REGISTRY, "plugin", Channel("plugin", "Plug-in", {"items": "plugin_items"}, folder=DropFolder("*.txt", read))
    )
    (drop / "plugin").mkdir()
    (drop / "plugin" / "one.txt").write_text("hello\n")

    assert land_channel("plugin", as_duties).inserted == 1
    with warehouse.connect(as_duties) as conn:
        assert conn.execute(
            "select pg_get_userbyid(relowner) from pg_class where oid = 'raw.plugin_items'::regclass"
        ).fetchone() == ("voc_loader",)
    with warehouse.connect(as_duties, duty="transformer") as conn:
        assert conn.execute("select payload ->> 'text' from raw.plugin_items").fetchone() == ("hello\n",)


@contextmanager
def _withheld(settings, privilege: str, relation: str, role: str):
    """The privilege on the relation revoked from the role alone for the block, then granted back: the step under
    test fails in the block only if it connects as that role."""
    from voc import warehouse

    with warehouse.connect(settings, autocommit=True) as conn:
        conn.execute(f"revoke {privilege} on {relation} from {role}")
    try:
        yield
    finally:
        with warehouse.connect(settings, autocommit=True) as conn:
            conn.execute(f"grant {privilege} on {relation} to {role}")


def test_the_report_reads_as_the_reader(built_warehouse, tmp_path):
    """Withheld from voc_reader alone, one mart's SELECT stops the report: it does not read as the owner."""
    from datetime import UTC, date, datetime

    from voc.reporting.monthly import render_monthly_report

    own = dataclasses.replace(built_warehouse, reports_dir=tmp_path)
    with _withheld(built_warehouse, "select", "marts.kpi_channel_monthly", "voc_reader"):
        with pytest.raises(errors.InsufficientPrivilege, match="kpi_channel_monthly"):
            render_monthly_report(
                own, month=date(2026, 10, 1), gate={"success": True}, run_id="roles", generated_at=datetime.now(UTC)
            )
    assert not list(tmp_path.rglob("*.html"))


def test_landing_writes_as_the_loader(built_warehouse, tmp_path):
    """Withheld from voc_loader alone, the cursor table's INSERT stops a live stream's landing."""
    from voc import landing, warehouse
    from voc.channels.live import Fetched, LiveStream

    def fetch(cursor, settings):
        export = b"call_id,caller_number,queue,agent_id,started_at,answered_at,ended_at,wait_seconds,talk_seconds,abandoned,disposition_code,callback_requested,language\n"
        export += b"ROLES-1,+34 600 000 000,ventas,,2026-11-20T10:00:00+01:00,,2026-11-20T10:01:00+01:00,60,0,true,,false,es\n"
        return Fetched(export, "calls_2099-01-01.csv", "after-one")

    probe = LiveStream("phone.probe", "phone", "a probe", fetch)
    own = dataclasses.replace(built_warehouse, sample_dir=tmp_path)  # the answer is kept here, not in the sample
    with _withheld(built_warehouse, "insert", "audit.channel_cursors", "voc_loader"):
        with pytest.raises(errors.InsufficientPrivilege, match="channel_cursors"):
            landing.land_stream(probe, own)
    with warehouse.connect(built_warehouse) as conn:  # the page and its cursor are one transaction: nothing landed
        assert conn.execute("select count(*) from raw.phone_calls where record_key = 'ROLES-1'").fetchone() == (0,)


def test_a_new_classifier_artefact_keeps_its_readers(built_warehouse):
    """Installing an artefact replaces the classifier tables; dbt and the report must still read them."""
    from voc import warehouse
    from voc.classifier import model as classifier_model

    with warehouse.connect(built_warehouse) as conn:
        conn.execute("update classifier.models set artefact_sha256 = 'an earlier artefact'")
        assert classifier_model.install(conn) is True
        conn.commit()
    for duty in ("transformer", "reader"):
        assert _try(
            built_warehouse, duty, "select count(*) from classifier.models join classifier.weight_vectors using (model_name)"
        )


def test_an_override_is_recorded_as_the_reviewer(built_warehouse):
    """Withheld from voc_reviewer alone, INSERT on the overrides stops `voc override`: it does not write as the owner."""
    from voc import review, warehouse

    with warehouse.connect(built_warehouse) as conn:
        contact_id = conn.execute("select contact_id from marts.fct_contacts limit 1").fetchone()[0]
    with _withheld(built_warehouse, "insert", "review.classification_overrides", "voc_reviewer"):
        with pytest.raises(errors.InsufficientPrivilege, match="classification_overrides"):
            review.record(built_warehouse, contact_id, "praise", by="probe", reason="roles probe")


def test_a_configured_warehouse_creates_each_duty_s_login_from_its_airflow_connection(landing_database, monkeypatch):
    """`voc setup` against a configured warehouse creates the logins its duty connections name
    (AIRFLOW_CONN_VOC_WAREHOUSE_<DUTY>) in their roles, gives them the configured password (rotation), and refuses
    a login that exists outside its duty's role."""
    import secrets

    from voc import warehouse
    from voc.settings import get_settings
    from voc.warehouse import Connection

    own, _ = landing_database
    owner = Connection.from_url(own.warehouse_url)
    suffix = secrets.token_hex(3)
    logins = {
        duty: Connection(owner.host, owner.port, f"probe_{duty}_{suffix}", secrets.token_urlsafe(12), owner.database)
        for duty in ("loader", "transformer", "reader", "eraser")
    }
    for duty, login in logins.items():
        monkeypatch.setenv(f"AIRFLOW_CONN_VOC_WAREHOUSE_{duty.upper()}", login.url)
    monkeypatch.setenv("VOC_WAREHOUSE_URL", own.warehouse_url)
    configured = dataclasses.replace(own, duty_urls=get_settings().duty_urls)
    assert dict(configured.duty_urls) == {duty: login.url for duty, login in logins.items()}
    outsider = f"probe_outsider_{suffix}"
    try:
        warehouse.bootstrap(configured)
        for duty, login in logins.items():
            with psycopg.connect(login.url) as conn:
                assert conn.execute(
                    "select current_user, pg_has_role(current_user, %s, 'member'), rolsuper "
                    "from pg_roles where rolname = current_user",
                    (warehouse.DUTY_ROLES[duty],),
                ).fetchone() == (login.user, True, False)
            with warehouse.connect(configured, duty=duty) as conn:
                assert conn.execute("select current_user").fetchone() == (warehouse.DUTY_ROLES[duty],)
        assert _try(configured, "loader", INSERT_CURSOR)
        assert not _try(configured, "reader", "select count(*) from raw.phone_calls")
        assert not _try(configured, "transformer", INSERT_CURSOR)

        # rotation: the connection's new password is the login's after the next set-up; the old one stops working
        rotated = dataclasses.replace(logins["loader"], password=secrets.token_urlsafe(12))
        monkeypatch.setenv("AIRFLOW_CONN_VOC_WAREHOUSE_LOADER", rotated.url)
        warehouse.bootstrap(dataclasses.replace(own, duty_urls=get_settings().duty_urls))
        with psycopg.connect(rotated.url) as conn:
            assert conn.execute("select current_user").fetchone() == (rotated.user,)
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(logins["loader"].url)

        # a login that exists outside the duty's role is named, not silently granted the role
        with warehouse.connect(configured, autocommit=True) as conn:
            conn.execute(f"create role {outsider} login password 'x-{suffix}'")
        monkeypatch.setenv("AIRFLOW_CONN_VOC_WAREHOUSE_READER", dataclasses.replace(logins["reader"], user=outsider).url)
        with pytest.raises(warehouse.WarehouseError, match=f"{outsider}.*not a member of voc_reader"):
            warehouse.bootstrap(dataclasses.replace(own, duty_urls=get_settings().duty_urls))
    finally:
        with warehouse.connect(own, autocommit=True) as conn:
            for name in [login.user for login in logins.values()] + [outsider]:
                if conn.execute("select 1 from pg_roles where rolname = %s", (name,)).fetchone():
                    conn.execute(f"drop owned by {name} cascade")
                    conn.execute(f"drop role {name}")
