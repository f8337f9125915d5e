"""The classifier artefact and its Python scorer.

CSV files in ``artefact/`` hold a trained model, reviewed like code:

- ``classifier_models.csv``: one row per model (``contact_type``, ``sentiment``) with its version, labels, the
  review threshold and the figures measured on the corpus' held-out test split when it was trained;
- ``classifier_weights_<model>.csv``: one row per feature (``(bias)`` is the intercept) with its weight for each of
  the model's labels, one column per label, as whole numbers of 1/10,000 (``-1250`` is -0.125), so that sums are
  exact in SQL integers and in Python integers alike.

A text's score for a label is its bias plus the weights of the features present in it; the label with the highest
score wins (ties go to the label listed first); its probability is the softmax of the scores. The evidence of a
decision is the list of features that pushed the winning label above the runner-up, largest first: what an
auditor reads to see why a contact was called a complaint. The warehouse computes exactly this in SQL
(``dbt_project/macros/classifier.sql``).

``install`` copies the artefact into the warehouse's ``classifier`` schema (``classifier.models``,
``classifier.weight_vectors``), which dbt reads as a source; it runs with the warehouse's bootstrap and does nothing when
the installed artefact is already this one.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from voc.classifier.features import features

ARTEFACT_DIR = Path(__file__).resolve().parent / "artefact"
MODELS_FILE = "classifier_models.csv"
WEIGHTS_FILE = "classifier_weights_{model}.csv"  # one per model, format with model=
BIAS = "(bias)"
WEIGHT_SCALE = 10_000  # weights are stored as whole numbers of 1/WEIGHT_SCALE
EVIDENCE_SIZE = 5

MODEL_COLUMNS = (
    "model_name",
    "model_version",
    "labels",
    "review_threshold",
    "corpus_sha256",
    "method",
    "regularisation_c",
    "min_document_frequency",
    "class_weight",
    "complaint_offset",
    "features",
    "test_messages",
    "test_accuracy_es",
    "test_accuracy_en",
    "test_macro_f1",
    "test_complaint_f1_es",
    "test_complaint_f1_en",
)
FEATURE_COLUMN = "feature"  # then one column per label, in the model's label order


class ArtefactError(ValueError):
    """The classifier artefact is missing or inconsistent."""


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float
    runner_up: str | None
    evidence: tuple[tuple[str, Decimal], ...]  # (feature, contribution of winning label over runner-up)

    @property
    def evidence_text(self) -> str | None:
        """The evidence as the warehouse stores it: ``feature (+contribution)`` joined by ``; ``."""
        return "; ".join(f"{feature} (+{contribution:.4f})" for feature, contribution in self.evidence) or None


@dataclass(frozen=True)
class LinearModel:
    name: str
    version: str
    labels: tuple[str, ...]
    review_threshold: float
    bias: dict[str, int]
    weights: dict[str, dict[str, int]]  # feature -> label -> weight in 1/WEIGHT_SCALE units
    info: dict[str, str]

    def scores(self, text: str | None) -> dict[str, int]:
        totals = dict(self.bias)
        for feature in features(text):
            for label, weight in self.weights.get(feature, {}).items():
                totals[label] += weight
        return totals

    def decide(self, totals: dict[str, int]) -> str:
        """The label with the highest score (ties go to the label listed first)."""
        return self._ranked(totals)[0]

    def _ranked(self, totals: dict[str, int]) -> list[str]:
        return sorted(self.labels, key=lambda label: (-totals[label], self.labels.index(label)))

    def predict(self, text: str | None) -> Prediction:
        totals = self.scores(text)
        ranked = self._ranked(totals)
        winner = ranked[0]
        runner_up = ranked[1] if len(ranked) > 1 else None
        top = totals[winner]
        denominator = sum(math.exp((totals[label] - top) / WEIGHT_SCALE) for label in self.labels)
        evidence: list[tuple[str, int]] = []
        if runner_up is not None:
            for feature in features(text):
                label_weights = self.weights.get(feature, {})
                contribution = label_weights.get(winner, 0) - label_weights.get(runner_up, 0)
                if contribution > 0:
                    evidence.append((feature, contribution))
        evidence.sort(key=lambda item: (-item[1], item[0]))
        return Prediction(
            label=winner,
            probability=1 / denominator,
            runner_up=runner_up,
            evidence=tuple((feature, Decimal(units).scaleb(-4)) for feature, units in evidence[:EVIDENCE_SIZE]),
        )


def weights_path(artefact_dir: Path, model_name: str) -> Path:
    return artefact_dir / WEIGHTS_FILE.format(model=model_name)


def load_models(artefact_dir: Path = ARTEFACT_DIR) -> dict[str, LinearModel]:
    """Every model of the artefact, by name."""
    models_path = artefact_dir / MODELS_FILE
    if not models_path.is_file():
        raise ArtefactError(f"classifier artefact not found: {models_path} (train it with `voc train`)")
    with models_path.open(encoding="utf-8", newline="") as handle:
        infos = {row["model_name"]: row for row in csv.DictReader(handle)}
    models = {}
    for name, info in infos.items():
        labels = tuple(info["labels"].split("|"))
        path = weights_path(artefact_dir, name)
        if not path.is_file():
            raise ArtefactError(f"classifier artefact not found: {path} (train it with `voc train`)")
        bias: dict[str, int] | None = None
        weights: dict[str, dict[str, int]] = {}
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = tuple(next(reader, ()))
            if header != (FEATURE_COLUMN, *labels):
                raise ArtefactError(f"{path.name}: header must be {FEATURE_COLUMN},{','.join(labels)}")
            for row in reader:
                units = {label: _units(value, path.name) for label, value in zip(labels, row[1:], strict=True)}
                if row[0] == BIAS:
                    bias = units
                else:
                    weights[row[0]] = {label: value for label, value in units.items() if value}
        if bias is None:
            raise ArtefactError(f"{path.name}: model {name} needs a {BIAS} row")
        models[name] = LinearModel(
            name=name,
            version=info["model_version"],
            labels=labels,
            review_threshold=float(info["review_threshold"]),
            bias=bias,
            weights=weights,
            info=info,
        )
    return models


def _units(weight: str, where: str) -> int:
    if not _WHOLE.fullmatch(weight):
        raise ArtefactError(f"{where}: weight {weight!r} is not a whole number of 1/{WEIGHT_SCALE:,} units")
    return int(weight)


_WHOLE = re.compile(r"-?[0-9]+")


# The classifier schema belongs to install(): a new artefact replaces its tables whole, so an older layout (other
# columns, the long `classifier.weights` of earlier versions) never lingers.
INSTALL_SQL = """
drop table if exists classifier.weight_vectors, classifier.weights, classifier.models;
create table classifier.models (
    model_name text primary key,
    model_version text not null,
    labels text not null,
    review_threshold numeric not null,
    corpus_sha256 text not null,
    method text,
    regularisation_c numeric,
    min_document_frequency integer,
    class_weight text,
    complaint_offset numeric,
    features integer,
    test_messages integer,
    test_accuracy_es numeric,
    test_accuracy_en numeric,
    test_macro_f1 numeric,
    test_complaint_f1_es numeric,
    test_complaint_f1_en numeric,
    artefact_sha256 text not null,
    installed_at timestamptz not null default now()
);
create table classifier.weight_vectors (
    model_name text not null references classifier.models (model_name),
    feature text not null,
    weights integer[] not null,
    primary key (model_name, feature)
);
comment on table classifier.models is
    'The installed classifier models (voc.classifier, artefact/classifier_models.csv): version, labels, review '
    'threshold and the figures measured on the labelled corpus'' held-out split.';
comment on table classifier.weight_vectors is
    'The installed weights (artefact/classifier_weights_<model>.csv) as the warehouse scores them: one row per '
    'model and feature, the weights in 1/10,000 in the order of the model''s labels.';
"""

# Changes whenever install() lays the artefact out differently, so that an existing warehouse is reinstalled.
INSTALL_LAYOUT = "weight-vectors-5"


def artefact_sha256(artefact_dir: Path = ARTEFACT_DIR) -> str:
    """The installed artefact's identity: its files and the layout install() gives them."""
    digest = hashlib.sha256(INSTALL_LAYOUT.encode())
    digest.update((artefact_dir / MODELS_FILE).read_bytes())
    for name in load_models(artefact_dir):
        digest.update(weights_path(artefact_dir, name).read_bytes())
    return digest.hexdigest()


def install(conn, artefact_dir: Path = ARTEFACT_DIR) -> bool:
    """Copy the artefact into ``classifier.models``/``classifier.weight_vectors`` unless it is already there (one
    transaction, serialised); returns whether it was (re)installed."""
    models = load_models(artefact_dir)  # refuse an inconsistent artefact before touching the warehouse
    sha = artefact_sha256(artefact_dir)
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('voc.classifier.install'))")
        if conn.execute("select to_regclass('classifier.models')").fetchone()[0] is not None:
            installed = {row[0] for row in conn.execute("select artefact_sha256 from classifier.models")}
            if installed == {sha}:
                return False
        conn.execute(INSTALL_SQL)
        with (artefact_dir / MODELS_FILE).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        with conn.cursor().copy(f"copy classifier.models ({', '.join(MODEL_COLUMNS)}, artefact_sha256) from stdin") as copy:
            for row in rows:
                copy.write_row([row[column] or None for column in MODEL_COLUMNS] + [sha])
        with conn.cursor().copy("copy classifier.weight_vectors (model_name, feature, weights) from stdin") as copy:
            for name, model in models.items():
                copy.write_row([name, BIAS, [model.bias[label] for label in model.labels]])
                for feature, weights in model.weights.items():
                    copy.write_row([name, feature, [weights.get(label, 0) for label in model.labels]])
    return True
