"""The committed classifier artefact: what it was measured at, whether it meets its targets, and that it is reproducible.

The figures here are computed from the corpus' held-out test split and the labels people gave it; none is copied
from an earlier run.
"""

from __future__ import annotations

import shutil

import pytest
from voc.classifier import corpus
from voc.classifier.evaluate import evaluate
from voc.classifier.features import features
from voc.classifier.model import ARTEFACT_DIR, WEIGHT_SCALE, ArtefactError, load_models, weights_path


@pytest.fixture(scope="module")
def models():
    return load_models()


@pytest.fixture(scope="module")
def held_out():
    return evaluate("test")


def test_complaint_f1_is_at_least_090_in_each_language_on_the_held_out_split(held_out):
    scores = held_out["contact_type"]
    for language in corpus.LANGUAGES:
        assert scores.f1("complaint", language) >= 0.90, (language, scores.f1("complaint", language))


def test_the_held_out_split_has_enough_messages_per_language(held_out):
    for language in corpus.LANGUAGES:
        assert held_out["contact_type"].count(language) >= 400, language


def test_macro_f1_over_the_five_types_is_at_least_080(held_out):
    assert held_out["contact_type"].macro_f1() >= 0.80


def test_sentiment_accuracy_is_at_least_080_in_each_language(held_out):
    for language in corpus.LANGUAGES:
        assert held_out["sentiment"].accuracy(language) >= 0.80, language


def test_the_figures_stored_with_the_model_are_the_measured_ones(models, held_out):
    """The report states what classifier_models records: it must be what the held-out split gives today."""
    types, sentiment = models["contact_type"].info, models["sentiment"].info
    scores = held_out["contact_type"]
    assert float(types["test_complaint_f1_es"]) == pytest.approx(scores.f1("complaint", "es"), abs=5e-5)
    assert float(types["test_complaint_f1_en"]) == pytest.approx(scores.f1("complaint", "en"), abs=5e-5)
    assert float(types["test_macro_f1"]) == pytest.approx(scores.macro_f1(), abs=5e-5)
    assert float(sentiment["test_accuracy_es"]) == pytest.approx(held_out["sentiment"].accuracy("es"), abs=5e-5)
    assert int(types["test_messages"]) == scores.count()


def test_the_artefact_was_trained_on_the_committed_corpus(models):
    assert {model.info["corpus_sha256"] for model in models.values()} == {corpus.digest()}


def test_evidence_explains_each_decision(models):
    """The evidence lists features of the text whose weights favour the winner over the runner-up, with exactly
    that difference, largest first: the five features that did most to decide."""
    model = models["contact_type"]
    for message in corpus.load(splits=("dev",)):
        prediction = model.predict(message.text)
        present = features(message.text)
        totals = model.scores(message.text)
        margin = totals[prediction.label] - totals[prediction.runner_up]
        assert margin >= 0
        explained = 0
        for feature, contribution in prediction.evidence:
            assert feature in present, (message.message_id, feature)
            weights = model.weights[feature]
            units = weights.get(prediction.label, 0) - weights.get(prediction.runner_up, 0)
            assert units == contribution * WEIGHT_SCALE > 0
            explained += units
        contributions = sorted(
            (model.weights.get(f, {}).get(prediction.label, 0) - model.weights.get(f, {}).get(prediction.runner_up, 0))
            for f in present
        )
        positive = [c for c in contributions if c > 0]
        assert explained == sum(sorted(positive, reverse=True)[:5]), message.message_id


def test_a_weight_that_is_not_a_whole_number_of_units_is_refused(tmp_path):
    """Weights are stored in 1/10,000: a decimal (say, a hand edit in the old four-decimal form) would be read
    10,000 times too small, so the loader refuses it and names the file and the value."""
    artefact = tmp_path / "artefact"
    shutil.copytree(ARTEFACT_DIR, artefact)
    path = weights_path(artefact, "sentiment")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    feature, _, *rest = lines[2].rstrip("\n").split(",")
    lines[2] = ",".join([feature, "0.5", *rest]) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ArtefactError, match=r"classifier_weights_sentiment.csv: weight '0.5' is not a whole number"):
        load_models(artefact)


@pytest.mark.slow
def test_training_reproduces_the_committed_artefact(tmp_path, models):
    """`voc train` on the committed corpus, with the settings the artefact records as chosen (on dev, and the
    complaint offset by cross-validation), gives the committed model: the same features and labels, weights equal to
    the stored ones (up to one unit of 1/10,000 of floating-point noise across machines), the same decisions. (The
    choice itself is `voc train --select-only`, minutes longer.)"""
    from voc.classifier.train import Settings, train

    settings = {name: Settings.of(model.info) for name, model in models.items()}
    train(artefact_dir=tmp_path, progress=lambda message: None, chosen_settings=settings)
    retrained = load_models(tmp_path)
    for name, model in models.items():
        again = retrained[name]
        assert set(again.weights) == set(model.weights), name
        for feature, weights in model.weights.items():
            for label, units in weights.items():
                assert abs(again.weights[feature].get(label, 0) - units) <= 1, (name, feature, label)
        for message in corpus.load():
            assert again.predict(message.text).label == model.predict(message.text).label, (name, message.message_id)
    shutil.rmtree(tmp_path)
