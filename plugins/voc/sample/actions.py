"""actions: the quality office's corrective-action register, and the effect each action has on later complaints.

The register is planned relative to the sample's period so every sample shows each kind of action: one that
worked (its root cause's complaints fall by ``reduction`` once it is closed), one closed without effect, one still
awaiting its effectiveness check, and one open past its due day. The register is exported every Monday and on the
sample's last day, each file the whole register as known that day (an action shows as closed from its closing day).
A period too short to hold the comparison windows gets no register.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from voc.channels.actions import COLUMNS  # the export format is defined once, by its reader
from voc.sample.cases import CATEGORIES
from voc.sample.clock import Period
from voc.sample.model import ChannelOutput

# root cause -> the complaint topic it causes (the cases' CATEGORIES read the other way)
CAUSE_TOPICS = {cause: topic for topic, (_, cause) in CATEGORIES.items() if cause != "no_fault"}
MINIMUM_UNIT_DAYS = 5


@dataclass(frozen=True)
class PlannedAction:
    action_id: str
    root_cause: str
    description: str
    owner_role: str
    opened_on: date
    due_on: date
    closed_on: date | None
    effectiveness_check_on: date
    reduction: float  # the share of its root cause's complaints that no longer happen once it is closed

    @property
    def topic(self) -> str:
        return CAUSE_TOPICS[self.root_cause]

    def row(self, on: date) -> list[str] | None:
        """The register's row for the action as exported on ``on`` (None before it was opened)."""
        if self.opened_on > on:
            return None
        closed = self.closed_on if self.closed_on is not None and self.closed_on <= on else None
        return [
            self.action_id,
            self.root_cause,
            self.description,
            self.opened_on.isoformat(),
            self.due_on.isoformat(),
            closed.isoformat() if closed else "",
            self.owner_role,
            self.effectiveness_check_on.isoformat(),
        ]

    def as_dict(self) -> dict[str, str | float | None]:
        return {
            "action_id": self.action_id,
            "root_cause": self.root_cause,
            "opened_on": self.opened_on.isoformat(),
            "due_on": self.due_on.isoformat(),
            "closed_on": self.closed_on.isoformat() if self.closed_on else None,
            "effectiveness_check_on": self.effectiveness_check_on.isoformat(),
            "reduction": self.reduction,
        }


def plan(period: Period) -> tuple[PlannedAction, ...]:
    """The register for ``period``, in a unit of a sixth of its days: each closed action's comparison windows (one
    unit before opening, one unit from closing to the check) lie inside the period."""
    days = list(period.days())
    unit = len(days) // 6
    if unit < MINIMUM_UNIT_DAYS:
        return ()
    first, last = days[0], days[-1]

    def day(offset: int) -> date:
        return first + timedelta(days=offset)

    actions = (
        PlannedAction(
            "CA-001",
            "billing_error",
            "Validate tariff changes against the contract before the billing run",
            "billing_lead",
            opened_on=day(unit + 1),
            due_on=day(unit + unit // 2 + 4),
            closed_on=day(unit + unit // 2 + 1),
            effectiveness_check_on=day(2 * unit + unit // 2 + 1),
            reduction=0.8,
        ),
        PlannedAction(
            "CA-002",
            "delivery_delay",
            "Second courier for the islands",
            "logistics_manager",
            opened_on=day(unit + 2),
            due_on=day(unit + unit // 2),
            closed_on=day(unit + unit // 2 + 4),
            effectiveness_check_on=day(2 * unit + unit // 2 + 4),
            reduction=0.0,
        ),
        PlannedAction(
            "CA-003",
            "staff_conduct",
            "Refresher training on complaint handling for the night shift",
            "customer_care_manager",
            opened_on=day(3 * unit),
            due_on=day(4 * unit),
            closed_on=day(4 * unit),
            effectiveness_check_on=last + timedelta(days=unit),
            reduction=0.5,
        ),
        PlannedAction(
            "CA-004",
            "network_outage",
            "Redundant backhaul for the affected exchange",
            "network_operations",
            opened_on=day(4 * unit),
            due_on=day(5 * unit),
            closed_on=None,
            effectiveness_check_on=day(7 * unit),
            reduction=0.0,
        ),
    )
    assert all(action.closed_on is None or action.closed_on <= last for action in actions)
    return actions


def topic_after_actions(
    actions: tuple[PlannedAction, ...],
    rng: random.Random,
    period: Period,
    topic: str,
    received_at: datetime,
    topics: list[str] | tuple[str, ...],
) -> str:
    """The topic of a complaint received at ``received_at``: an action closed before that day prevents its root
    cause's complaints with probability ``reduction`` (the customer complains of another topic instead, or of the
    same one when it is the only one)."""
    day = period.local_date(received_at)
    for action in actions:
        if action.topic == topic and action.reduction and action.closed_on is not None and action.closed_on <= day:
            if rng.random() < action.reduction:
                others = [other for other in topics if other != topic]
                return rng.choice(others) if others else topic
    return topic


def simulate(actions: tuple[PlannedAction, ...], period: Period) -> ChannelOutput:
    output = ChannelOutput("actions", truth=[action.as_dict() for action in actions])
    output.raw_rows = {"raw.corrective_actions": len(actions)}
    if not actions:
        output.progress = "actions: no corrective-action register (the period is too short)"
        return output
    days = list(period.days())
    export_days = [day for day in days if day.weekday() == 0 and day >= actions[0].opened_on] + [days[-1]]
    for on in sorted(set(export_days)):
        rows = [row for action in actions if (row := action.row(on)) is not None]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        output.files[f"actions/corrective_actions_{on:%Y-%m-%d}.csv"] = buffer.getvalue().encode("utf-8")
    output.progress = f"actions: {len(actions)} corrective actions in {len(output.files)} register exports"
    return output
