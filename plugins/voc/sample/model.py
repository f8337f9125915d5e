"""What the generator knows about the history it writes: contacts, survey ratings, faulty units, files.

The ground truth is computed from these objects, never by reading the files back.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime

from voc.channels import contact_channels
from voc.sample.clock import Period
from voc.sample.people import Population

ORGANISATION = "Alba Connect"
SUPPORT_ADDRESS = "soporte@albaconnect.example"
SUPPORT_SENDER = f"{ORGANISATION} Soporte <{SUPPORT_ADDRESS}>"
BRAND_USER_ID = "1500000000000000001"
BRAND_USERNAME = "AlbaConnect"
PAGE_ID = "104000000000001"

CONTACT_CHANNELS = contact_channels()  # the channels seed's contact channels
RATED_CHANNELS = ("phone", "email", "chat")

# Disposition code of an agent-handled contact, by (intent, topic).
DISPOSITION_CODES = {
    ("complaint", "billing"): "CMP-BILLING",
    ("complaint", "outage"): "CMP-OUTAGE",
    ("complaint", "delivery"): "CMP-SERVICE",
    ("complaint", "defect"): "CMP-SERVICE",
    ("complaint", "staff"): "CMP-STAFF",
    ("inquiry", "billing"): "INQ-BILLING",
    ("inquiry", "product"): "INQ-PRODUCT",
    ("inquiry", "tech"): "INQ-TECH",
    ("feedback", "praise"): "FBK-PRAISE",
    ("feedback", "suggestion"): "FBK-SUGGESTION",
    ("other", "misdirected"): "OTH-WRONGNUMBER",
    ("other", "spam"): "OTH-SPAM",
}


def label_of(intent: str, topic: str) -> str:
    """The contact type the generator means a text of (intent, topic) to have: feedback is praise or suggestion."""
    return topic if intent == "feedback" else intent


# What each disposition code means, in the generator's own terms.
CODE_TYPES = {code: label_of(intent, topic) for (intent, topic), code in DISPOSITION_CODES.items()}
# A contact coded as a complaint whose own words read as a question: (complaint topic, topic of the question).
UNDERSTATED_COMPLAINTS = (("billing", "billing"), ("outage", "tech"), ("defect", "tech"))


@dataclass
class Contact:
    """One customer-initiated conversation, as the marts must see it."""

    channel: str
    key: str  # the contact's natural key: call id, root Message-ID (no <>), session id, tweet id, comment id, ...
    received_at: datetime
    language: str
    text: str | None
    disposition_code: str | None
    first_response_at: datetime | None
    topic: str
    text_label: str | None = None  # the type the generator meant the text to have (None without text)

    @property
    def contact_id(self) -> str:
        return f"{self.channel}:{self.key}"

    @property
    def contact_type(self) -> str:
        """The type the marts must give the contact: the agent's code wins, then the text's intended label."""
        if self.disposition_code:
            return CODE_TYPES[self.disposition_code]
        return self.text_label or "unclassified"


@dataclass(frozen=True)
class Rating:
    """One survey response, attributed to the contact it rates."""

    response_id: str
    submitted_at: datetime
    rated_channel: str
    rated_key: str
    csat: int | None
    nps: int | None


@dataclass(frozen=True)
class Malformed:
    channel: str
    entity: str
    source_ref: str
    problem: str

    def as_dict(self) -> dict[str, str]:
        return {"channel": self.channel, "entity": self.entity, "source_ref": self.source_ref, "problem": self.problem}


@dataclass
class ChannelOutput:
    """A channel's files (path relative to the sample folder -> bytes) and what they hold."""

    channel: str
    files: dict[str, bytes] = field(default_factory=dict)
    contacts: list[Contact] = field(default_factory=list)
    raw_rows: dict[str, int] = field(default_factory=dict)
    malformed: list[Malformed] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    truth: list[dict[str, str]] = field(default_factory=list)  # the channel's planned facts beyond its contacts
    progress: str = ""


@dataclass
class Context:
    seed: int
    period: Period
    scale: float
    population: Population
    spike_day: date
    actions: tuple = ()  # the corrective actions (voc.sample.actions.PlannedAction) that change later complaints

    def complaint_topic(self, rng: random.Random, intent: str, topic: str, received_at: datetime, topics) -> str:
        """``topic``, or another of ``topics`` when a corrective action closed before ``received_at`` prevented
        the complaint (voc.sample.actions)."""
        if intent != "complaint" or not self.actions:
            return topic
        from voc.sample.actions import topic_after_actions

        return topic_after_actions(self.actions, rng, self.period, topic, received_at, topics)

    def rng(self, purpose: str) -> random.Random:
        """An independent, reproducible random stream per purpose (string seeds hash the same in every process)."""
        return random.Random(f"{self.seed}/{purpose}")

    def rate(self, per_day: float) -> float:
        return per_day * self.scale


def pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    """One value of ``(value, weight)`` pairs."""
    values = [value for value, _ in weighted]
    weights = [weight for _, weight in weighted]
    return rng.choices(values, weights=weights, k=1)[0]


def language(rng: random.Random) -> str:
    """Spanish for about 70% of customers, English for the rest."""
    return "es" if rng.random() < 0.7 else "en"
