"""cases: the helpdesk's daily CSV export of case status changes.

Most complaints from phone, email and chat open a case, and so do a few inquiries. A case goes new -> open ->
(pending) -> resolved -> closed; some are reopened and resolved again. The root cause is recorded when the case is
resolved. Events after ``end`` have not happened yet, so recent cases are still open (the backlog).
"""

from __future__ import annotations

from datetime import datetime

from voc.channels.cases import COLUMNS  # the export format is defined once, by its reader
from voc.sample import clock
from voc.sample.faults import write_csv_exports
from voc.sample.model import ChannelOutput, Contact, Context
from voc.sample.people import CASE_AGENTS

CASE_SHARE = {"complaint": 0.9, "inquiry": 0.08}
# topic -> (category, root cause)
CATEGORIES = {
    "billing": ("facturación", "billing_error"),
    "outage": ("red", "network_outage"),
    "delivery": ("logística", "delivery_delay"),
    "defect": ("equipos", "product_defect"),
    "staff": ("atención al cliente", "staff_conduct"),
    "product": ("consultas", "no_fault"),
    "tech": ("soporte técnico", "no_fault"),
}
REOPENED_SHARE = 0.07


def simulate(ctx: Context, contacts: list[Contact]) -> ChannelOutput:
    rng = ctx.rng("cases")
    period = ctx.period
    events: list[tuple[datetime, int, Contact, str, str, str]] = []  # (at, case number, contact, status, agent, cause)
    lifecycles: list[dict[str, str]] = []
    cases = 0
    for contact in sorted(contacts, key=lambda contact: (contact.received_at, contact.channel, contact.key)):
        share = CASE_SHARE.get(contact.contact_type, 0.0)
        if contact.topic not in CATEGORIES or rng.random() >= share:
            continue
        complaint = contact.contact_type == "complaint"
        cause = CATEGORIES[contact.topic][1] if complaint else "no_fault"
        agent = rng.choice(CASE_AGENTS).id
        at = contact.received_at + clock.seconds(rng, 120, 40 * 60)
        steps = [("new", at)]
        at += clock.seconds(rng, 600, 6 * 3600)
        steps.append(("open", at))
        if rng.random() < 0.35:
            at += clock.seconds(rng, 3600, 48 * 3600)
            steps.append(("pending", at))
        at += clock.seconds(rng, 3 * 3600, 8 * 86400) if complaint else clock.seconds(rng, 3600, 2 * 86400)
        steps.append(("resolved", at))
        if rng.random() < REOPENED_SHARE:
            at += clock.seconds(rng, 86400, 6 * 86400)
            steps.append(("reopened", at))
            at += clock.seconds(rng, 4 * 3600, 4 * 86400)
            steps.append(("resolved", at))
        at += clock.seconds(rng, 2 * 86400, 7 * 86400)
        steps.append(("closed", at))
        steps = [(status, when) for status, when in steps if when < period.end]
        if not steps:
            continue
        cases += 1
        known = False
        for status, when in steps:
            known = known or status == "resolved"
            events.append((when, cases, contact, status, "" if status == "new" else agent, cause if known else ""))
        lifecycles.append(_lifecycle(f"CASE-{cases:06d}", contact, steps, cause))
    events.sort(key=lambda event: (event[0], event[1]))

    output = ChannelOutput("cases", truth=lifecycles)
    files: dict[str, list[list[str]]] = {f"cases/case_events_{day:%Y-%m-%d}.csv": [] for day in period.days()}
    for number, (when, case, contact, status, agent, cause) in enumerate(events, start=1):
        category = CATEGORIES[contact.topic][0]
        files[f"cases/case_events_{period.local_date(when):%Y-%m-%d}.csv"].append(
            [
                f"EV-{number:07d}",
                f"CASE-{case:06d}",
                contact.channel,
                contact.key,
                status,
                clock.iso_z(when),
                category,
                cause,
                agent,
            ]
        )
    output.files, output.malformed = write_csv_exports(
        rng,
        channel="cases",
        entity="events",
        header=COLUMNS,
        files=files,
        key_column="event_id",
        fresh_key=lambda key: f"EV-9{key[3:]}",
        accented=("category", "facturación"),
        extra_value="revisado",
    )
    output.raw_rows = {"raw.case_events": len(events)}
    output.progress = f"cases: {cases:,} cases ({len(events):,} status events)"
    return output


LIFECYCLE_COLUMNS = (
    "case_id",
    "contact_id",
    "opened_at",
    "assigned_at",
    "first_resolved_at",
    "resolved_at",
    "closed_at",
    "reopened_at",
    "reopen_count",
    "pending_at",
    "pending_until",
    "category",
    "root_cause",
)


def _lifecycle(case_id: str, contact: Contact, steps: list[tuple[str, datetime]], cause: str) -> dict[str, str]:
    """The case as planned up to the sample's end: when it was opened, assigned, first and finally resolved (empty
    while a reopening awaits its new resolution), closed and reopened (a case is reopened at most once), the interval
    it waited on the customer (pending until its next step; a case is pending at most once), its category, and its
    root cause once recorded (from its first resolution on; empty before)."""

    def first(status: str) -> str:
        return next((clock.iso_z(when) for name, when in steps if name == status), "")

    statuses = [name for name, _ in steps]
    last_resolved = max((index for index, name in enumerate(statuses) if name == "resolved"), default=None)
    reopened_after = last_resolved is not None and "reopened" in statuses[last_resolved:]
    return {
        "case_id": case_id,
        "contact_id": contact.contact_id,
        "opened_at": first("new"),
        "assigned_at": first("open"),
        "first_resolved_at": first("resolved"),
        "resolved_at": "" if last_resolved is None or reopened_after else clock.iso_z(steps[last_resolved][1]),
        "closed_at": first("closed"),
        "reopened_at": first("reopened"),
        "reopen_count": str(statuses.count("reopened")),
        "pending_at": first("pending"),
        "pending_until": next(
            (clock.iso_z(steps[index + 1][1]) for index, name in enumerate(statuses[:-1]) if name == "pending"), ""
        ),
        "category": CATEGORIES[contact.topic][0],
        "root_cause": cause if "resolved" in statuses else "",
    }
