"""Helpers shared by the channels."""

from __future__ import annotations

import json

import pytest
from voc.channels.base import json_error, natural_key, next_file, unstorable, utf8_error


def test_next_file_follows_relative_paths_and_says_whether_more_follow(tmp_path) -> None:
    for relative in ("b/page_2.json", "a/page_1.json", "a/page_3.json", "a/notes.txt"):
        (tmp_path / relative).parent.mkdir(exist_ok=True)
        (tmp_path / relative).write_text("{}")

    assert next_file(tmp_path, "*/page_*.json", None) == (tmp_path / "a/page_1.json", True)
    assert next_file(tmp_path, "*/page_*.json", "a/page_3.json") == (tmp_path / "b/page_2.json", False)
    assert next_file(tmp_path, "*/page_*.json", "b/page_2.json") == (None, False)
    assert next_file(tmp_path / "missing", "*", None) == (None, False)


def test_next_file_can_order_by_another_key(tmp_path) -> None:
    for name in ("x_2.txt", "y_1.txt"):
        (tmp_path / name).write_text("")

    by_number = next_file(tmp_path, "*.txt", "y_1.txt", order=lambda relative: relative[2])

    assert by_number == (tmp_path / "x_2.txt", False)


@pytest.mark.parametrize(
    ("value", "key"), [("abc", "abc"), (7, "7"), ("", None), ("  ", None), (None, None), (True, None), ({"id": 1}, None)]
)
def test_natural_key(value, key) -> None:
    assert natural_key(value) == key


def test_unstorable_names_the_field() -> None:
    assert unstorable({"a": "ok", "b": [{"c": "x\x00"}]}) == "contains a NUL character in 'b'"
    assert unstorable({"a": "\ud800"}) == "contains an unpaired surrogate at character 0 in 'a'"
    assert unstorable({"a": ["ok", 1, None, {"b": True}]}) is None


def test_utf8_error_points_at_the_byte() -> None:
    assert utf8_error("ñ".encode()) is None
    assert utf8_error(b"ab\xe9") == "not valid UTF-8 at byte offset 2 (0xe9); the source must export UTF-8"


def test_json_error_tells_truncated_from_invalid() -> None:
    def reason(text: str) -> str:
        with pytest.raises(json.JSONDecodeError) as raised:
            json.loads(text)
        return json_error(raised.value)

    assert reason('{"a": [1, 2') == "truncated JSON: Expecting ',' delimiter at line 1 column 12"
    assert reason('{"a": "unterminated') == "truncated JSON: Unterminated string starting at line 1 column 7"
    assert reason('{"a": 1,, "b": 2}') == "invalid JSON: Expecting property name enclosed in double quotes at line 1 column 9"
