"""The channel registry against the contract in docs/sources.md."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from voc.channels import REGISTRY, cases, chat, facebook, get_channel, mail, phone, surveys, twitter, web

SOURCES_MD = Path(__file__).resolve().parents[2] / "docs" / "sources.md"
MODULES = [phone, mail, chat, twitter, facebook, web, surveys, cases]


def documented_raw_tables() -> dict[str, dict[str, str]]:
    """channel -> {entity: raw table} from the raw-table table of docs/sources.md."""
    tables: dict[str, dict[str, str]] = {}
    row = re.compile(r"^\| (\w+) \| (\w+) \| `raw\.(\w+)` \|", re.MULTILINE)
    for channel, entity, table in row.findall(SOURCES_MD.read_text(encoding="utf-8")):
        tables.setdefault(channel, {})[entity] = table
    return tables


def test_registry_order_is_stable() -> None:
    assert list(REGISTRY) == ["phone", "email", "chat", "twitter", "facebook", "web", "surveys", "cases"]


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
    assert "phone, email, chat, twitter, facebook, web, surveys, cases" in message
