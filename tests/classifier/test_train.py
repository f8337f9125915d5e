"""Training choices that the artefact alone does not show: how the complaint offset enters the model, and that its
cross-validation keeps each writer's messages together."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from voc.classifier import corpus
from voc.classifier.model import BIAS
from voc.classifier.train import OFFSET_FOLDS, Settings, _fold, export, fit


def _bias(rows):
    return {row["label"]: Decimal(row["weight"]) for row in rows if row["feature"] == BIAS}


def test_the_complaint_offset_shifts_the_complaint_bias_and_nothing_else():
    settings = Settings("nb_one_vs_rest", 1.0, 3, None)
    fitted, vectoriser = fit(corpus.load(splits=("dev",)), "contact_type", settings)
    plain, plain_version = export("contact_type", fitted, vectoriser, settings)
    shifted, shifted_version = export("contact_type", fitted, vectoriser, replace(settings, offset=-0.75))
    assert _bias(shifted)["complaint"] == _bias(plain)["complaint"] - Decimal("0.75")
    assert {k: v for k, v in _bias(shifted).items() if k != "complaint"} == {
        k: v for k, v in _bias(plain).items() if k != "complaint"
    }
    assert [row for row in shifted if row["feature"] != BIAS] == [row for row in plain if row["feature"] != BIAS]
    assert shifted_version != plain_version  # the version names the weights the warehouse scores with


def test_cross_validation_folds_keep_each_writer_whole():
    messages = corpus.load(splits=("train", "dev"))
    folds_of_writer = defaultdict(set)
    for message in messages:
        folds_of_writer[corpus.part_of(message.message_id)].add(_fold(message))
    assert all(len(folds) == 1 for folds in folds_of_writer.values())
    used = [fold for folds in folds_of_writer.values() for fold in folds]
    assert set(used) == set(range(OFFSET_FOLDS))
    assert max(used.count(fold) for fold in range(OFFSET_FOLDS)) < len(folds_of_writer) / 2
