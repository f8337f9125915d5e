"""web: daily snapshots of blog, forum and press-alert feeds that mention the brand (RSS 2.0 and Atom 1.0).

Every item is a contact (received when published); nobody answers them. A snapshot shows the items of its day and
the two days before, so items repeat across snapshots. On the spike day an outage multiplies the complaints tenfold.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from voc.sample import clock, texts
from voc.sample.clock import Period
from voc.sample.model import ChannelOutput, Contact, Context, Malformed, label_of, language, pick
from voc.sample.people import FIRST_NAMES, LAST_NAMES
from voc.sample.writers import FeedItem, FeedSource, feed_document

MENTIONS_PER_DAY = 2.0
INTENTS = (("other", 0.4), ("complaint", 0.35), ("feedback", 0.25))  # "other": news that merely names the brand
SPIKE_FACTOR = 10
WINDOW_DAYS = 3
SOURCES = (
    FeedSource("blog_tecnologia", "Blog de Tecnología y Telecos", "https://blog-tecnologia.example.org/", "es-es", "rss20"),
    FeedSource("foro_movil", "Foro Móvil: operadores", "https://foro-movil.example.org/", "es", "atom10"),
    FeedSource("alertas_prensa", "Alertas de prensa: Alba Connect", "https://alertas.example.org/alba-connect/", "es", "atom10"),
    FeedSource("telecom_watch", "Telecom Watch Europe", "https://telecomwatch.example.com/", "en", "rss20"),
)


@dataclass
class Mention:
    source: FeedSource
    item: FeedItem
    local_day: date
    topic: str
    label: str  # the contact type the generator means the mention to have


def simulate(ctx: Context) -> ChannelOutput:
    rng = ctx.rng("web")
    period = ctx.period
    output = ChannelOutput("web")
    mentions: list[Mention] = []
    numbers = {source.name: 0 for source in SOURCES}
    for day in period.days():
        count = clock.daily_count(rng, period, day, ctx.rate(MENTIONS_PER_DAY))
        planned = [(when, pick(rng, INTENTS)) for when in clock.instants(rng, period, day, count)]
        if day == ctx.spike_day:
            usual = ctx.rate(MENTIONS_PER_DAY) * dict(INTENTS)["complaint"]
            extra = round(usual * (SPIKE_FACTOR - 1))
            planned += [(when, "outage") for when in clock.instants(rng, period, day, extra, from_hour=9)]
        for published, intent in sorted(planned, key=lambda plan: plan[0]):
            if published >= period.end:
                continue
            mention = _mention(rng, period, published, intent, numbers)
            mentions.append(mention)
            output.contacts.append(
                Contact(
                    "web",
                    mention.item.guid or mention.item.link,
                    published,
                    mention.source.language[:2],
                    f"{mention.item.title} {mention.item.summary}",
                    None,
                    None,
                    mention.topic,
                    mention.label,
                )
            )

    snapshots: dict[str, tuple[FeedSource, datetime, list[FeedItem]]] = {}
    for day in period.days():
        built_at = min(period.day_bounds(day)[1], period.end)
        window = {day - timedelta(days=back) for back in range(WINDOW_DAYS)}
        for source in SOURCES:
            items = [mention.item for mention in mentions if mention.source is source and mention.local_day in window]
            snapshots[f"web/{source.name}_{day:%Y-%m-%d}.xml"] = (source, built_at, list(reversed(items)))

    output.malformed = _add_invalid_items(rng, snapshots)
    output.files = {path: feed_document(source, items, built_at) for path, (source, built_at, items) in sorted(snapshots.items())}
    output.raw_rows = {"raw.web_mentions": len(mentions)}
    output.progress = f"web: {len(mentions):,} mentions in {len(output.files):,} feed snapshots"
    return output


def _mention(rng: random.Random, period: Period, published: datetime, intent: str, numbers: dict[str, int]) -> Mention:
    spike = intent == "outage"
    speaker = language(rng)
    source = rng.choice([source for source in SOURCES if source.language.startswith(speaker)])
    bank = texts.WEB_ITEMS[(speaker, "complaint" if spike else intent)]
    if spike:
        bank = [entry for entry in bank if entry[0] == "outage"]
    topic, title, summary = rng.choice(bank)
    numbers[source.name] += 1
    number = numbers[source.name]
    local = period.local(published)
    values = texts.fillers_at(rng, speaker, local)
    link = f"{source.site}{local:%Y/%m}/alba-connect-{number:05d}"
    if source.format == "atom10":
        host = source.site.split("/")[2]
        guid = f"tag:{host},{local:%Y}:entry-{number:05d}"
    else:
        guid = f"{source.name}-{number:05d}" if rng.random() < 0.8 else None
    author = f"{rng.choice(FIRST_NAMES[speaker])} {rng.choice(LAST_NAMES[speaker])}"
    item = FeedItem(
        title=texts.fill(title, speaker, rng, values),
        summary=texts.fill(summary, speaker, rng, values),
        link=link,
        guid=guid,
        published=published,
        author=author,
    )
    return Mention(source, item, local.date(), topic, label_of("complaint" if spike else intent, topic))


def _add_invalid_items(rng: random.Random, snapshots: dict[str, tuple[FeedSource, datetime, list[FeedItem]]]) -> list[Malformed]:
    """An item with neither id/guid nor link, and one with a date nobody can parse, each in one snapshot."""
    candidates = sorted((path for path, (_, _, items) in snapshots.items() if items), key=lambda path: (path[-14:-4], path))
    margin = len(candidates) // 5
    inner = candidates[margin : len(candidates) - margin] or candidates or sorted(snapshots)
    malformed = []
    for fault, path in zip(("no key", "bad date"), rng.sample(inner, 2) if len(inner) >= 2 else inner * 2, strict=True):
        source, built_at, items = snapshots[path]
        speaker = source.language[:2]
        _, title, summary = rng.choice(texts.WEB_ITEMS[(speaker, "other")])
        when = built_at - timedelta(hours=2, seconds=rng.randrange(3600))
        item = FeedItem(
            title=texts.fill(title, speaker, rng),
            summary=texts.fill(summary, speaker, rng),
            link=None if fault == "no key" else f"{source.site}borrador/{rng.getrandbits(32):08x}",
            guid=None
            if fault == "no key" or source.format == "rss20"
            else f"tag:{source.site.split('/')[2]},draft:{rng.getrandbits(32):08x}",
            published=when,
            author=source.title,
            published_text=None if fault == "no key" else ("ayer por la tarde" if speaker == "es" else "yesterday evening"),
        )
        position = rng.randint(0, len(items))
        items.insert(position, item)
        for number, earlier in enumerate(malformed):
            earlier_path, earlier_index = earlier.source_ref.rsplit("#", 1)
            if earlier_path == path and int(earlier_index) >= position:
                malformed[number] = Malformed("web", "mentions", f"{path}#{int(earlier_index) + 1}", earlier.problem)
        problem = "item has neither id/guid nor link" if fault == "no key" else "unparseable published date"
        malformed.append(Malformed("web", "mentions", f"{path}#{position}", problem))
    return malformed
