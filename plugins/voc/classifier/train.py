"""Training the classifier artefact from the labelled corpus (`voc train`).

For each model (contact type, sentiment) a linear model is fitted on binary features (``features.py``), by one of
two methods (scikit-learn's L2 logistic regression, lbfgs, in both):

- ``multinomial``: one softmax regression over all labels;
- ``nb_one_vs_rest``: a logistic regression per label against the rest, on features scaled by their naive-Bayes
  log-count ratio for that label (Wang & Manning, 2012, "NBSVM"); the ratio folds into the exported weight, so the
  artefact and its scoring are the same: a sum of weights over the features present.

The method, the regularisation strength, the minimum document frequency of a feature and the class weighting are
chosen on the ``dev`` split with models fitted on ``train``. Then the complaint decision's offset (a constant added to
the complaint score, which trades recall for precision) is chosen by cross-validation over ``train`` + ``dev`` with
folds of whole writers, so that it is tuned on ways of writing the fold's model never saw, as in use. The chosen
settings are then refitted on ``train`` + ``dev``, the offset folded into the complaint bias. The ``test`` split (the
held-out writers) plays no part in any choice: it is scored once, by the exported artefact, and the figures are
recorded beside the model so that the report can state them.

Training is deterministic (lbfgs, no sampling): the same corpus and versions give the same artefact.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
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
METHODS = ("multinomial", "nb_one_vs_rest")
GRID_C = {"multinomial": (0.3, 1.0, 3.0, 10.0, 30.0), "nb_one_vs_rest": (0.1, 0.3, 1.0, 3.0)}
NB_SMOOTHING = 1.0  # the naive-Bayes ratio's additive smoothing (one pseudo-document per side)
GRID_MIN_DF = (2, 3)
GRID_CLASS_WEIGHT = (None, "balanced")
# the review threshold: the lowest probability at which dev decisions are still right this often
REVIEW_PRECISION = 0.9
REVIEW_GRID = tuple(round(0.30 + 0.05 * step, 2) for step in range(13))
# the label whose score gets a chosen offset, per task, the offsets tried (in score units) and the folds they are tried on
OFFSET_LABEL = {"contact_type": "complaint"}
OFFSET_GRID = tuple(step / 4 for step in range(-8, 3))
OFFSET_FOLDS = 5


@dataclass(frozen=True)
class Settings:
    method: str
    c: float
    min_df: int
    class_weight: str | None
    offset: float = 0.0  # added to the score of the task's OFFSET_LABEL

    @classmethod
    def of(cls, info: dict[str, str]) -> Settings:
        """The settings a committed model was trained with (its row of classifier_models.csv)."""
        return cls(
            info["method"],
            float(info["regularisation_c"]),
            int(info["min_document_frequency"]),
            info["class_weight"] or None,
            float(info.get("complaint_offset") or 0.0),
        )

    def describe(self) -> str:
        text = f"{self.method:<14} C={self.c:<5} min_df={self.min_df} class_weight={self.class_weight!s:8s}"
        return text + (f" offset={self.offset:+.2f}" if self.offset else "")


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
    targets = [_target(message, task) for message in messages]
    if settings.method == "multinomial":
        model = LogisticRegression(C=settings.c, class_weight=settings.class_weight, max_iter=10_000, tol=1e-6)
        return model.fit(matrix, targets), vectoriser
    if settings.method == "nb_one_vs_rest":
        return _fit_nb_one_vs_rest(matrix, targets, settings), vectoriser
    raise ValueError(f"unknown training method {settings.method!r}")


@dataclass(frozen=True)
class _OneVsRest:
    """The fitted per-label models in the shape ``export`` reads (``classes_``, ``coef_``, ``intercept_``)."""

    classes_: list[str]
    coef_: list
    intercept_: list[float]


def _fit_nb_one_vs_rest(matrix, targets: list[str], settings: Settings) -> _OneVsRest:
    import numpy
    from sklearn.linear_model import LogisticRegression

    labels = sorted(set(targets))
    coefficients, intercepts = [], []
    for label in labels:
        positive = numpy.array([target == label for target in targets])
        in_label = NB_SMOOTHING + numpy.asarray(matrix[positive].sum(axis=0)).ravel()
        elsewhere = NB_SMOOTHING + numpy.asarray(matrix[~positive].sum(axis=0)).ravel()
        ratio = numpy.log((in_label / in_label.sum()) / (elsewhere / elsewhere.sum()))
        model = LogisticRegression(C=settings.c, class_weight=settings.class_weight, max_iter=10_000, tol=1e-6)
        model.fit(matrix.multiply(ratio).tocsr(), positive)
        coefficients.append(model.coef_[0] * ratio)
        intercepts.append(float(model.intercept_[0]))
    return _OneVsRest(labels, coefficients, intercepts)


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
        bias = model.intercept_[index] + (settings.offset if label == OFFSET_LABEL.get(task) else 0.0)
        rows.append({"model_name": task, "feature": BIAS, "label": label, "weight": _four(bias)})
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


def select(task: str, train_set: list[Message], dev_set: list[Message], progress: Callable[[str], None]) -> Settings:
    """The grid's settings whose model, fitted on train, scores best on dev."""
    best: tuple[float, Settings] | None = None
    grid = [
        Settings(method, c, min_df, class_weight)
        for method in METHODS
        for c, min_df, class_weight in itertools.product(GRID_C[method], GRID_MIN_DF, GRID_CLASS_WEIGHT)
    ]
    for settings in grid:
        fitted, vectoriser = fit(train_set, task, settings)
        rows, version = export(task, fitted, vectoriser, settings)
        value = objective(task, _scores(as_linear_model(task, rows, version, 0.0), task, dev_set))
        progress(f"  {task}: {settings.describe()} dev objective {value:.4f}")
        if best is None or value > best[0] + 1e-12:
            best = (value, settings)
    assert best is not None
    progress(f"{task}: chosen on dev {best[1].describe()} (dev objective {best[0]:.4f})")
    return best[1]


def choose_offset(task: str, messages: list[Message], settings: Settings, progress: Callable[[str], None]) -> float:
    """The offset of OFFSET_GRID for the task's OFFSET_LABEL that maximises the objective over the messages'
    cross-validated decisions, each fold a set of whole writers scored by a model fitted on the other writers
    (ties go to the smaller shift). Tasks without an OFFSET_LABEL keep 0."""
    label = OFFSET_LABEL.get(task)
    if label is None:
        return 0.0
    unshifted = replace(settings, offset=0.0)
    decisions: dict[float, list[tuple[str, str, str]]] = {offset: [] for offset in OFFSET_GRID}
    for fold in range(OFFSET_FOLDS):
        held = [message for message in messages if _fold(message) == fold]
        rest = [message for message in messages if _fold(message) != fold]
        rows, version = export(task, *fit(rest, task, unshifted), unshifted)
        model = as_linear_model(task, rows, version, 0.0)
        for message in held:
            totals = model.scores(message.text)
            for offset in OFFSET_GRID:
                shifted = totals | {label: totals[label] + round(offset * WEIGHT_SCALE)}
                decisions[offset].append((message.language, _target(message, task), model.decide(shifted)))
    values = {offset: objective(task, score_predictions(decisions[offset], TASKS[task][1])) for offset in OFFSET_GRID}
    for offset, value in values.items():
        progress(f"  {task}: {label} offset {offset:+.2f} cross-validated objective {value:.4f}")
    chosen = max(OFFSET_GRID, key=lambda offset: (round(values[offset], 12), -abs(offset)))
    progress(f"{task}: {label} offset {chosen:+.2f} chosen by {OFFSET_FOLDS}-fold cross-validation over writers")
    return chosen


def _fold(message: Message) -> int:
    """The cross-validation fold of a message: a hash of its writer, so that a writer's messages stay together."""
    digest = hashlib.sha256(f"fold:{corpus_module.part_of(message.message_id)}".encode()).hexdigest()
    return int(digest, 16) * OFFSET_FOLDS // 2**256


def train(
    corpus_paths: tuple[Path, ...] = corpus_module.CORPUS_FILES,
    artefact_dir: Path = ARTEFACT_DIR,
    progress: Callable[[str], None] = print,
    select_only: bool = False,
    chosen_settings: dict[str, Settings] | None = None,
) -> dict[str, dict[str, str]]:
    """Fit, select on dev, refit on train + dev, score test once, write the artefact's files; return the model rows.

    With ``select_only`` it stops after the choices on dev and by cross-validation: the test split is not read and nothing is written, so a
    change of features or settings can be tried without spending the held-out split. ``chosen_settings`` skips the
    selection for the tasks it names (to reproduce a committed model from the settings it records)."""
    train_set = corpus_module.load(corpus_paths, splits=("train",))
    dev_set = corpus_module.load(corpus_paths, splits=("dev",))
    corpus_sha = corpus_module.digest(corpus_paths)
    progress(f"labelled corpus: {len(train_set)} train, {len(dev_set)} dev messages")

    model_rows: dict[str, dict[str, str]] = {}
    weight_rows: dict[str, list[dict[str, str]]] = {}
    test_set: list[Message] | None = None
    for task in TASKS:
        if chosen_settings and task in chosen_settings:
            chosen = chosen_settings[task]
            progress(f"{task}: settings given {chosen.describe()}")
        else:
            chosen = select(task, train_set, dev_set, progress)
            chosen = replace(chosen, offset=choose_offset(task, train_set + dev_set, chosen, progress))
        if select_only:
            continue
        dev_model_rows, dev_version = export(task, *fit(train_set, task, chosen), chosen)
        threshold = review_threshold(as_linear_model(task, dev_model_rows, dev_version, 0.0), task, dev_set)

        if test_set is None:
            test_set = corpus_module.load(corpus_paths, splits=("test",))
            progress(f"held-out test split: {len(test_set)} messages")
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
            "method": chosen.method,
            "regularisation_c": str(chosen.c),
            "min_document_frequency": str(chosen.min_df),
            "class_weight": chosen.class_weight or "",
            "complaint_offset": f"{chosen.offset:.2f}" if task in OFFSET_LABEL else "",
            "features": str(len({row["feature"] for row in rows}) - 1),
            "test_messages": str(len(test_set)),
            "test_accuracy_es": f"{test_scores.accuracy('es'):.4f}",
            "test_accuracy_en": f"{test_scores.accuracy('en'):.4f}",
            "test_macro_f1": f"{test_scores.macro_f1():.4f}",
            "test_complaint_f1_es": f"{test_scores.f1('complaint', 'es'):.4f}" if task == "contact_type" else "",
            "test_complaint_f1_en": f"{test_scores.f1('complaint', 'en'):.4f}" if task == "contact_type" else "",
        }
        progress(f"{task}: {version}, {model_rows[task]['features']} features, review below p={threshold:.2f}")

    if select_only:
        return model_rows
    _write(artefact_dir / MODELS_FILE, MODEL_COLUMNS, list(model_rows.values()))
    for task, rows in weight_rows.items():
        path = weights_path(artefact_dir, task)
        _write(path, (FEATURE_COLUMN, *TASKS[task][1]), _by_feature(task, rows))
        progress(f"wrote {path} ({len(rows)} non-zero weights)")
    progress(f"wrote {artefact_dir / MODELS_FILE}")
    return model_rows


def _by_feature(task: str, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Weight rows (feature, label, weight) as one row per feature with a column per label, in whole units of
    1/WEIGHT_SCALE (0 where none)."""
    wide: dict[str, dict[str, str]] = {}
    for row in rows:
        columns = wide.setdefault(row["feature"], {FEATURE_COLUMN: row["feature"]} | dict.fromkeys(TASKS[task][1], "0"))
        columns[row["label"]] = str(int(Decimal(row["weight"]) * WEIGHT_SCALE))
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
