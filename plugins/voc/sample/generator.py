"""The seeded generator: every channel's files and the ground truth of what the marts must show.

Same seed, end and scale give byte-identical files: every random draw comes from a ``random.Random`` seeded per
channel, nothing depends on the clock (once ``end`` is fixed) or on set ordering.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from voc.channels import REGISTRY
from voc.sample import actions, cases, chat, facebook, mailbox, phone, surveys, twitter, web
from voc.sample.cases import LIFECYCLE_COLUMNS
from voc.sample.clock import RESPONSE_LIMIT, Period, floor_hour
from voc.sample.model import CONTACT_CHANNELS, RATED_CHANNELS, ChannelOutput, Contact, Context, Rating
from voc.sample.people import Population

# the registry says which channels there are and which raw table holds each entity
SOURCE_CHANNELS = tuple(REGISTRY)
RAW_TABLES = tuple(f"raw.{table}" for channel in REGISTRY.values() for table in channel.entities.values())
GROUND_TRUTH = "ground_truth.json"
GROUND_TRUTH_CONTACTS = "ground_truth_contacts.csv"
GROUND_TRUTH_CASES = "ground_truth_cases.csv"
CONTACT_TRUTH_COLUMNS = (
    "contact_id",
    "channel",
    "received_at",
    "language",
    "disposition_code",
    "text_label",
    "contact_type",
    "first_response_at",
)
# Written into every sample folder: `generate` replaces only a folder that holds it (or a ground truth), so it never
# deletes a drop folder of real exports that a setting points it at.
SAMPLE_MARKER = ".voc-sample"


class SampleFolderError(ValueError):
    """The output folder holds files the sample generator did not write."""


AGREEMENT_SAMPLE = 5000  # texts the classifier is compared on (all of them in samples of up to this size)


def generate(
    out_dir: Path,
    *,
    seed: int = 42,
    end: datetime | None = None,
    months: int = 3,
    scale: float = 1.0,
    timezone: str = "Europe/Madrid",
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Write every channel's files under out_dir/<channel>/ and out_dir/ground_truth.json; return the ground truth.

    The period runs from the first day (in ``timezone``) of the month ``months`` months before ``end``'s month to
    ``end`` (default: now, floored to the hour); nothing is emitted after ``end``. ``scale`` multiplies the volume
    (1.0 is about 60 contacts a day). Previous channel folders and ground truth in ``out_dir`` are replaced, but only
    when the sample wrote them: a non-empty folder without the sample's marker is refused (``SampleFolderError``).
    """
    _refuse_foreign_folder(Path(out_dir))
    if months < 0:
        raise ValueError(f"months must be 0 or more, got {months}")
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    end = floor_hour(datetime.now(UTC)) if end is None else _as_utc(end)
    period = Period.ending(end, months, timezone)
    if period.start >= period.end:
        raise ValueError(f"the period is empty: {end.isoformat()} is the very start of its month; ask for months >= 1")
    say = progress or (lambda message: None)
    ctx = Context(
        seed=seed,
        period=period,
        scale=scale,
        population=Population(random.Random(f"{seed}/people")),
        spike_day=spike_day(period),
        actions=actions.plan(period),
    )

    outputs: dict[str, ChannelOutput] = {}
    for name, module in (
        ("phone", phone),
        ("email", mailbox),
        ("chat", chat),
        ("twitter", twitter),
        ("facebook", facebook),
        ("web", web),
    ):
        outputs[name] = module.simulate(ctx)
        say(outputs[name].progress)
    rated = [contact for name in RATED_CHANNELS for contact in outputs[name].contacts]
    outputs["surveys"] = surveys.simulate(ctx, rated)
    say(outputs["surveys"].progress)
    outputs["cases"] = cases.simulate(ctx, rated)
    say(outputs["cases"].progress)
    outputs["actions"] = actions.simulate(ctx.actions, period)
    say(outputs["actions"].progress)

    truth = ground_truth(ctx, outputs)
    contacts = [contact for name in CONTACT_CHANNELS for contact in outputs[name].contacts]
    truth["classifier_agreement"] = classifier_agreement(contacts, random.Random(f"{seed}/agreement"))
    _write(Path(out_dir), outputs, truth, contacts)
    say(
        f"ground truth: {truth['summary']['contacts']:,} contacts, {truth['summary']['complaints']:,} complaints, "
        f"{len(truth['malformed'])} malformed units"
    )
    agreement = truth["classifier_agreement"]
    say(
        f"classifier {agreement['model_version']} agrees with the type each text was written for on "
        f"{agreement['agreeing']:,} of {agreement['texts']:,} texts ({agreement['agreement']:.1%}); "
        f"complaints: precision {agreement['complaint_precision']:.1%}, recall {agreement['complaint_recall']:.1%}"
    )
    return truth


def classifier_agreement(contacts: list[Contact], rng: random.Random) -> dict[str, Any]:
    """How often the classifier gives a sample text the type the generator wrote it for (a measurement, not truth)."""
    from voc.classifier.evaluate import score_predictions
    from voc.classifier.model import load_models

    model = load_models()["contact_type"]
    labelled = [contact for contact in contacts if contact.text and contact.text_label]
    if len(labelled) > AGREEMENT_SAMPLE:
        labelled = rng.sample(labelled, AGREEMENT_SAMPLE)
    scores = score_predictions(
        [(contact.language, contact.text_label, model.predict(contact.text).label) for contact in labelled], model.labels
    )
    confusion = scores.confusion()
    return {
        "model_version": model.version,
        "texts": len(labelled),
        "agreeing": sum(count for (truth, guess), count in confusion.items() if truth == guess),
        "agreement": scores.accuracy(),
        "complaint_precision": scores.precision("complaint"),
        "complaint_recall": scores.recall("complaint"),
        "disagreements": {f"{truth}->{guess}": count for (truth, guess), count in sorted(confusion.items()) if truth != guess},
    }


def spike_day(period: Period) -> date:
    """Mid second month (an outage day), or the middle of the period when it is shorter than that."""
    months = period.months()
    if len(months) >= 2:
        year, month = (int(part) for part in months[1].split("-"))
        candidate = date(year, month, 15 + (year * 12 + month) % 5)
        if period.day_bounds(candidate)[1] <= period.end:
            return candidate
    middle = period.start + (period.end - period.start) / 2
    return period.local_date(middle)


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def ground_truth(ctx: Context, outputs: dict[str, ChannelOutput]) -> dict[str, Any]:
    """The figures the warehouse must reproduce, from the generator's own model."""
    period = ctx.period
    raw_rows: dict[str, int] = {}
    for output in outputs.values():
        raw_rows.update(output.raw_rows)
    contacts = [contact for name in CONTACT_CHANNELS for contact in outputs[name].contacts]
    ratings = outputs["surveys"].ratings

    kpis = []
    for channel in CONTACT_CHANNELS:
        for month in period.months():
            received = [c for c in outputs[channel].contacts if period.month_of(c.received_at) == month]
            complaints = [c for c in received if c.contact_type == "complaint"]
            responded = [c for c in complaints if c.first_response_at is not None]
            within = [c for c in responded if c.first_response_at - c.received_at <= RESPONSE_LIMIT]
            rating = [r for r in ratings if r.rated_channel == channel and period.month_of(r.submitted_at) == month]
            kpis.append(
                {
                    "channel": channel,
                    "month": month,
                    "contacts": len(received),
                    "complaints": len(complaints),
                    "complaints_responded": len(responded),
                    "complaints_responded_within_24h": len(within),
                    "survey_responses": len(rating),
                    "csat": csat(rating),
                    "nps": nps(rating),
                }
            )

    complaints = [c for c in contacts if c.contact_type == "complaint"]
    within = [c for c in complaints if c.first_response_at and c.first_response_at - c.received_at <= RESPONSE_LIMIT]
    tweets = [c for c in complaints if c.channel == "twitter"]
    malformed = [fault.as_dict() for name in SOURCE_CHANNELS for fault in outputs[name].malformed]
    return {
        "seed": ctx.seed,
        "timezone": period.tz.key,
        "start": period.first_day.isoformat(),
        "end": period.end.isoformat(),
        "raw_rows": {table: raw_rows[table] for table in RAW_TABLES},
        "malformed": malformed,
        "kpis": kpis,
        "mention_spike": {"date": ctx.spike_day.isoformat(), "channel": "twitter"},
        "corrective_actions": outputs["actions"].truth,
        "summary": {
            "contacts": len(contacts),
            "complaints": len(complaints),
            "complaints_responded_within_24h": len(within),
            "share_responded_within_24h": _share(len(within), len(complaints)),
            "twitter_complaints": len(tweets),
            "twitter_complaints_unanswered_share": _share(sum(1 for c in tweets if c.first_response_at is None), len(tweets)),
            "malformed": len(malformed),
        },
    }


def csat(ratings: list[Rating]) -> float | None:
    """Share of 4-5 answers among the CSAT answers (None without answers)."""
    answers = [r.csat for r in ratings if r.csat is not None]
    return _share(sum(1 for score in answers if score >= 4), len(answers))


def nps(ratings: list[Rating]) -> float | None:
    """% promoters (9-10) minus % detractors (0-6) among the NPS answers (None without answers)."""
    answers = [r.nps for r in ratings if r.nps is not None]
    if not answers:
        return None
    promoters = sum(1 for score in answers if score >= 9)
    detractors = sum(1 for score in answers if score <= 6)
    return 100 * (promoters - detractors) / len(answers)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _refuse_foreign_folder(out_dir: Path) -> None:
    if not out_dir.is_dir() or (out_dir / SAMPLE_MARKER).exists() or (out_dir / GROUND_TRUTH).exists():
        return
    found = sorted(path.name for path in out_dir.iterdir())
    if found:
        shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
        raise SampleFolderError(
            f"{out_dir} holds files the sample generator did not write ({shown}): refusing to replace them. "
            "Write the sample to an empty folder (voc sample --out DIR) or point VOC_SAMPLE_DIR elsewhere."
        )


def _write(out_dir: Path, outputs: dict[str, ChannelOutput], truth: dict[str, Any], contacts: list[Contact]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / SAMPLE_MARKER).write_text("written by `voc sample`: this folder may be replaced by the next one\n")
    for channel in SOURCE_CHANNELS:
        shutil.rmtree(out_dir / channel, ignore_errors=True)
    (out_dir / GROUND_TRUTH).unlink(missing_ok=True)
    (out_dir / GROUND_TRUTH_CONTACTS).unlink(missing_ok=True)
    (out_dir / GROUND_TRUTH_CASES).unlink(missing_ok=True)
    for output in outputs.values():
        for relative, content in output.files.items():
            path = out_dir / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    with (out_dir / GROUND_TRUTH_CONTACTS).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CONTACT_TRUTH_COLUMNS)
        for contact in contacts:
            writer.writerow(
                [
                    contact.contact_id,
                    contact.channel,
                    contact.received_at.isoformat(),
                    contact.language,
                    contact.disposition_code or "",
                    contact.text_label or "",
                    contact.contact_type,
                    contact.first_response_at.isoformat() if contact.first_response_at else "",
                ]
            )
    with (out_dir / GROUND_TRUTH_CASES).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, LIFECYCLE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(outputs["cases"].truth if "cases" in outputs else [])
    (out_dir / GROUND_TRUTH).write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


__all__ = ["SampleFolderError", "classifier_agreement", "generate", "ground_truth", "spike_day"]
