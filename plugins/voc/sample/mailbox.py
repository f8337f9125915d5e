"""email: the support mailbox's daily mbox export.

A contact is a thread whose root message is inbound; its text is the root's Subject and body. Agents reply during
office hours (Monday to Saturday), often days later; when they code the thread, the helpdesk stamps the reply with
``X-Disposition-Code`` (usually the first reply, sometimes only a later one). Customers chase unanswered threads and
answer replies; the organisation also starts a few threads itself (maintenance notices), which are not contacts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from voc.sample import clock, texts
from voc.sample.faults import pick_files
from voc.sample.model import (
    DISPOSITION_CODES,
    SUPPORT_ADDRESS,
    SUPPORT_SENDER,
    UNDERSTATED_COMPLAINTS,
    ChannelOutput,
    Contact,
    Context,
    Malformed,
    label_of,
    language,
    pick,
)
from voc.sample.people import Person
from voc.sample.writers import MailMessage, mbox_entry

THREADS_PER_DAY = 12.0
NOTICES_PER_DAY = 0.3
INTENTS = (("inquiry", 0.48), ("complaint", 0.35), ("feedback", 0.12), ("other", 0.05))
REPLY_PROBABILITY = {"complaint": 0.72, "feedback": 0.7, "inquiry": 0.85, "other": 0.3}
QUICK_REPLY_SHARE = {"complaint": 0.22, "feedback": 0.45, "inquiry": 0.45, "other": 0.45}
UNDERSTATED_SHARE = 0.055
OFFICE_OPENS, OFFICE_CLOSES = 8, 20


@dataclass
class Draft:
    """A message before the export: ``None`` dates are never sent."""

    date: datetime
    outbound: bool
    body: str
    code: str | None = None


def simulate(ctx: Context) -> ChannelOutput:
    rng = ctx.rng("email")
    period = ctx.period
    output = ChannelOutput("email")
    messages: list[MailMessage] = []
    for day in period.days():
        count = clock.daily_count(rng, period, day, ctx.rate(THREADS_PER_DAY))
        for received_at in clock.instants(rng, period, day, count):
            contact, thread = _customer_thread(ctx, rng, received_at)
            if contact is not None:
                output.contacts.append(contact)
                messages.extend(thread)
        for sent_at in clock.instants(rng, period, day, clock.poisson(rng, ctx.rate(NOTICES_PER_DAY)), from_hour=9):
            messages.extend(_notice_thread(ctx, rng, sent_at))

    by_day: dict[str, list[MailMessage]] = {f"email/mailbox_{day:%Y-%m-%d}.mbox": [] for day in period.days()}
    for message in sorted(messages, key=lambda message: message.date):
        by_day[f"email/mailbox_{period.local_date(message.date):%Y-%m-%d}.mbox"].append(message)

    output.malformed = _add_faulty_messages(ctx, rng, by_day)
    output.files = {
        path: b"".join(mbox_entry(message, _day_of(path)) for message in day_messages) for path, day_messages in by_day.items()
    }
    output.raw_rows = {"raw.email_messages": len(messages)}
    output.progress = f"email: {len(output.contacts):,} threads ({len(messages):,} messages)"
    return output


def _customer_thread(ctx: Context, rng: random.Random, received_at: datetime) -> tuple[Contact | None, list[MailMessage]]:
    period = ctx.period
    speaker = language(rng)
    customer = ctx.population.customer(rng, speaker)
    intent = pick(rng, INTENTS)
    options = texts.topics(speaker, intent)
    topic = ctx.complaint_topic(rng, intent, rng.choice(options), received_at, options)

    replied = rng.random() < REPLY_PROBABILITY[intent]
    reply_at = None
    if replied:
        if rng.random() < QUICK_REPLY_SHARE[intent]:
            delay = clock.seconds(rng, 3600, 16 * 3600)
        else:
            delay = clock.seconds(rng, 26 * 3600, 6 * 86400)
        reply_at = clock.within_hours(rng, period, received_at + delay, OFFICE_OPENS, OFFICE_CLOSES, sundays=False)
        reply_at = clock.clear_of_limit(received_at, reply_at)
    coding = rng.random()
    code_on = "first" if coding < 0.8 else "second" if coding < 0.9 else None
    text_intent, text_topic = intent, topic
    if replied and code_on == "first" and rng.random() < UNDERSTATED_SHARE:
        # Polite words, but the agent codes a complaint: the code wins.
        topic, text_topic = rng.choice(UNDERSTATED_COMPLAINTS)
        intent, text_intent = "complaint", "inquiry"
    code = DISPOSITION_CODES[(intent, topic)]

    values = texts.fillers_at(rng, speaker, period.local(received_at))
    _, core = texts.message(rng, speaker, text_intent, text_topic, values)
    subject = texts.fill(rng.choice(texts.SUBJECTS[(speaker, text_topic)]), speaker, rng, values)
    body = (
        f"{rng.choice(texts.EMAIL_OPENINGS[speaker])}\n\n{core}\n\n{rng.choice(texts.EMAIL_CLOSINGS[speaker])}\n{customer.name}\n"
    )
    drafts = [Draft(received_at, False, body)]
    if reply_at is not None and reply_at - received_at > timedelta(hours=30) and rng.random() < 0.35:
        chased_at = received_at + clock.seconds(rng, 20 * 3600, 30 * 3600)
        drafts.append(Draft(chased_at, False, _short(rng, texts.FOLLOW_UPS_BEFORE_REPLY[speaker], speaker, customer)))
    elif reply_at is None and rng.random() < 0.35:
        chased_at = received_at + clock.seconds(rng, 20 * 3600, 72 * 3600)
        drafts.append(Draft(chased_at, False, _short(rng, texts.FOLLOW_UPS_BEFORE_REPLY[speaker], speaker, customer)))
    if reply_at is not None:
        drafts.append(Draft(reply_at, True, _agent_body(rng, speaker, customer, intent), code if code_on == "first" else None))
        if rng.random() < 0.3:
            answered_at = reply_at + clock.seconds(rng, 3600, 48 * 3600)
            drafts.append(Draft(answered_at, False, _short(rng, texts.FOLLOW_UPS_AFTER_REPLY[speaker], speaker, customer)))
            if rng.random() < 0.6 or code_on == "second":
                second_at = clock.within_hours(
                    rng,
                    period,
                    answered_at + clock.seconds(rng, 2 * 3600, 72 * 3600),
                    OFFICE_OPENS,
                    OFFICE_CLOSES,
                    sundays=False,
                )
                drafts.append(
                    Draft(
                        second_at,
                        True,
                        _agent_body(rng, speaker, customer, intent),
                        code if code_on == "second" else None,
                    )
                )
    drafts = sorted((draft for draft in drafts if draft.date < period.end), key=lambda draft: draft.date)
    if not drafts or drafts[0].date != received_at:
        return None, []

    thread: list[MailMessage] = []
    for draft in drafts:
        message_id = _message_id(rng, draft.date, outbound=draft.outbound, customer=customer)
        previous = [message.message_id for message in thread]
        thread.append(
            MailMessage(
                message_id=message_id,
                date=draft.date,
                sender=SUPPORT_SENDER if draft.outbound else f"{customer.name} <{customer.email}>",
                sender_address=SUPPORT_ADDRESS if draft.outbound else customer.email,
                recipient=f"{customer.name} <{customer.email}>" if draft.outbound else SUPPORT_ADDRESS,
                subject=subject if not previous else f"Re: {subject}",
                body=draft.body,
                language=speaker,
                in_reply_to=previous[-1] if previous else None,
                references=previous,
                disposition_code=draft.code,
            )
        )
    outbound = [message for message in thread if message.sender_address == SUPPORT_ADDRESS]
    coded = [message.disposition_code for message in outbound if message.disposition_code]
    contact = Contact(
        channel="email",
        key=thread[0].message_id.strip("<>"),
        received_at=received_at,
        language=speaker,
        text=f"{subject} {body}",
        disposition_code=coded[0] if coded else None,
        first_response_at=outbound[0].date if outbound else None,
        topic=topic,
        text_label=label_of(text_intent, text_topic),
    )
    return contact, thread


def _notice_thread(ctx: Context, rng: random.Random, sent_at: datetime) -> list[MailMessage]:
    """A maintenance notice sent by the organisation, perhaps answered by the customer: not a contact."""
    speaker = language(rng)
    customer = ctx.population.customer(rng, speaker)
    subject_template, body_template = rng.choice(texts.PROACTIVE_EMAILS[speaker])
    city = rng.choice(texts.FILLERS[speaker]["city"])
    subject = subject_template.format(city=city)
    notice = MailMessage(
        message_id=_message_id(rng, sent_at, outbound=True, customer=customer),
        date=sent_at,
        sender=SUPPORT_SENDER,
        sender_address=SUPPORT_ADDRESS,
        recipient=f"{customer.name} <{customer.email}>",
        subject=subject,
        body=f"{body_template.format(city=city)}\n\n{texts.EMAIL_SIGNATURE[speaker]}\n",
        language=speaker,
    )
    thread = [notice]
    answered_at = sent_at + clock.seconds(rng, 3600, 24 * 3600)
    if rng.random() < 0.5 and answered_at < ctx.period.end:
        thread.append(
            MailMessage(
                message_id=_message_id(rng, answered_at, outbound=False, customer=customer),
                date=answered_at,
                sender=f"{customer.name} <{customer.email}>",
                sender_address=customer.email,
                recipient=SUPPORT_ADDRESS,
                subject=f"Re: {subject}",
                body=f"{rng.choice(texts.PROACTIVE_REPLIES[speaker])}\n\n{customer.first_name}\n",
                language=speaker,
                in_reply_to=notice.message_id,
                references=[notice.message_id],
            )
        )
    return thread


def _add_faulty_messages(ctx: Context, rng: random.Random, by_day: dict[str, list[MailMessage]]) -> list[Malformed]:
    """Two extra inbound messages, one that lost its Message-ID and one that lost its Date."""
    malformed = []
    for fault, path in zip(("Message-ID", "Date"), pick_files(rng, by_day, 2), strict=True):
        speaker = language(rng)
        customer = ctx.population.customer(rng, speaker)
        when = min(
            _day_of(path) - timedelta(hours=3) + timedelta(seconds=rng.randrange(8 * 3600)),
            ctx.period.end - timedelta(hours=1),
        )
        values = texts.fillers_at(rng, speaker, ctx.period.local(when))
        topic, core = texts.message(rng, speaker, "inquiry", None, values)
        message = MailMessage(
            message_id=None if fault == "Message-ID" else _message_id(rng, when, outbound=False, customer=customer),
            date=None if fault == "Date" else when,
            sender=f"{customer.name} <{customer.email}>",
            sender_address=customer.email,
            recipient=SUPPORT_ADDRESS,
            subject=texts.fill(rng.choice(texts.SUBJECTS[(speaker, topic)]), speaker, rng, values),
            body=f"{rng.choice(texts.EMAIL_OPENINGS[speaker])}\n\n{core}\n\n{customer.name}\n",
            language=speaker,
        )
        index = rng.randint(0, len(by_day[path]))
        by_day[path].insert(index, message)
        for number, earlier in enumerate(malformed):
            earlier_path, earlier_index = earlier.source_ref.rsplit("#", 1)
            if earlier_path == path and int(earlier_index) >= index:
                malformed[number] = Malformed("email", "messages", f"{path}#{int(earlier_index) + 1}", earlier.problem)
        malformed.append(Malformed("email", "messages", f"{path}#{index}", f"missing {fault} header"))
    return malformed


def _message_id(rng: random.Random, when: datetime, *, outbound: bool, customer: Person) -> str:
    if outbound:
        return f"<{when:%Y%m%d%H%M%S}.{rng.getrandbits(40):010x}@albaconnect.example>"
    domain = customer.email.rsplit("@", 1)[1]
    return f"<{rng.getrandbits(80):020x}@mail.{domain}>"


def _agent_body(rng: random.Random, speaker: str, customer: Person, intent: str) -> str:
    reply = texts.reply(rng, texts.AGENT_REPLIES, speaker, intent, name=customer.first_name)
    return f"{reply}\n\n{texts.EMAIL_SIGNATURE[speaker]}\n"


def _short(rng: random.Random, bank: list[str], speaker: str, customer: Person) -> str:
    return f"{rng.choice(bank)}\n\n{customer.first_name}\n"


def _day_of(path: str) -> datetime:
    """Noon UTC of the day in a mailbox file name (the separator date of a message that lost its Date)."""
    stamp = path.rsplit("_", 1)[1].removesuffix(".mbox")
    return datetime.fromisoformat(f"{stamp}T12:00:00+00:00")
