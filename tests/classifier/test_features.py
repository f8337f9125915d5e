"""The classifier's normalisation, tokens and features, on hand-built texts."""

from __future__ import annotations

from voc.classifier.features import features, normalise, tokens


def test_case_and_accents_fold_so_inflections_and_missing_accents_share_words():
    assert normalise("PÉSIMA atención, ÑOÑO") == "pesima atencion, nono"
    assert tokens("Pésimo") == tokens("pesimo") == ["pesimo"]


def test_decomposed_accents_fold_like_composed_ones():
    assert tokens("pe\u0301simo") == tokens("pésimo") == ["pesimo"]


def test_spanish_question_and_exclamation_marks_are_tokens_like_english_ones():
    assert tokens("¿Dónde está?") == ["?", "donde", "esta", "?"]
    assert tokens("¡ya!") == ["!", "ya", "!"]


def test_emoji_are_tokens_and_other_symbols_separate_words():
    assert tokens("genial 👏👏 @marca #fail") == ["genial", "👏", "👏", "marca", "fail"]
    assert tokens("te quiero ❤️") == ["te", "quiero", "❤"]  # the variation selector is not a token


def test_letters_outside_latin_1_separate_words_whatever_their_case():
    assert tokens("Łódź") == tokens("łódź") == ["od"]


def test_features_are_words_pairs_and_padded_character_4_grams():
    assert features("No funciona") == {
        "w:no",
        "w:funciona",
        "b:no funciona",
        "c:<no>",
        "c:<fun",
        "c:func",
        "c:unci",
        "c:ncio",
        "c:cion",
        "c:iona",
        "c:ona>",
    }


def test_a_typo_shares_most_character_grams_with_the_word():
    right, typo = features("funciona"), features("funsiona")
    grams = {feature for feature in right if feature.startswith("c:")}
    assert len(grams & typo) >= 3


def test_no_text_has_no_features():
    assert features(None) == features("") == features("  ...  ") == set()
