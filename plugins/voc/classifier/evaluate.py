"""Measuring the classifier on the labelled corpus (`voc eval`, `make eval`).

Precision, recall and F1 per language and type, macro-F1 over the five types, the confusion matrix and the
sentiment accuracy, on the held-out ``test`` split by default. The figures come from the committed artefact, scored
exactly as the warehouse scores it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

LANGUAGE_NAMES = {"es": "Spanish", "en": "English"}

# What the classifier is asked to reach on the held-out split (per language where a language is named).
TARGET_COMPLAINT_F1 = 0.90
TARGET_MACRO_F1 = 0.80
TARGET_SENTIMENT_ACCURACY = 0.80


@dataclass(frozen=True)
class Scores:
    """(language, truth, predicted) triples and the metrics over them."""

    labels: tuple[str, ...]
    triples: tuple[tuple[str, str, str], ...]

    def _subset(self, language: str | None) -> list[tuple[str, str, str]]:
        return [triple for triple in self.triples if language is None or triple[0] == language]

    def count(self, language: str | None = None) -> int:
        return len(self._subset(language))

    def precision(self, label: str, language: str | None = None) -> float:
        predicted = [truth for _, truth, guess in self._subset(language) if guess == label]
        return sum(1 for truth in predicted if truth == label) / len(predicted) if predicted else 0.0

    def recall(self, label: str, language: str | None = None) -> float:
        actual = [guess for _, truth, guess in self._subset(language) if truth == label]
        return sum(1 for guess in actual if guess == label) / len(actual) if actual else 0.0

    def f1(self, label: str, language: str | None = None) -> float:
        precision, recall = self.precision(label, language), self.recall(label, language)
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def support(self, label: str, language: str | None = None) -> int:
        return sum(1 for _, truth, _ in self._subset(language) if truth == label)

    def macro_f1(self, language: str | None = None) -> float:
        return sum(self.f1(label, language) for label in self.labels) / len(self.labels)

    def accuracy(self, language: str | None = None) -> float:
        subset = self._subset(language)
        return sum(1 for _, truth, guess in subset if truth == guess) / len(subset) if subset else 0.0

    def confusion(self, language: str | None = None) -> Counter:
        return Counter((truth, guess) for _, truth, guess in self._subset(language))


def complaint_f1_interval(scores: Scores, language: str, *, rounds: int = 2000, seed: int = 1) -> tuple[float, float]:
    """A 95 % bootstrap interval of the complaint F1 in one language: the language's decisions resampled with
    replacement ``rounds`` times (a fixed seed, so the figures repeat), the 2.5th and 97.5th percentiles. It says how
    far the figure could move on another sample of the same kind of text."""
    import random

    triples = scores._subset(language)
    generator = random.Random(seed)
    values = sorted(
        score_predictions([generator.choice(triples) for _ in triples], scores.labels).f1("complaint") for _ in range(rounds)
    )
    return values[int(rounds * 0.025)], values[int(rounds * 0.975) - 1]


def score_predictions(triples: list[tuple[str, str, str]], labels: tuple[str, ...]) -> Scores:
    return Scores(labels=tuple(labels), triples=tuple(triples))


def evaluate(split: str = "test") -> dict[str, Scores]:
    """The committed artefact's scores on one split of the corpus, for both models, and, per hard-case tag
    (``no_keyword``, ``sarcasm``...), the complaint decisions on the complaints carrying it (``complaint:<tag>``)."""
    from voc.classifier import corpus
    from voc.classifier.model import load_models

    messages = corpus.load(splits=(split,))
    models = load_models()
    type_model, sentiment_model = models["contact_type"], models["sentiment"]
    decided = {m.message_id: type_model.predict(m.text).label for m in messages}
    tags = sorted({tag for m in messages for tag in m.phenomena})
    by_tag = {
        f"complaint:{tag}": score_predictions(
            [(m.language, m.contact_type, decided[m.message_id]) for m in messages if tag in m.phenomena],
            type_model.labels,
        )
        for tag in tags
    }
    return by_tag | {
        "contact_type": score_predictions(
            [(m.language, m.contact_type, decided[m.message_id]) for m in messages], type_model.labels
        ),
        "sentiment": score_predictions(
            [(m.language, m.sentiment, sentiment_model.predict(m.text).label) for m in messages], sentiment_model.labels
        ),
    }


def by_writer(progress=lambda message: None) -> dict[str, dict[str, Scores]]:
    """For each writer of the training corpus (``train`` and ``dev``), both models refitted (with the committed
    models' settings) on every other writer's messages and scored on that writer's: how the classifier does on a way
    of writing it never saw. Informative only: nothing is chosen from it, and the held-out writers play no part."""
    from voc.classifier import corpus, train
    from voc.classifier.model import load_models

    messages = corpus.load(splits=("train", "dev"))
    committed = load_models()
    results: dict[str, dict[str, Scores]] = {}
    for writer in sorted({corpus.part_of(m.message_id) for m in messages}):
        held = [m for m in messages if corpus.part_of(m.message_id) == writer]
        rest = [m for m in messages if corpus.part_of(m.message_id) != writer]
        results[writer] = {}
        for task, (attribute, labels) in train.TASKS.items():
            settings = train.Settings.of(committed[task].info)
            rows, version = train.export(task, *train.fit(rest, task, settings), settings)
            model = train.as_linear_model(task, rows, version, 0.0)
            results[writer][task] = score_predictions(
                [(m.language, getattr(m, attribute), model.predict(m.text).label) for m in held], labels
            )
        progress(f"{writer}: {len(held)} messages scored by models fitted on the {len(rest)} others")
    return results


def render_by_writer(results: dict[str, dict[str, Scores]]) -> str:
    """The by-writer figures as Markdown, with every writer's decisions pooled per language at the end."""
    lines = [
        "| writer | language | messages | complaint F1 | macro-F1 (five types) | sentiment accuracy |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for writer, scores in results.items():
        types, sentiment = scores["contact_type"], scores["sentiment"]
        language = types.triples[0][0]
        lines.append(
            f"| {writer} | {language} | {types.count()} | {types.f1('complaint'):.3f} | {types.macro_f1():.3f} | "
            f"{sentiment.accuracy():.3f} |"
        )
    pooled = {
        task: score_predictions(
            [triple for scores in results.values() for triple in scores[task].triples],
            next(iter(results.values()))[task].labels,
        )
        for task in ("contact_type", "sentiment")
    }
    for language in sorted({language for language, _, _ in pooled["contact_type"].triples}, reverse=True):
        types, sentiment = pooled["contact_type"], pooled["sentiment"]
        lines.append(
            f"| **all writers** | {language} | {types.count(language)} | {types.f1('complaint', language):.3f} | "
            f"{types.macro_f1(language):.3f} | {sentiment.accuracy(language):.3f} |"
        )
    return "\n".join(lines) + "\n"


def render(results: dict[str, Scores], *, split: str, versions: dict[str, str]) -> str:
    """The evaluation as Markdown (also readable as plain text in a terminal)."""
    types, sentiment = results["contact_type"], results["sentiment"]
    languages = sorted({language for language, _, _ in types.triples}, reverse=True)
    lines = [
        f"Split: `{split}` ({types.count()} messages: "
        + ", ".join(f"{types.count(language)} {language}" for language in languages)
        + ")",
        f"Models: `{versions['contact_type']}`, `{versions['sentiment']}`",
        "",
        "### Contact type",
        "",
        "| language | type | support | precision | recall | F1 |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for language in [*languages, None]:
        for label in types.labels:
            lines.append(
                f"| {language or 'all'} | {label} | {types.support(label, language)} | "
                f"{types.precision(label, language):.3f} | {types.recall(label, language):.3f} | {types.f1(label, language):.3f} |"
            )
    lines += [
        "",
        "| language | complaint F1 | its 95 % interval | macro-F1 (five types) | accuracy |",
        "|---|---:|---:|---:|---:|",
    ]
    for language in [*languages, None]:
        low, high = complaint_f1_interval(types, language) if language else (None, None)
        interval = f"{low:.3f} to {high:.3f}" if language else ""
        lines.append(
            f"| {language or 'all'} | {types.f1('complaint', language):.3f} | {interval} | "
            f"{types.macro_f1(language):.3f} | {types.accuracy(language):.3f} |"
        )
    lines += ["", "(The interval: the language's decisions resampled 2,000 times; see `complaint_f1_interval`.)"]
    for language in [*languages, None]:
        lines += ["", f"Confusion matrix ({language or 'all languages'}; rows: label, columns: prediction)", ""]
        lines += _matrix(types, language)
    lines += ["", "### Sentiment", "", "| language | accuracy | macro-F1 |", "|---|---:|---:|"]
    for language in [*languages, None]:
        lines.append(f"| {language or 'all'} | {sentiment.accuracy(language):.3f} | {sentiment.macro_f1(language):.3f} |")
    lines += ["", "Confusion matrix (all languages)", ""]
    lines += _matrix(sentiment, None)
    tagged = sorted(name for name in results if name.startswith("complaint:"))
    if tagged:
        lines += [
            "",
            "### Complaints by hard case",
            "",
            "Complaints carrying each tag of the corpus (a message may carry several): how many were recognised.",
            "",
            "| tag | complaints | recognised | recall |",
            "|---|---:|---:|---:|",
        ]
        for name in tagged:
            scores = results[name]
            support = scores.support("complaint")
            if support:
                found = round(scores.recall("complaint") * support)
                lines.append(f"| {name.split(':', 1)[1]} | {support} | {found} | {scores.recall('complaint'):.3f} |")
    lines += ["", "### Targets", ""]
    if split != "test":
        lines.append(f"The targets apply to the held-out `test` split; the `{split}` split was used in training.")
    for check, met in targets(results):
        lines.append(f"- {check}: {'met' if met else 'NOT MET'}")
    return "\n".join(lines) + "\n"


def targets(results: dict[str, Scores]) -> list[tuple[str, bool]]:
    """Each target with the figure measured and whether it is reached."""
    types, sentiment = results["contact_type"], results["sentiment"]
    languages = sorted({language for language, _, _ in types.triples}, reverse=True)
    checks = []
    for language in languages:
        value = types.f1("complaint", language)
        checks.append((f"complaint F1 ({language}) {value:.3f} >= {TARGET_COMPLAINT_F1:.2f}", value >= TARGET_COMPLAINT_F1))
    value = types.macro_f1()
    checks.append((f"macro-F1 over the five types {value:.3f} >= {TARGET_MACRO_F1:.2f}", value >= TARGET_MACRO_F1))
    for language in languages:
        value = sentiment.accuracy(language)
        checks.append(
            (
                f"sentiment accuracy ({language}) {value:.3f} >= {TARGET_SENTIMENT_ACCURACY:.2f}",
                value >= TARGET_SENTIMENT_ACCURACY,
            )
        )
    return checks


def _matrix(scores: Scores, language: str | None) -> list[str]:
    confusion = scores.confusion(language)
    lines = ["| label \\ prediction | " + " | ".join(scores.labels) + " |", "|---|" + "---:|" * len(scores.labels)]
    for truth in scores.labels:
        lines.append(f"| {truth} | " + " | ".join(str(confusion[(truth, guess)]) for guess in scores.labels) + " |")
    return lines
