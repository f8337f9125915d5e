"""Training the classifier artefact from the labelled corpus (`voc train`).

For each model (contact type, sentiment) a multinomial logistic regression (scikit-learn, L2, lbfgs) is fitted on
binary features (``features.py``). The regularisation strength, the minimum document frequency of a feature and the
class weighting are chosen on the ``dev`` split with models fitted on ``train``; the chosen settings are then refitted
on ``train`` + ``dev``. The ``test`` split plays no part in any choice: it is scored once, by the exported artefact,
and the figures are recorded beside the model so that the report can state them.

Training is deterministic (lbfgs, no sampling): the same corpus and versions give the same artefact.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

from voc.classifier import corpus as corpus_module
from voc.classifier.corpus import Message
from voc.classifier.evaluate import Scores, score_predictions
from voc.classifier.features import features
from voc.classifier.model import (
    ARTEFACT_DIR,
    BIAS,
    FEATURE_COLUMN,
    MODEL_COLUMNS,
    MODELS_FILE,
    WEIGHT_SCALE,
    LinearModel,
    weights_path,
)

TASKS = {
    "contact_type": ("contact_type", corpus_module.TYPES),
    "sentiment": ("sentiment", corpus_module.SENTIMENTS),
}
GRID_C = (0.3, 1.0, 3.0, 10.0, 30.0)
GRID_MIN_DF = (2, 3)
GRID_CLASS_WEIGHT = (None, "balanced")
# the review threshold: the lowest probability at which dev decisions are still right this often
REVIEW_PRECISION = 0.9
REVIEW_GRID = tuple(round(0.30 + 0.05 * step, 2) for step in range(13))


@dataclass(frozen=True)
class Settings:
    c: float
    min_df: int
    class_weight: str | None

    @classmethod
    def of(cls, info: dict[str, str]) -> Settings:
        """The settings a committed model was trained with (its row of classifier_models.csv)."""
        return cls(float(info["regularisation_c"]), int(info["min_document_frequency"]), info["class_weight"] or None)


def objective(task: str, scores: Scores) -> float:
    """What the dev split is asked to maximise."""
    if task == "contact_type":
        return (scores.f1("complaint", "es") + scores.f1("complaint", "en") + scores.macro_f1()) / 3
    return (scores.accuracy("es") + scores.accuracy("en")) / 2


def _target(message: Message, task: str) -> str:
    return getattr(message, TASKS[task][0])


def fit(messages: list[Message], task: str, settings: Settings):
    """A fitted scikit-learn model and its vocabulary."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    frequency = Counter(feature for message in messages for feature in features(message.text))
    vocabulary = {feature for feature, count in frequency.items() if count >= settings.min_df}
    rows = [{feature: 1 for feature in features(message.text) if feature in vocabulary} for message in messages]
    vectoriser = DictVectorizer(sort=True)
    matrix = vectoriser.fit_transform(rows)
    model = LogisticRegression(C=settings.c, class_weight=settings.class_weight, max_iter=10_000, tol=1e-6)
    model.fit(matrix, [_target(message, task) for message in messages])
    return model, vectoriser


def export(task: str, model, vectoriser, settings: Settings) -> tuple[list[dict[str, str]], str]:
    """Weight rows (four decimals, zeros dropped) and the model's version (a hash of them)."""
    labels = TASKS[task][1]
    classes = list(model.classes_)
    missing = set(labels) - set(classes)
    if missing:
        raise ValueError(f"{task}: the training data has no example of {', '.join(sorted(missing))}")
    names = vectoriser.get_feature_names_out()
    rows = []
    for label in labels:
        index = classes.index(label)
        rows.append({"model_name": task, "feature": BIAS, "label": label, "weight": _four(model.intercept_[index])})
        for column, weight in zip(names, model.coef_[index], strict=True):
            text = _four(weight)
            if Decimal(text) != 0:
                rows.append({"model_name": task, "feature": column, "label": label, "weight": text})
    rows.sort(key=lambda row: (row["feature"] != BIAS, row["feature"], labels.index(row["label"])))
    digest = hashlib.sha256("\n".join(f"{r['feature']}\t{r['label']}\t{r['weight']}" for r in rows).encode()).hexdigest()
    return rows, f"{task}-{digest[:10]}"


def _four(value: float) -> str:
    return str(Decimal(repr(float(value))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN))


def as_linear_model(task: str, rows: list[dict[str, str]], version: str, review_threshold: float) -> LinearModel:
    labels = TASKS[task][1]
    bias = {row["label"]: int(Decimal(row["weight"]) * WEIGHT_SCALE) for row in rows if row["feature"] == BIAS}
    weights: dict[str, dict[str, int]] = {}
    for row in rows:
        if row["feature"] != BIAS:
            weights.setdefault(row["feature"], {})[row["label"]] = int(Decimal(row["weight"]) * WEIGHT_SCALE)
    return LinearModel(task, version, labels, review_threshold, bias, weights, {})


def review_threshold(model: LinearModel, task: str, dev: list[Message]) -> float:
    """The lowest probability from which the dev decisions are right at least REVIEW_PRECISION of the time."""
    predictions = [(model.predict(message.text), _target(message, task)) for message in dev]
    for threshold in REVIEW_GRID:
        kept = [prediction.label == truth for prediction, truth in predictions if prediction.probability >= threshold]
        if kept and sum(kept) / len(kept) >= REVIEW_PRECISION:
            return threshold
    return REVIEW_GRID[-1]


def train(
    corpus_path: Path = corpus_module.CORPUS_PATH,
    artefact_dir: Path = ARTEFACT_DIR,
    progress: Callable[[str], None] = print,
) -> dict[str, dict[str, str]]:
    """Fit, select on dev, refit on train + dev, score test once, write the artefact's files; return the model rows."""
    train_set = corpus_module.load(corpus_path, splits=("train",))
    dev_set = corpus_module.load(corpus_path, splits=("dev",))
    test_set = corpus_module.load(corpus_path, splits=("test",))
    corpus_sha = hashlib.sha256(corpus_path.read_bytes()).hexdigest()
    progress(f"corpus {corpus_path.name}: {len(train_set)} train, {len(dev_set)} dev, {len(test_set)} test messages")

    model_rows: dict[str, dict[str, str]] = {}
    weight_rows: dict[str, list[dict[str, str]]] = {}
    for task in TASKS:
        best: tuple[float, Settings] | None = None
        for c, min_df, class_weight in itertools.product(GRID_C, GRID_MIN_DF, GRID_CLASS_WEIGHT):
            settings = Settings(c, min_df, class_weight)
            fitted, vectoriser = fit(train_set, task, settings)
            rows, version = export(task, fitted, vectoriser, settings)
            candidate = as_linear_model(task, rows, version, 0.0)
            value = objective(task, _scores(candidate, task, dev_set))
            progress(f"  {task}: C={c:<5} min_df={min_df} class_weight={class_weight!s:8s} dev objective {value:.4f}")
            if best is None or value > best[0] + 1e-12:
                best = (value, settings)
        assert best is not None
        chosen = best[1]
        progress(f"{task}: chosen on dev C={chosen.c} min_df={chosen.min_df} class_weight={chosen.class_weight}")
        dev_model_rows, dev_version = export(task, *fit(train_set, task, chosen), chosen)
        threshold = review_threshold(as_linear_model(task, dev_model_rows, dev_version, 0.0), task, dev_set)

        fitted, vectoriser = fit(train_set + dev_set, task, chosen)
        rows, version = export(task, fitted, vectoriser, chosen)
        final = as_linear_model(task, rows, version, threshold)
        test_scores = _scores(final, task, test_set)
        weight_rows[task] = rows
        model_rows[task] = {
            "model_name": task,
            "model_version": version,
            "labels": "|".join(TASKS[task][1]),
            "review_threshold": f"{threshold:.2f}",
            "corpus_sha256": corpus_sha,
            "regularisation_c": str(chosen.c),
            "min_document_frequency": str(chosen.min_df),
            "class_weight": chosen.class_weight or "",
            "features": str(len({row["feature"] for row in rows}) - 1),
            "test_messages": str(len(test_set)),
            "test_accuracy_es": f"{test_scores.accuracy('es'):.4f}",
            "test_accuracy_en": f"{test_scores.accuracy('en'):.4f}",
            "test_macro_f1": f"{test_scores.macro_f1():.4f}",
            "test_complaint_f1_es": f"{test_scores.f1('complaint', 'es'):.4f}" if task == "contact_type" else "",
            "test_complaint_f1_en": f"{test_scores.f1('complaint', 'en'):.4f}" if task == "contact_type" else "",
        }
        progress(f"{task}: {version}, {model_rows[task]['features']} features, review below p={threshold:.2f}")

    _write(artefact_dir / MODELS_FILE, MODEL_COLUMNS, list(model_rows.values()))
    for task, rows in weight_rows.items():
        path = weights_path(artefact_dir, task)
        _write(path, (FEATURE_COLUMN, *TASKS[task][1]), _by_feature(task, rows))
        progress(f"wrote {path} ({len(rows)} non-zero weights)")
    progress(f"wrote {artefact_dir / MODELS_FILE}")
    return model_rows


def _by_feature(task: str, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Weight rows (feature, label, weight) as one row per feature with a column per label (0 where none)."""
    wide: dict[str, dict[str, str]] = {}
    for row in rows:
        wide.setdefault(row["feature"], {FEATURE_COLUMN: row["feature"]} | dict.fromkeys(TASKS[task][1], "0"))[row["label"]] = (
            row["weight"]
        )
    return list(wide.values())


def _scores(model: LinearModel, task: str, messages: list[Message]) -> Scores:
    return score_predictions(
        [(message.language, _target(message, task), model.predict(message.text).label) for message in messages],
        TASKS[task][1],
    )


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
