"""surveys: the satisfaction survey tool's daily CSV export.

About one phone, email or chat contact in nine is rated 1 to 72 hours after it arrived. Scores follow what happened:
an unanswered complaint scores low, an answered inquiry high. Each response is itself a contact (its comment
written for a type of its own, an empty comment unclassified) and is never answered.
"""

from __future__ import annotations

from voc.channels.surveys import COLUMNS  # the export format is defined once, by its reader
from voc.sample import clock, texts
from voc.sample.faults import write_csv_exports
from voc.sample.model import ChannelOutput, Contact, Context, Rating

RATED_SHARE = 0.11
CSAT_WEIGHTS = {  # (complaint, responded) -> weights of 1..5
    (True, False): (45, 30, 15, 7, 3),
    (True, True): (15, 20, 30, 25, 10),
    (False, False): (15, 20, 30, 20, 15),
    (False, True): (3, 5, 15, 40, 37),
}
NPS_RANGE = {1: (0, 4), 2: (1, 6), 3: (4, 8), 4: (6, 9), 5: (8, 10)}


def simulate(ctx: Context, rated: list[Contact]) -> ChannelOutput:
    rng = ctx.rng("surveys")
    period = ctx.period
    drafts = []
    for contact in sorted(rated, key=lambda contact: (contact.received_at, contact.channel, contact.key)):
        if contact.channel == "phone" and contact.first_response_at is None:
            continue  # abandoned calls get no survey
        if rng.random() >= RATED_SHARE:
            continue
        submitted_at = contact.received_at + clock.seconds(rng, 3600, 72 * 3600)
        if submitted_at >= period.end:
            continue
        complaint = contact.contact_type == "complaint"
        csat = rng.choices((1, 2, 3, 4, 5), weights=CSAT_WEIGHTS[(complaint, contact.first_response_at is not None)])[0]
        nps = rng.randint(*NPS_RANGE[csat])
        if rng.random() < 0.04:
            csat = None
        if rng.random() < 0.07:
            nps = None
        comment, mood = "", None
        if rng.random() < 0.55:
            if csat is None or csat == 3:
                mood = "other"
            elif csat <= 2:
                mood = "complaint"
            else:
                mood = "praise" if rng.random() < 0.75 else "suggestion"
            comment = rng.choice(texts.SURVEY_COMMENTS[(contact.language, mood)])
        drafts.append((submitted_at, contact, csat, nps, comment, mood))
    drafts.sort(key=lambda draft: draft[0])

    output = ChannelOutput("surveys")
    files: dict[str, list[list[str]]] = {f"surveys/responses_{day:%Y-%m-%d}.csv": [] for day in period.days()}
    for number, (submitted_at, contact, csat, nps, comment, label) in enumerate(drafts, start=1):
        response_id = f"SR-{number:06d}"
        files[f"surveys/responses_{period.local_date(submitted_at):%Y-%m-%d}.csv"].append(
            [
                response_id,
                clock.iso_z(submitted_at),
                contact.channel,
                contact.key,
                "" if csat is None else str(csat),
                "" if nps is None else str(nps),
                comment,
                contact.language,
            ]
        )
        output.ratings.append(Rating(response_id, submitted_at, contact.channel, contact.key, csat, nps))
        output.contacts.append(
            Contact("surveys", response_id, submitted_at, contact.language, comment or None, None, None, contact.topic, label)
        )

    output.files, output.malformed = write_csv_exports(
        rng,
        channel="surveys",
        entity="responses",
        header=COLUMNS,
        files=files,
        key_column="response_id",
        fresh_key=lambda key: f"SR-9{key[-5:]}",
        accented=("comment", "Atención rápida y amable."),
        extra_value="sin comentarios",
    )
    output.raw_rows = {"raw.survey_responses": len(drafts)}
    output.progress = f"surveys: {len(drafts):,} responses"
    return output
