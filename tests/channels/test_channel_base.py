"""Helpers shared by the channels."""

from __future__ import annotations

import json

import pytest
from voc.channels.base import (
    MAX_JSON_DEPTH,
    DropFolder,
    json_array_items,
    json_error,
    json_escapes_storable,
    natural_key,
    scan_json,
    storable,
    unstorable,
    utf8_error,
)


def _never_read(path, file_ref):
    raise AssertionError("listing must not read files")


def test_a_drop_folder_lists_matching_files_by_relative_path(tmp_path) -> None:
    for relative in ("b/page_2.json", "a/page_1.json", "a/page_3.json", "a/notes.txt"):
        (tmp_path / relative).parent.mkdir(exist_ok=True)
        (tmp_path / relative).write_text("{}")

    folder = DropFolder("*/page_*.json", _never_read)

    assert folder.files(tmp_path) == [tmp_path / "a/page_1.json", tmp_path / "a/page_3.json", tmp_path / "b/page_2.json"]
    assert folder.files(tmp_path / "missing") == []


def test_a_drop_folder_can_order_by_another_key(tmp_path) -> None:
    for name in ("x_2.txt", "y_1.txt"):
        (tmp_path / name).write_text("")

    folder = DropFolder("*.txt", _never_read, order=lambda relative: relative[2])

    assert folder.files(tmp_path) == [tmp_path / "y_1.txt", tmp_path / "x_2.txt"]


def test_json_nested_deeper_than_the_limit_is_refused_without_building_it(tmp_path) -> None:
    """100,000 levels: json.loads raises RecursionError and building the items exhausts memory; the scan stops at
    the limit."""
    path = tmp_path / "deep.json"
    path.write_bytes(b'{"sessions": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}")

    kinds, reason = scan_json(path, ("", "sessions"))

    assert (kinds, reason) == ({}, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")


def test_a_json_scan_reports_the_kind_of_each_watched_member(tmp_path) -> None:
    path = tmp_path / "page.json"
    path.write_text('{"data": [1, {"a": [2]}], "includes": {"users": []}, "meta": null}')

    kinds, reason = scan_json(path, ("", "data", "includes", "includes.users", "meta", "missing"))

    assert reason is None
    assert kinds == {"": "object", "data": "array", "includes": "object", "includes.users": "array", "meta": "null"}
    assert list(json_array_items(path, ("data", "includes.users"))) == [("data", 0, 1), ("data", 1, {"a": [2]})]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"sessions": [{"id": "a", ', "truncated JSON"),
        ('{"sessions": [NaN]}', "invalid JSON (lexical error: invalid char in json text.)"),
        ('{"a": 1} {"b": 2}', "invalid JSON: Extra data at line 1 column 10"),
    ],
)
def test_a_json_scan_says_why_a_file_is_not_json_without_quoting_it(tmp_path, text, reason) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)

    kinds, found = scan_json(path, ("",))

    assert kinds == {} and found.startswith(reason)
    assert "NaN" not in found and '"b"' not in found


@pytest.mark.parametrize(
    ("value", "key"), [("abc", "abc"), (7, "7"), ("", None), ("  ", None), (None, None), (True, None), ({"id": 1}, None)]
)
def test_natural_key(value, key) -> None:
    assert natural_key(value) == key


def test_unstorable_names_the_field() -> None:
    assert unstorable({"a": "ok", "b": [{"c": "x\x00"}]}) == "contains a NUL character in 'b'"
    assert unstorable({"a": "\ud800"}) == "contains an unpaired surrogate at character 0 in 'a'"
    assert unstorable({"a": ["ok", 1, None, {"b": True}]}) is None


@pytest.mark.parametrize(
    "payload",
    [
        {"a": "ok", "b": [{"c": "x\x00"}]},
        {"a": "\ud800"},
        {"a\x00": 1},
        {"a": "a backslash then u0000 as text: \\u0000"},
        {"a": ["ok", 1, 2.5, None, {"b": True}], "ñ": "€"},
        {"a": "\\", "b": "\\\x00"},
    ],
)
def test_the_fast_storable_check_never_disagrees_with_the_walk(payload) -> None:
    """``storable`` answers at C speed where a payload plainly can be stored; it must never call a payload storable
    that ``unstorable`` refuses (it may defer to it)."""
    if storable(payload):
        assert unstorable(payload) is None
    else:
        assert unstorable(payload) is not None or "\\u0000" in json.dumps(payload, ensure_ascii=False)


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ('{"a": "hola ñ €"}', True),
        ('{"a": "x\\u0000"}', False),  # an escaped NUL
        ('{"a": "\\ud83d\\ude00"}', False),  # a surrogate pair (checked item by item)
        ('{"a": "\\u00e9 \\u0041"}', True),  # other escapes are harmless
    ],
)
def test_json_escapes_that_could_be_unstorable_are_found_even_across_chunks(tmp_path, text, plain) -> None:
    path = tmp_path / "page.json"
    path.write_text(text, encoding="utf-8")
    assert json_escapes_storable(path) is plain
    for chunk in range(1, 8):  # the escape split at every position between two reads
        assert json_escapes_storable(path, chunk=chunk) is plain


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
