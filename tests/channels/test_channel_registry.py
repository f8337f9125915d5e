"""The channel registry against the contract in docs/sources.md."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from voc.channels import REGISTRY, actions, cases, chat, facebook, get_channel, mail, phone, surveys, twitter, web

SOURCES_MD = Path(__file__).resolve().parents[2] / "docs" / "sources.md"
MODULES = [phone, mail, chat, twitter, facebook, web, surveys, cases, actions]


def documented_raw_tables() -> dict[str, dict[str, str]]:
    """channel -> {entity: raw table} from the raw-table table of docs/sources.md."""
    tables: dict[str, dict[str, str]] = {}
    row = re.compile(r"^\| (\w+) \| (\w+) \| `raw\.(\w+)` \|", re.MULTILINE)
    for channel, entity, table in row.findall(SOURCES_MD.read_text(encoding="utf-8")):
        tables.setdefault(channel, {})[entity] = table
    return tables


def test_registry_order_is_stable() -> None:
    assert list(REGISTRY) == ["phone", "email", "chat", "twitter", "facebook", "web", "surveys", "cases", "actions"]


def test_entities_map_to_the_documented_raw_tables() -> None:
    documented = documented_raw_tables()

    assert documented, "no raw-table rows found in docs/sources.md"
    assert {name: dict(channel.entities) for name, channel in REGISTRY.items()} == documented


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_every_module_has_the_same_shape(module) -> None:
    channel = module.CHANNEL

    assert REGISTRY[channel.name] is channel
    assert channel.folder is not None and channel.folder.read is module.read
    assert channel.folder.pattern == module.PATTERN
    assert channel.title and channel.description
    assert inspect.getdoc(module.read) and inspect.getdoc(module)
    assert list(inspect.signature(module.read).parameters) == ["path", "file_ref"]


def test_the_email_channel_lives_in_mail_so_it_never_shadows_the_stdlib() -> None:
    assert get_channel("email") is mail.CHANNEL
    assert not (Path(mail.__file__).parent / "email.py").exists()


def test_get_channel_names_the_unknown_channel_and_the_known_ones() -> None:
    with pytest.raises(KeyError) as raised:
        get_channel("fax")

    message = raised.value.args[0]
    assert "'fax'" in message
    assert "phone, email, chat, twitter, facebook, web, surveys, cases, actions" in message


DBT = Path(__file__).resolve().parents[2] / "dbt_project"
EXPECTATIONS = Path(__file__).resolve().parents[2] / "expectations" / "expectations"


def test_every_list_of_channels_is_the_registry_or_the_channels_seed() -> None:
    """The channels are listed once, in the registry (Python) and the channels seed (dbt, GX, the sample); every
    other place derives from them or is held to them here."""
    import json

    from voc.channels import contact_channels, reference
    from voc.sample.model import CONTACT_CHANNELS

    registry = list(REGISTRY)
    assert [row["channel"] for row in reference()] == registry, "dbt_project/seeds/channels.csv lists other channels"
    contacts = list(contact_channels())
    assert list(CONTACT_CHANNELS) == contacts

    # dbt: one interaction model per contact channel, named in the one macro that lists them, in registry order
    listed = re.findall(r"'int_(\w+)__interactions'", (DBT / "macros" / "channel_interactions.sql").read_text())
    assert listed == contacts
    files = sorted(path.stem for path in (DBT / "models" / "intermediate" / "channels").glob("int_*__interactions.sql"))
    assert files == sorted(f"int_{channel}__interactions" for channel in contacts)
    staged = re.findall(r"\('(\w+)', 'stg_(\w+?)__", (DBT / "macros" / "staged_sources.sql").read_text())
    assert sorted({channel for channel, _ in staged}) == sorted(registry)
    assert all(channel == prefix for channel, prefix in staged)

    # GX: the reconciliation suite checks each contact channel against the table of its first entity
    suite = json.loads((EXPECTATIONS / "reconciliation.json").read_text())
    checked = {
        re.search(r"where channel = '(\w+)'", query).group(1): re.search(r"from raw\.(\w+)\)", query).group(1)
        for query in (expectation["kwargs"]["unexpected_rows_query"] for expectation in suite["expectations"])
    }
    assert checked == {channel: next(iter(REGISTRY[channel].entities.values())) for channel in contacts}
    for name in ("fct_complaints", "kpi_channel_monthly"):
        expectations = json.loads((EXPECTATIONS / f"{name}.json").read_text())["expectations"]
        channel_sets = [e for e in expectations if e["kwargs"].get("column") == "channel" and "value_set" in e["kwargs"]]
        assert channel_sets == [], f"{name}: a copy of the channel list; read reference.channels instead"
        assert any(
            "reference.channels where is_contact_channel" in e["kwargs"].get("unexpected_rows_query", "") for e in expectations
        )
