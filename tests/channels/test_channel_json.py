"""JSON channels (chat, twitter, facebook): payloads are the source's objects as given."""

from __future__ import annotations

import json
from pathlib import Path

from folder_reading import read_after
from voc.channels import chat, facebook, twitter
from voc.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"


def load(relative: str):
    return json.loads((FIXTURES / relative).read_text(encoding="utf-8"))


def test_chat_sessions_land_as_given(settings: Settings) -> None:
    sessions = load("chat/sessions_2026-08-03.json")["sessions"]

    page = read_after(chat.CHANNEL, None, settings)

    assert [record.payload for record in page.records] == sessions[:2]
    assert page.records[0].payload["messages"][1]["author_type"] == "agent"


def test_a_quarantined_session_is_its_own_json(settings: Settings) -> None:
    sessions = load("chat/sessions_2026-08-03.json")["sessions"]

    page = read_after(chat.CHANNEL, None, settings)

    assert [json.loads(rejected.original) for rejected in page.rejected] == sessions[2:]


def test_a_truncated_export_is_quarantined_whole_with_the_position(settings: Settings) -> None:
    (rejected,) = read_after(chat.CHANNEL, "sessions_2026-08-03.json", settings).rejected

    assert rejected.reason.startswith("truncated JSON: ")
    assert " at line 1 column " in rejected.reason


def test_tweets_and_users_land_as_the_api_gave_them(settings: Settings) -> None:
    page_one = load("twitter/mentions/page_00001.json")

    page = read_after(twitter.CHANNEL, None, settings)

    tweets = [record.payload for record in page.records if record.entity == "tweets"]
    users = [record.payload for record in page.records if record.entity == "users"]
    assert tweets == page_one["data"][:2]
    assert users == page_one["includes"]["users"]


def test_the_timeline_follows_the_mentions_under_one_cursor(settings: Settings) -> None:
    page = read_after(twitter.CHANNEL, "mentions/page_00002.json", settings)

    (reply,) = [record for record in page.records if record.entity == "tweets"]
    assert page.cursor == "timeline/page_00001.json"
    assert reply.payload["referenced_tweets"] == [{"type": "replied_to", "id": "1820000000000000101"}]
    assert reply.payload["author_id"] == "1500000000000000001"


def test_a_tweet_missing_several_fields_names_them_all(drop_folder) -> None:
    folder, settings = drop_folder
    (folder / "twitter" / "mentions").mkdir(parents=True)
    (folder / "twitter" / "mentions" / "page_00001.json").write_text(json.dumps({"data": [{"text": "hola"}]}))

    (rejected,) = read_after(twitter.CHANNEL, None, settings).rejected

    assert rejected.reason == "tweet has no id, created_at, author_id"


def test_facebook_posts_keep_their_comment_threads_nested(settings: Settings) -> None:
    posts = load("facebook/feed/page_00001.json")["data"]

    page = read_after(facebook.CHANNEL, None, settings)

    assert [record.payload for record in page.records] == posts[:2]
    assert page.records[0].payload["comments"]["data"][1]["parent"] == {"id": "501_1"}


def test_a_page_in_another_encoding_is_quarantined_whole(settings: Settings) -> None:
    (rejected,) = read_after(facebook.CHANNEL, "feed/page_00001.json", settings).rejected

    assert rejected.reason.startswith("not valid UTF-8 at byte offset ")


def test_integer_ids_become_string_keys_and_nul_escapes_are_quarantined(drop_folder) -> None:
    folder, settings = drop_folder
    (folder / "chat").mkdir()
    sessions = [
        {"id": 42, "started_at": "2026-08-10T09:00:00Z"},
        {"id": "chs_9", "started_at": "2026-08-10T09:00:00Z", "messages": [{"text": "a\u0000b"}]},
    ]
    (folder / "chat" / "sessions_2026-08-10.json").write_text(json.dumps({"sessions": sessions}))

    page = read_after(chat.CHANNEL, None, settings)

    assert [record.key for record in page.records] == ["42"]
    assert page.rejected[0].reason == "contains a NUL character in 'messages'"


def test_every_item_of_a_sample_export_is_what_the_json_module_reads(tmp_path) -> None:
    """The streaming readers (ijson) against the standard library on a whole generated sample: each record's payload,
    and each rejected item's original, is the item ``json.loads`` gives, in the order of its array."""
    import json
    from datetime import UTC, datetime

    from voc.channels import chat, facebook, twitter
    from voc.channels.base import RawRecord
    from voc.sample import generate

    generate(tmp_path, seed=5, end=datetime(2026, 11, 20, tzinfo=UTC), months=1, scale=0.5)
    arrays = {chat: {"sessions": ("sessions",)}, twitter: {"tweets": ("data",), "users": ("includes", "users")}}
    arrays[facebook] = {"posts": ("data",)}
    checked = 0
    for module, by_entity in arrays.items():
        for path in sorted((tmp_path / module.NAME).rglob("*.json")):
            try:
                document = json.loads(path.read_bytes())
            except ValueError:
                continue  # a broken export: rejected whole (tested with the fixtures)
            units = list(module.read(path, path.name))
            for entity, keys in by_entity.items():
                expected = document
                for key in keys:
                    expected = expected.get(key, {}) if isinstance(expected, dict) else {}
                read = [
                    unit.payload if isinstance(unit, RawRecord) else json.loads(unit.original)
                    for unit in units
                    if unit.entity == entity
                ]
                assert read == (expected or []), (path.name, entity)
                checked += len(read)
    assert checked > 500
