"""The labelled corpus: its contract, its size and mix, its fixed split, and its independence from the sample."""

from __future__ import annotations

import csv
import re
import string
from collections import Counter

import pytest
from voc.classifier import corpus
from voc.classifier.features import normalise, tokens
from voc.sample import texts


@pytest.fixture(scope="module")
def messages():
    return corpus.load()


def test_at_least_400_messages_per_language_in_every_register(messages):
    for language in corpus.LANGUAGES:
        mine = [m for m in messages if m.language == language]
        assert len(mine) >= 400, language
        assert set(Counter(m.register for m in mine)) == set(corpus.REGISTERS), language
        assert set(Counter(m.contact_type for m in mine)) == set(corpus.TYPES), language
        assert set(Counter(m.sentiment for m in mine)) == set(corpus.SENTIMENTS), language


def test_every_type_is_in_every_split_of_every_language(messages):
    strata = Counter((m.language, m.split, m.contact_type) for m in messages)
    for language in corpus.LANGUAGES:
        for split in corpus.SPLITS:
            for label in corpus.TYPES:
                assert strata[(language, split, label)] >= 3, (language, split, label)


def test_the_test_split_is_the_held_out_writers_and_dev_a_fifth_of_the_rest(messages):
    """`load` already refuses a split other than `split_of(id)`: nothing was moved by hand after seeing results."""
    assert {corpus.part_of(m.message_id) for m in messages if m.split == "test"} == corpus.TEST_PARTS
    others = [m for m in messages if m.split != "test"]
    assert not {corpus.part_of(m.message_id) for m in others} & corpus.TEST_PARTS
    assert abs(sum(m.split == "dev" for m in others) / len(others) - 0.2) < 0.02
    held_out = Counter(m.language for m in messages if m.split == "test")
    for language in corpus.LANGUAGES:
        assert held_out[language] >= 400, language


@pytest.mark.parametrize(
    ("message_id", "claimed"),
    [
        ("es-t1-0001", "train"),
        ("es-a1-0001", "test"),
        (next(f"x-{n}" for n in range(100) if corpus.split_of(f"x-{n}") == "dev"), "train"),
    ],
)
def test_a_split_chosen_by_hand_is_refused(tmp_path, message_id, claimed):
    path = tmp_path / "moved.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(corpus.COLUMNS)
        writer.writerow([message_id, "es", "tweet", "telecom", "hola", "complaint", "negative", "", claimed])
    with pytest.raises(corpus.CorpusError, match="is not the one its id gives"):
        corpus.load(path)


def test_a_message_s_part_is_its_id_without_the_number():
    assert corpus.part_of("es-b1-0042") == "es-b1" and corpus.part_of("en-a-0001") == "en-a"


def test_hard_cases_are_covered(messages):
    tags = Counter(tag for m in messages for tag in m.phenomena)
    for tag in ("no_keyword", "typo", "sarcasm", "negation", "question_complaint", "mixed", "emoji", "slang"):
        assert tags[tag] >= 10, tag
    complaints = [m for m in messages if m.contact_type == "complaint"]
    assert sum("no_keyword" in m.phenomena for m in complaints) / len(complaints) >= 0.45


def test_no_message_is_repeated_across_splits(messages):
    seen: dict[str, str] = {}
    for message in messages:
        key = " ".join(tokens(message.text))
        assert seen.setdefault(key, message.split) == message.split, message.message_id


# words: long enough that everyday phrasings written independently ("me mudo el mes que viene", "estaría bien que
# la app mostrara el ...") are not taken for copying, short enough that any copied sentence is caught
SHINGLE = 8


def _shingles(words: list[str]) -> set[str]:
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def _generator_shingles() -> set[str]:
    """Every run of SHINGLE words inside a fixed stretch of the sample generator's phrase banks."""
    banks = [template for bank in texts.MESSAGES.values() for _, template in bank]
    banks += [f"{title} {summary}" for bank in texts.WEB_ITEMS.values() for _, title, summary in bank]
    banks += [comment for bank in texts.SURVEY_COMMENTS.values() for comment in bank]
    shingles = set()
    for template in banks:
        for literal, _, _, _ in string.Formatter().parse(template):
            shingles |= _shingles(re.findall(r"[a-z0-9]+", normalise(literal)))
    return shingles


def test_corpus_is_independent_of_the_sample_generator(messages):
    """No corpus message shares a run of eight words with the generator's banks."""
    generator = _generator_shingles()
    assert len(generator) > 100
    for message in messages:
        shared = _shingles(re.findall(r"[a-z0-9]+", normalise(message.text))) & generator
        assert not shared, (message.message_id, shared)


def test_a_broken_row_is_named(tmp_path):
    path = tmp_path / "bad.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(corpus.COLUMNS)
        for number, label in ((1, "complaint"), (2, "complain")):
            message_id = f"x-{number}"
            writer.writerow([message_id, "es", "tweet", "telecom", "hola", label, "negative", "", corpus.split_of(message_id)])
    with pytest.raises(corpus.CorpusError, match=r"bad.csv line 3: contact_type 'complain' is not one of"):
        corpus.load(path)


def test_each_file_holds_its_own_splits():
    """labelled_messages.csv is what training reads (train, dev); held_out_messages.csv the held-out writers (test)."""
    assert {m.split for m in corpus.load(corpus.CORPUS_PATH)} == {"train", "dev"}
    assert {m.split for m in corpus.load(corpus.HELD_OUT_PATH)} == {"test"}


def test_a_message_id_is_unique_across_the_files(tmp_path):
    for name in ("a.csv", "b.csv"):
        with (tmp_path / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(corpus.COLUMNS)
            writer.writerow(["x-1", "es", "tweet", "telecom", "hola", "praise", "positive", "", corpus.split_of("x-1")])
    with pytest.raises(corpus.CorpusError, match="b.csv line 2: duplicate message_id x-1"):
        corpus.load((tmp_path / "a.csv", tmp_path / "b.csv"))
