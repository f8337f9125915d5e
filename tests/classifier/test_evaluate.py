"""The evaluation's arithmetic on hand-made decisions (figures worked out by hand below)."""

from __future__ import annotations

import pytest
from voc.classifier.evaluate import complaint_f1_interval, render_by_writer, score_predictions, targets

LABELS = ("complaint", "praise", "suggestion", "inquiry", "other")

# es: 3 complaints (2 found, 1 called inquiry), 1 inquiry called complaint, 1 praise found
ES = [
    ("es", "complaint", "complaint"),
    ("es", "complaint", "complaint"),
    ("es", "complaint", "inquiry"),
    ("es", "inquiry", "complaint"),
    ("es", "praise", "praise"),
]
# en: 2 complaints both found, 1 other found
EN = [("en", "complaint", "complaint"), ("en", "complaint", "complaint"), ("en", "other", "other")]


def test_precision_recall_f1_and_confusion_by_hand():
    scores = score_predictions(ES + EN, LABELS)
    # es complaint: 2 right of 3 predicted, 2 found of 3 -> P = R = F1 = 2/3
    assert scores.precision("complaint", "es") == pytest.approx(2 / 3)
    assert scores.recall("complaint", "es") == pytest.approx(2 / 3)
    assert scores.f1("complaint", "es") == pytest.approx(2 / 3)
    # all: 4 right of 5 predicted, 4 found of 5
    assert scores.f1("complaint") == pytest.approx(0.8)
    assert scores.accuracy("es") == pytest.approx(3 / 5)
    assert scores.confusion("es")[("complaint", "inquiry")] == 1
    # en macro-F1: complaint 1, other 1, the three absent types 0 -> 2/5
    assert scores.macro_f1("en") == pytest.approx(2 / 5)


def test_targets_say_met_or_not():
    types = score_predictions(ES + EN, LABELS)
    sentiment = score_predictions(
        [("es", "negative", "negative"), ("en", "neutral", "positive")], ("negative", "neutral", "positive")
    )
    checks = dict(targets({"contact_type": types, "sentiment": sentiment}))
    assert checks["complaint F1 (es) 0.667 >= 0.90"] is False
    assert checks["complaint F1 (en) 1.000 >= 0.90"] is True
    assert checks["sentiment accuracy (es) 1.000 >= 0.80"] is True
    assert checks["sentiment accuracy (en) 0.000 >= 0.80"] is False


def test_by_writer_table_pools_every_writer_per_language():
    sentiment_labels = ("negative", "neutral", "positive")
    results = {
        "es-a": {"contact_type": score_predictions(ES[:3], LABELS), "sentiment": score_predictions([], sentiment_labels)},
        "es-b": {"contact_type": score_predictions(ES[3:], LABELS), "sentiment": score_predictions([], sentiment_labels)},
        "en-a": {"contact_type": score_predictions(EN, LABELS), "sentiment": score_predictions([], sentiment_labels)},
    }
    table = render_by_writer(results)
    # es-a alone: complaints 2 of 3 found, none wrongly -> F1 0.8; pooled es: 2/3 as above
    assert "| es-a | es | 3 | 0.800 |" in table
    assert "| **all writers** | es | 5 | 0.667 |" in table
    assert "| **all writers** | en | 3 | 1.000 |" in table


def test_the_complaint_f1_interval_brackets_the_figure_and_narrows_with_more_text():
    perfect = score_predictions(EN * 10, LABELS)
    assert complaint_f1_interval(perfect, "en") == (1.0, 1.0)  # no resample can make a mistake appear
    small = score_predictions(ES * 20, LABELS)  # F1 2/3 on 100 decisions
    large = score_predictions(ES * 200, LABELS)  # the same F1 on 1,000
    low, high = complaint_f1_interval(small, "es")
    assert low < 2 / 3 < high
    large_low, large_high = complaint_f1_interval(large, "es")
    assert low < large_low < 2 / 3 < large_high < high
    assert complaint_f1_interval(small, "es") == (low, high)  # fixed seed: the report's figures repeat
