"""chat: the chat platform's daily JSON export of sessions.

A contact is a session with at least one visitor message; its text is the first visitor message. Agents staff the
chat from 8:00 to 22:00; outside those hours, and when the queue is full, a session is missed (no agent, no
disposition). Agents sometimes greet before the visitor writes: only an agent message after the first visitor
message is a response. Some visitors open the widget and leave without writing (sessions that are not contacts).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from voc.sample import clock, texts
from voc.sample.faults import pick_files
from voc.sample.model import (
    DISPOSITION_CODES,
    UNDERSTATED_COMPLAINTS,
    ChannelOutput,
    Contact,
    Context,
    Malformed,
    label_of,
    language,
    pick,
)
from voc.sample.people import CHAT_AGENTS, Person
from voc.sample.writers import json_document, truncated

SESSIONS_PER_DAY = 10.0
SILENT_SESSIONS_PER_DAY = 0.5
INTENTS = (("inquiry", 0.55), ("complaint", 0.28), ("feedback", 0.12), ("other", 0.05))
HANDLED_SHARE = {"complaint": 0.5, "feedback": 0.8, "inquiry": 0.8, "other": 0.8}
UNDERSTATED_SHARE = 0.055
STAFFED_FROM, STAFFED_UNTIL = 8, 22


def simulate(ctx: Context) -> ChannelOutput:
    rng = ctx.rng("chat")
    period = ctx.period
    visitors: dict[str, str] = {}
    drafts: list[tuple[dict[str, Any], Contact | None]] = []
    for day in period.days():
        count = clock.daily_count(rng, period, day, ctx.rate(SESSIONS_PER_DAY))
        for received_at in clock.instants(rng, period, day, count):
            drafts.append(_session(ctx, rng, received_at, visitors))
        silent = clock.poisson(rng, ctx.rate(SILENT_SESSIONS_PER_DAY))
        for opened_at in clock.instants(rng, period, day, silent):
            drafts.append(_silent_session(rng, opened_at, visitors))
    drafts = [(session, contact) for session, contact in drafts if session["_ended"] < period.end]
    drafts.sort(key=lambda draft: draft[0]["_started"])

    output = ChannelOutput("chat")
    by_day: dict[str, list[dict[str, Any]]] = {f"chat/sessions_{day:%Y-%m-%d}.json": [] for day in period.days()}
    for number, (session, contact) in enumerate(drafts, start=1):
        session_id = f"chs_{number:06d}"
        started = session.pop("_started")
        session.pop("_ended")
        by_day[f"chat/sessions_{period.local_date(started):%Y-%m-%d}.json"].append({"id": session_id, **session})
        if contact is not None:
            contact.key = session_id
            output.contacts.append(contact)

    output.malformed = _add_session_without_id(ctx, rng, by_day, visitors)
    output.files = {path: _export(path, sessions) for path, sessions in by_day.items()}
    faulty = output.malformed[0].source_ref.split("#")[0]
    retry_of = pick_files(rng, {path: units for path, units in by_day.items() if path != faulty} or by_day, 1, minimum=4)[0]
    retry = retry_of.removesuffix(".json") + "_retry.json"
    output.files[retry] = truncated(output.files[retry_of], rng.uniform(0.4, 0.8))
    output.malformed.append(Malformed("chat", "sessions", retry, f"truncated JSON: a partial copy of {retry_of}"))
    output.files = dict(sorted(output.files.items()))
    output.raw_rows = {"raw.chat_sessions": len(drafts)}
    missed = sum(1 for contact in output.contacts if contact.first_response_at is None)
    output.progress = f"chat: {len(drafts):,} sessions ({len(output.contacts):,} contacts, {missed:,} missed)"
    return output


def _session(ctx: Context, rng: random.Random, received_at: datetime, visitors: dict[str, str]) -> tuple[dict, Contact]:
    period = ctx.period
    speaker = language(rng)
    customer = ctx.population.customer(rng, speaker)
    intent = pick(rng, INTENTS)
    options = texts.topics(speaker, intent)
    topic = ctx.complaint_topic(rng, intent, rng.choice(options), received_at, options)
    staffed = STAFFED_FROM <= period.local(received_at).hour < STAFFED_UNTIL
    handled = staffed and rng.random() < HANDLED_SHARE[intent]
    text_intent, text_topic = intent, topic
    if handled and rng.random() < UNDERSTATED_SHARE:
        topic, text_topic = rng.choice(UNDERSTATED_COMPLAINTS)
        intent, text_intent = "complaint", "inquiry"
    _, text = texts.message(rng, speaker, text_intent, text_topic, texts.fillers_at(rng, speaker, period.local(received_at)))

    started_at = received_at - clock.seconds(rng, 8, 90)
    visitor = _visitor(customer, visitors)
    agent = rng.choice(CHAT_AGENTS) if handled else None
    messages: list[tuple[str, str, str, datetime]] = []  # (author_type, author_id, text, sent_at)
    if handled and rng.random() < 0.15:
        messages.append(("agent", agent.id, texts.CHAT_GREETING[speaker], started_at + timedelta(seconds=3)))
    messages.append(("visitor", visitor["id"], text, received_at))
    cursor = received_at
    first_response_at = None
    if handled:
        cursor += clock.seconds(rng, 15, 180)
        first_response_at = cursor
        reply = texts.reply(rng, texts.AGENT_REPLIES, speaker, intent, name=customer.first_name)
        messages.append(("agent", agent.id, reply, cursor))
        if rng.random() < 0.6:
            cursor += clock.seconds(rng, 20, 240)
            messages.append(("visitor", visitor["id"], rng.choice(texts.CHAT_CLOSINGS[speaker]), cursor))
    else:
        cursor += clock.seconds(rng, 60, 180)
        messages.append(("system", "system", texts.CHAT_NO_AGENT[speaker], cursor))
        if rng.random() < 0.3:
            cursor += clock.seconds(rng, 10, 120)
            messages.append(("visitor", visitor["id"], rng.choice(texts.FOLLOW_UPS_BEFORE_REPLY[speaker]), cursor))
    ended_at = cursor + clock.seconds(rng, 30, 300)
    session = {
        "_started": started_at,
        "_ended": ended_at,
        "started_at": clock.iso_z(started_at),
        "ended_at": clock.iso_z(ended_at),
        "language": speaker,
        "visitor": visitor,
        "agent": {"id": agent.id, "name": agent.name} if agent else None,
        "disposition": DISPOSITION_CODES[(intent, topic)] if handled else None,
        "messages": [
            {
                "id": f"m{number}",
                "author_type": kind,
                "author_id": author,
                "text": body,
                "sent_at": clock.iso_z(sent_at),
            }
            for number, (kind, author, body, sent_at) in enumerate(messages, start=1)
        ],
    }
    contact = Contact(
        channel="chat",
        key="",
        received_at=received_at,
        language=speaker,
        text=text,
        disposition_code=session["disposition"],
        first_response_at=first_response_at,
        topic=topic,
        text_label=label_of(text_intent, text_topic),
    )
    return session, contact


def _silent_session(rng: random.Random, opened_at: datetime, visitors: dict[str, str]) -> tuple[dict, None]:
    """A visitor who opened the chat and left without writing: a session, not a contact."""
    speaker = language(rng)
    visitor_id = f"v_{9000 + len(visitors) + rng.randrange(100000)}"
    ended_at = opened_at + clock.seconds(rng, 20, 240)
    session = {
        "_started": opened_at,
        "_ended": ended_at,
        "started_at": clock.iso_z(opened_at),
        "ended_at": clock.iso_z(ended_at),
        "language": speaker,
        "visitor": {"id": visitor_id, "name": None, "email": None},
        "agent": None,
        "disposition": None,
        "messages": [
            {
                "id": "m1",
                "author_type": "system",
                "author_id": "system",
                "text": texts.CHAT_GREETING[speaker],
                "sent_at": clock.iso_z(opened_at + timedelta(seconds=1)),
            }
        ],
    }
    return session, None


def _visitor(customer: Person, visitors: dict[str, str]) -> dict[str, Any]:
    visitor_id = visitors.setdefault(customer.email, f"v_{1000 + len(visitors)}")
    return {"id": visitor_id, "name": customer.name, "email": customer.email}


def _add_session_without_id(
    ctx: Context, rng: random.Random, by_day: dict[str, list[dict]], visitors: dict[str, str]
) -> list[Malformed]:
    """An extra session that lost its ``id`` in the export."""
    path = pick_files(rng, by_day, 1)[0]
    opened_at = ctx.period.day_bounds(datetime.fromisoformat(path[-15:-5]).date())[0] + timedelta(hours=11)
    opened_at = min(opened_at, ctx.period.end - timedelta(hours=1))
    session, _ = _session(ctx, rng, opened_at + timedelta(seconds=30), visitors)
    session.pop("_started")
    session.pop("_ended")
    index = rng.randint(0, len(by_day[path]))
    by_day[path].insert(index, session)
    return [Malformed("chat", "sessions", f"{path}#{index}", "session has no id")]


def _export(path: str, sessions: list[dict[str, Any]]) -> bytes:
    return json_document({"export_date": path[-15:-5], "sessions": sessions}, pretty=True)
