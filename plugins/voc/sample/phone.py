"""phone: the call centre's daily CSV export (local time with offset).

Every call is a contact. An answered call is answered by an agent who codes it (its disposition code is its type);
an abandoned call has no agent, no code and no text, so it is unclassified, and a callback request is not a
response. Only calls that ended before ``end`` are in the export.
"""

from __future__ import annotations

from datetime import timedelta

from voc.channels.phone import COLUMNS  # the export format is defined once, by its reader
from voc.sample import clock
from voc.sample.faults import write_csv_exports
from voc.sample.model import DISPOSITION_CODES, ChannelOutput, Contact, Context, language, pick
from voc.sample.people import PHONE_AGENTS

CALLS_PER_DAY = 25.0
INTENTS = (("inquiry", 0.8), ("complaint", 0.08), ("feedback", 0.06), ("other", 0.06))
TOPICS = {
    "inquiry": ("billing", "product", "tech"),
    "complaint": ("billing", "outage", "delivery", "defect", "staff"),
    "feedback": ("praise", "suggestion"),
    "other": ("misdirected",),
}
QUEUES = {
    "billing": "facturación",
    "product": "comercial",
    "delivery": "comercial",
    "tech": "soporte técnico",
    "outage": "soporte técnico",
    "defect": "soporte técnico",
    "staff": "atención al cliente",
    "praise": "atención al cliente",
    "suggestion": "atención al cliente",
    "misdirected": "atención al cliente",
}


def simulate(ctx: Context) -> ChannelOutput:
    rng = ctx.rng("phone")
    period = ctx.period
    output = ChannelOutput("phone")
    files: dict[str, list[list[str]]] = {}
    for day in period.days():
        rows = []
        for started_at in clock.instants(rng, period, day, clock.daily_count(rng, period, day, ctx.rate(CALLS_PER_DAY))):
            speaker = language(rng)
            caller = ctx.population.customer(rng, speaker)
            hour = period.local(started_at).hour
            abandoned = rng.random() < (0.06 if 8 <= hour < 21 else 0.22)
            intent = pick(rng, INTENTS)
            topic = ctx.complaint_topic(rng, intent, rng.choice(TOPICS[intent]), started_at, TOPICS[intent])
            if abandoned:
                wait = rng.randint(15, 420)
                answered_at, talk, agent, code = None, 0, "", None
                ended_at = started_at + timedelta(seconds=wait)
                callback = rng.random() < 0.3
            else:
                wait = rng.randint(5, 240) if 8 <= hour < 21 else rng.randint(30, 600)
                answered_at = started_at + timedelta(seconds=wait)
                talk = rng.randint(60, 1500)
                ended_at = answered_at + timedelta(seconds=talk)
                agent = rng.choice(PHONE_AGENTS).id
                code = DISPOSITION_CODES[(intent, topic)]
                callback = False
            if ended_at >= period.end:
                continue  # still on the line when the export was taken
            call_id = f"CALL-{day:%Y%m%d}-{len(rows) + 1:05d}"
            rows.append(
                [
                    call_id,
                    caller.phone,
                    QUEUES[topic],
                    agent,
                    clock.iso_local(period, started_at),
                    clock.iso_local(period, answered_at) if answered_at else "",
                    clock.iso_local(period, ended_at),
                    str(wait),
                    str(talk),
                    "true" if abandoned else "false",
                    code or "",
                    "true" if callback else "false",
                    speaker,
                ]
            )
            output.contacts.append(Contact("phone", call_id, started_at, speaker, None, code, answered_at, topic if code else ""))
        files[f"phone/calls_{day:%Y-%m-%d}.csv"] = rows

    output.files, output.malformed = write_csv_exports(
        rng,
        channel="phone",
        entity="calls",
        header=COLUMNS,
        files=files,
        key_column="call_id",
        fresh_key=lambda key: key[:-5] + "9" + key[-4:],
        accented=("queue", "facturación"),
        extra_value="transferida",
    )
    output.raw_rows = {"raw.phone_calls": len(output.contacts)}
    abandoned = sum(1 for contact in output.contacts if contact.first_response_at is None)
    output.progress = f"phone: {len(output.contacts):,} calls ({abandoned:,} abandoned)"
    return output
