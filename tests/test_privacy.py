"""Personal data: customers are pseudonymised with an HMAC whose secret stays outside the warehouse, BI tools' role
reads no phone number, address, handle or name anywhere, and customers' own words are for quality staff only.

Expected pseudonyms come from Python's hmac module over identifiers normalised by hand (or by the sample's own
format), never from the dbt macro or `voc.privacy` under test. The personal values searched for are the sample
generator's people (its population and agents), not what the pipeline extracted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import random
import re
from email.utils import parseaddr

import pytest

# (kind, identifier as a source may give it, its normal form written out by hand)
CASES = [
    ("phone", "+34 612 345 678", "+34612345678"),
    ("phone", "0034-612-345-678", "+34612345678"),
    ("phone", "612 345 678", "+34612345678"),
    ("phone", "0612 345 678", "+34612345678"),
    ("phone", "+44 (20) 7946 0958", "+442079460958"),
    ("phone", "n/a", None),
    ("email", "  Ana.Ruiz@Example.COM ", "ana.ruiz@example.com"),
    ("email", "", None),
    ("web", "  Ana \t  RUIZ ", "ana ruiz"),
    ("twitter", "1500000000000000001", "1500000000000000001"),
    ("facebook", " 104000000000777 ", "104000000000777"),
    ("chat", "v_1001", "v_1001"),
]


def _hmac(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def test_the_warehouse_pseudonymises_as_rfc_2104_hmac_sha_256_of_the_normalised_identifier(built_warehouse):
    from voc import privacy
    from voc.transform import run_dbt

    secret = privacy.pseudonym_secret(built_warehouse)
    columns = ", ".join(
        f"{{{{ pseudonym('{kind}', \"'{value}'\") }}}} as c{number}" for number, (kind, value, _) in enumerate(CASES)
    )
    out = run_dbt(
        ["show", "--inline", f"select {columns}", "--output", "json", "--log-format", "json"], built_warehouse, quiet=True
    )
    shown = next(json.loads(line)["data"]["preview"] for line in out.splitlines() if '"ShowNode"' in line)
    (row,) = json.loads(shown)
    for number, (kind, value, normal) in enumerate(CASES):
        expected = _hmac(secret, f"{kind}:{normal}") if normal else None
        assert row[f"c{number}"] == expected, (kind, value)
        # the erasure log's Python mirror gives the same pseudonym
        assert privacy.pseudonym(kind, value, secret) == expected, (kind, value)


def test_each_contact_s_key_is_the_pseudonym_of_the_identifier_its_source_gave(built_warehouse):
    from voc import privacy, warehouse

    secret = privacy.pseudonym_secret(built_warehouse)
    with warehouse.connect(built_warehouse) as conn:
        calls = conn.execute(
            """
            select contacts.customer_key, raw.payload ->> 'caller_number'
            from marts.fct_contacts as contacts
            inner join raw.phone_calls as raw on raw.record_key = contacts.source_record_key
            where contacts.channel = 'phone'
            """
        ).fetchall()
        mails = conn.execute(
            """
            select contacts.customer_key, raw.payload -> 'headers' ->> 'From'
            from marts.fct_contacts as contacts
            inner join raw.email_messages as raw on raw.record_key = contacts.source_record_key
            where contacts.channel = 'email'
            """
        ).fetchall()
    assert len(calls) > 100 and len(mails) > 100
    # the sample writes mobiles as "+34 6xx xxx xxx": without the spaces, that is E.164
    assert all(key == _hmac(secret, "phone:" + number.replace(" ", "")) for key, number in calls if number)
    assert all(key == _hmac(secret, "email:" + parseaddr(sender)[1].lower()) for key, sender in mails)
    # one person, one key: a caller who called several times is one customer_key
    by_number: dict[str, set[str]] = {}
    for key, number in calls:
        by_number.setdefault(number, set()).add(key)
    assert any(len([k for k, n in calls if n == number]) > 1 for number in by_number)
    assert all(len(keys) == 1 for keys in by_number.values())


class PersonalData:
    """Finds the sample's people in text: their e-mail addresses, phone numbers (any spacing, with or without +34),
    X handles and full names (customers' and agents')."""

    PHONE_LIKE = re.compile(r"\+?\d[\d ().-]{7,}\d")
    EMAIL_LIKE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
    WORD = re.compile(r"\w+")

    def __init__(self, seed: int) -> None:
        from voc.sample.people import CASE_AGENTS, CHAT_AGENTS, PHONE_AGENTS, Population

        population = Population(random.Random(f"{seed}/people"))
        people = [person for group in population.customers.values() for person in group]
        self.emails = {person.email.lower() for person in people}
        self.phones = {re.sub(r"\D", "", person.phone) for person in people}
        self.phones |= {phone.removeprefix("34") for phone in self.phones}
        self.handles = {person.handle.lower() for person in people}
        names = [person.name for person in people] + [agent.name for agent in PHONE_AGENTS + CHAT_AGENTS + CASE_AGENTS]
        self.names = {" ".join(self.WORD.findall(name.lower())) for name in names}

    def found_in(self, value: str) -> set[str]:
        """The kinds of personal data in a value."""
        kinds = set()
        if any(match.lower() in self.emails for match in self.EMAIL_LIKE.findall(value)):
            kinds.add("email")
        if any(re.sub(r"\D", "", match) in self.phones for match in self.PHONE_LIKE.findall(value)):
            kinds.add("phone")
        words = self.WORD.findall(value.lower())
        if any(word in self.handles for word in words):
            kinds.add("handle")
        if any(f"{first} {last}" in self.names for first, last in zip(words, words[1:], strict=False)):
            kinds.add("name")
        return kinds


def _scan(conn, relations, scanner: PersonalData) -> dict[str, set[str]]:
    """relation -> the kinds of personal data found in any of its columns."""
    found: dict[str, set[str]] = {}
    for schema, name in relations:
        kinds: set[str] = set()
        for row in conn.execute(f'select * from "{schema}"."{name}"'):
            for value in row:
                if isinstance(value, (str, int, dict, list)) and not isinstance(value, bool):
                    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    kinds |= scanner.found_in(text)
        if kinds:
            found[f"{schema}.{name}"] = kinds
    return found


def _readable_relations(conn) -> list[tuple[str, str]]:
    """Every table and view the session's role may select from, outside the system catalogs."""
    return conn.execute(
        """
        select table_schema, table_name
        from information_schema.tables
        where table_schema not in ('pg_catalog', 'information_schema')
            and has_table_privilege(quote_ident(table_schema) || '.' || quote_ident(table_name), 'select')
        order by 1, 2
        """
    ).fetchall()


@pytest.fixture(scope="module")
def personal_data(ground_truth):
    return PersonalData(ground_truth["seed"])


def test_the_scan_finds_personal_data_where_it_is(built_warehouse, personal_data):
    """The scanner's own check: the transformer's staging views hold every kind of identifier it looks for."""
    from voc import warehouse

    with warehouse.connect(built_warehouse, duty="transformer") as conn:
        found = _scan(
            conn,
            [("staging", "stg_email__messages"), ("staging", "stg_phone__calls"), ("staging", "stg_twitter__users")],
            personal_data,
        )
    assert found["staging.stg_email__messages"] >= {"email", "name"}
    assert "phone" in found["staging.stg_phone__calls"]
    assert found["staging.stg_twitter__users"] >= {"handle", "name"}


def test_no_relation_a_bi_tool_can_read_holds_a_phone_number_email_handle_or_name(built_warehouse, personal_data):
    from voc import warehouse

    with warehouse.connect(built_warehouse, duty="reader") as conn:
        relations = _readable_relations(conn)
        assert {"fct_contacts", "fct_complaints", "fct_interactions", "kpi_channel_monthly"} <= {name for _, name in relations}
        assert {schema for schema, _ in relations} <= {"marts", "classifier"}
        assert _scan(conn, relations, personal_data) == {}


def test_customers_words_are_for_quality_staff_and_their_names_stay_there(built_warehouse, personal_data):
    """Schema restricted has the texts (the reviewer reads them, the reader cannot), and nothing else personal the
    marts do not have."""
    from psycopg import errors
    from voc import warehouse

    with warehouse.connect(built_warehouse, duty="reviewer") as conn:
        texts = conn.execute("select count(*) from restricted.contact_texts").fetchone()[0]
        messages = conn.execute("select count(*) from restricted.interaction_texts").fetchone()[0]
        columns = {
            name
            for (name,) in conn.execute("select column_name from information_schema.columns where table_schema = 'restricted'")
        }
    assert texts > 1000 and messages > texts
    assert not columns & {"customer_ref", "author_ref", "caller_number", "from_address", "author"}
    with warehouse.connect(built_warehouse, duty="reader") as conn:
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("select count(*) from restricted.contact_texts")


def test_add_reviewer_gives_quality_staff_the_texts_and_the_override_table(built_warehouse, capsys):
    import psycopg
    from psycopg import errors
    from voc import warehouse
    from voc.cli import main

    assert main(["warehouse", "add-reviewer", "qm_probe"]) == 0
    dsn = capsys.readouterr().out.strip().splitlines()[-1]
    try:
        with psycopg.connect(dsn) as conn:
            assert conn.execute("select count(*) > 0 from restricted.classification_review").fetchone() == (True,)
            assert conn.execute("select count(*) > 0 from marts.fct_contacts").fetchone() == (True,)
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("select count(*) from staging.stg_email__messages")
        # a reader login is not made a reviewer behind its back, nor the other way round
        with pytest.raises(warehouse.WarehouseError, match="is not a reader login"):
            warehouse.add_login("qm_probe", built_warehouse, "reader")
    finally:
        with warehouse.connect(built_warehouse, autocommit=True) as conn:
            conn.execute("drop role qm_probe")


def test_dbt_without_the_key_stops_at_once_saying_what_to_set(built_warehouse):
    from voc.transform import DbtError, dbt_env, run_dbt

    env = dbt_env(built_warehouse) | {"PGOPTIONS": ""}
    with pytest.raises(DbtError, match="no pseudonymisation key in this dbt session") as failure:
        run_dbt(["run", "--select", "int_contacts"], built_warehouse, env=env)
    assert "VOC_PSEUDONYM_SECRET" in str(failure.value)


def test_the_secret_comes_from_the_environment_a_file_or_the_embedded_home_and_never_from_nowhere(tmp_path, settings):
    from voc import privacy

    assert privacy.pseudonym_secret(dataclasses.replace(settings, pseudonym_secret="s3cret")) == b"s3cret"
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-a-file\n")
    assert privacy.pseudonym_secret(dataclasses.replace(settings, pseudonym_secret_file=str(secret_file))) == b"from-a-file"

    embedded = dataclasses.replace(settings, home=tmp_path / "home")
    generated = privacy.pseudonym_secret(embedded)
    assert len(generated) == 64 and privacy.pseudonym_secret(embedded) == generated  # generated once, then kept
    assert (privacy.secret_file(embedded).stat().st_mode & 0o777) == 0o600

    configured = dataclasses.replace(settings, home=tmp_path / "other", warehouse_url="postgresql://voc@db.example/voc")
    with pytest.raises(privacy.PrivacyError, match="set VOC_PSEUDONYM_SECRET"):
        privacy.pseudonym_secret(configured)
    with pytest.raises(privacy.PrivacyError, match="cannot be read"):
        privacy.pseudonym_secret(dataclasses.replace(configured, pseudonym_secret_file=str(tmp_path / "missing")))
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(privacy.PrivacyError, match="is empty"):
        privacy.pseudonym_secret(dataclasses.replace(configured, pseudonym_secret_file=str(tmp_path / "empty")))


def test_a_long_secret_is_hashed_first_as_rfc_2104_says():
    from voc import privacy

    secret = b"k" * 100
    assert privacy.pseudonym("email", "a@b.c", secret) == _hmac(secret, "email:a@b.c")
    inner, outer = privacy.key_pads(secret)
    key = hashlib.sha256(secret).digest().ljust(64, b"\0")
    message = b"email:a@b.c"
    by_pads = hashlib.sha256(bytes.fromhex(outer) + hashlib.sha256(bytes.fromhex(inner) + message).digest()).hexdigest()
    assert by_pads == hmac.new(key, message, hashlib.sha256).hexdigest() == _hmac(secret, "email:a@b.c")


def test_a_person_has_one_customer_key_on_email_and_chat(built_warehouse):
    """Repeat complaints across channels are visible: a chat visitor who gave an e-mail address has the key of that
    address's e-mail contacts (HMAC computed here with the standard library, people from the raw sessions)."""
    import hashlib
    import hmac

    from voc import privacy, warehouse

    secret = privacy.pseudonym_secret(built_warehouse)
    with warehouse.connect(built_warehouse) as conn:
        sessions = conn.execute(
            "select 'chat:' || (payload ->> 'id'), lower(trim(payload -> 'visitor' ->> 'email')) from raw.chat_sessions "
            "where payload -> 'visitor' ->> 'email' is not null"
        ).fetchall()
        keys = dict(conn.execute("select contact_id, customer_key from marts.fct_contacts").fetchall())
        email_keys = {row[0] for row in conn.execute("select customer_key from marts.fct_contacts where channel = 'email'")}
    linked = 0
    for contact_id, address in sessions:
        if contact_id not in keys:
            continue  # a session without a visitor message is no contact
        expected = hmac.new(secret, f"email:{address}".encode(), hashlib.sha256).hexdigest()
        assert keys[contact_id] == expected, contact_id
        linked += expected in email_keys
    assert linked > 50, "the sample's chat visitors should also write e-mails"
