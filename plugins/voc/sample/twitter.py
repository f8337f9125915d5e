"""twitter: X API v2 response pages of the brand's mentions and of its own timeline.

A contact is a customer's tweet that starts a conversation and mentions @AlbaConnect; the social team answers some
of them (replies are the brand's only tweets), and customers sometimes answer the brand back. A few mentions are
replies inside other people's conversations: they are not contacts. On the spike day an outage multiplies the
complaints tenfold.
"""

from __future__ import annotations

import itertools
import random
from datetime import datetime
from typing import Any

from voc.sample import clock, texts
from voc.sample.faults import pages_with_truncated_retry, pick_page
from voc.sample.model import (
    BRAND_USER_ID,
    BRAND_USERNAME,
    ORGANISATION,
    ChannelOutput,
    Contact,
    Context,
    Malformed,
    label_of,
    language,
    pick,
)
from voc.sample.people import Person
from voc.sample.writers import json_document

TWEETS_PER_DAY = 6.0
THIRD_PARTY_PER_DAY = 0.25
INTENTS = (("complaint", 0.5), ("inquiry", 0.3), ("feedback", 0.2))
ANSWERED_SHARE = {"complaint": 0.3, "inquiry": 0.6, "feedback": 0.5}
SPIKE_ANSWERED_SHARE = 0.12
SPIKE_FACTOR = 10
PAGE_SIZE = 100
TWITTER_EPOCH_MS = 1288834974657
TEAM_FROM, TEAM_UNTIL = 8, 23


class Timeline:
    """Tweets and users of both streams, with snowflake ids that sort like their timestamps."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.mentions: list[dict[str, Any]] = []
        self.replies: list[dict[str, Any]] = []
        self.users: dict[str, dict[str, str]] = {
            BRAND_USER_ID: {"id": BRAND_USER_ID, "name": ORGANISATION, "username": BRAND_USERNAME}
        }
        self.user_ids: dict[str, str] = {}
        self.taken: set[int] = set()

    def tweet_id(self, when: datetime) -> str:
        while True:
            candidate = ((int(when.timestamp() * 1000) - TWITTER_EPOCH_MS) << 22) | self.rng.getrandbits(22)
            if candidate not in self.taken:
                self.taken.add(candidate)
                return str(candidate)

    def user(self, person: Person) -> str:
        if person.handle not in self.user_ids:
            while True:
                candidate = str(self.rng.randrange(10**8, 10**18))
                if candidate not in self.users:
                    break
            self.user_ids[person.handle] = candidate
            self.users[candidate] = {"id": candidate, "name": person.name, "username": person.handle}
        return self.user_ids[person.handle]

    def tweet(
        self,
        *,
        author_id: str,
        text: str,
        when: datetime,
        lang: str,
        conversation_id: str | None = None,
        replied_to: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        tweet_id = self.tweet_id(when)
        tweet: dict[str, Any] = {
            "id": tweet_id,
            "text": text,
            "author_id": author_id,
            "created_at": clock.iso_ms_z(when),
            "conversation_id": conversation_id or tweet_id,
            "lang": lang,
        }
        if replied_to is not None:
            replied_tweet_id, replied_user_id = replied_to
            tweet["in_reply_to_user_id"] = replied_user_id
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": replied_tweet_id}]
        tweet["_at"] = when
        (self.replies if author_id == BRAND_USER_ID else self.mentions).append(tweet)
        return tweet


def simulate(ctx: Context) -> ChannelOutput:
    rng = ctx.rng("twitter")
    period = ctx.period
    timeline = Timeline(rng)
    output = ChannelOutput("twitter")
    for day in period.days():
        count = clock.daily_count(rng, period, day, ctx.rate(TWEETS_PER_DAY))
        for posted_at in clock.instants(rng, period, day, count):
            _conversation(ctx, rng, timeline, output, posted_at, pick(rng, INTENTS), spike=False)
        if day == ctx.spike_day:
            usual = ctx.rate(TWEETS_PER_DAY) * dict(INTENTS)["complaint"]
            extra = round(usual * (SPIKE_FACTOR - 1))
            for posted_at in clock.instants(rng, period, day, extra, from_hour=9):
                _conversation(ctx, rng, timeline, output, posted_at, "complaint", spike=True)
        third_party = clock.poisson(rng, ctx.rate(THIRD_PARTY_PER_DAY))
        for posted_at in clock.instants(rng, period, day, third_party):
            if posted_at < period.end:
                _third_party_mention(ctx, rng, timeline, posted_at)

    mention_pages = _pages(timeline.mentions, timeline.users) or [_empty_page()]
    reply_pages = _pages(timeline.replies, timeline.users)
    faults, faulty_page = _add_tweet_without_id(ctx, rng, mention_pages, timeline)
    output.files, output.malformed = pages_with_truncated_retry(
        rng,
        channel="twitter",
        entity="tweets",
        folder="twitter/mentions",
        pages=[json_document(page) for page in mention_pages],
        avoid=faulty_page,
        faults=faults,
    )
    for number, page in enumerate(reply_pages, start=1):
        output.files[f"twitter/timeline/page_{number:05d}.json"] = json_document(page)

    readable_users = {user["id"] for page in mention_pages + reply_pages for user in page["includes"]["users"]}
    output.raw_rows = {
        "raw.twitter_tweets": len(timeline.mentions) + len(timeline.replies),
        "raw.twitter_users": len(readable_users),
    }
    output.progress = (
        f"twitter: {len(output.contacts):,} conversations "
        f"({len(timeline.mentions):,} mentions, {len(timeline.replies):,} brand replies)"
    )
    return output


def _conversation(
    ctx: Context,
    rng: random.Random,
    timeline: Timeline,
    output: ChannelOutput,
    posted_at: datetime,
    intent: str,
    *,
    spike: bool,
) -> None:
    period = ctx.period
    if posted_at >= period.end:
        return
    speaker = language(rng)
    customer = ctx.population.customer(rng, speaker)
    values = texts.fillers_at(rng, speaker, period.local(posted_at))
    topic, text = texts.message(rng, speaker, intent, "outage" if spike else None, values)
    author_id = timeline.user(customer)
    root = timeline.tweet(author_id=author_id, text=f"@{BRAND_USERNAME} {text}", when=posted_at, lang=speaker)
    answered = rng.random() < (SPIKE_ANSWERED_SHARE if spike else ANSWERED_SHARE[intent])
    first_response_at = None
    if answered:
        quick = rng.random() < (0.8 if intent == "complaint" else 0.85)
        delay = clock.seconds(rng, 300, 10 * 3600) if quick else clock.seconds(rng, 26 * 3600, 72 * 3600)
        reply_at = clock.within_hours(rng, period, posted_at + delay, TEAM_FROM, TEAM_UNTIL)
        reply_at = clock.clear_of_limit(posted_at, reply_at)
        if reply_at < period.end:
            first_response_at = reply_at
            reply = timeline.tweet(
                author_id=BRAND_USER_ID,
                text=f"@{customer.handle} {texts.reply(rng, texts.SOCIAL_REPLIES, speaker, intent)}",
                when=reply_at,
                lang=speaker,
                conversation_id=root["id"],
                replied_to=(root["id"], author_id),
            )
            answer_at = reply_at + clock.seconds(rng, 600, 12 * 3600)
            if rng.random() < 0.35 and answer_at < period.end:
                answer = timeline.tweet(
                    author_id=author_id,
                    text=f"@{BRAND_USERNAME} {rng.choice(texts.FOLLOW_UPS_AFTER_REPLY[speaker])}",
                    when=answer_at,
                    lang=speaker,
                    conversation_id=root["id"],
                    replied_to=(reply["id"], BRAND_USER_ID),
                )
                again_at = clock.within_hours(rng, period, answer_at + clock.seconds(rng, 600, 8 * 3600), TEAM_FROM, TEAM_UNTIL)
                if rng.random() < 0.5 and again_at < period.end:
                    timeline.tweet(
                        author_id=BRAND_USER_ID,
                        text=f"@{customer.handle} {texts.reply(rng, texts.SOCIAL_REPLIES, speaker, intent)}",
                        when=again_at,
                        lang=speaker,
                        conversation_id=root["id"],
                        replied_to=(answer["id"], author_id),
                    )
    output.contacts.append(
        Contact("twitter", root["id"], posted_at, speaker, root["text"], None, first_response_at, topic, label_of(intent, topic))
    )


def _third_party_mention(ctx: Context, rng: random.Random, timeline: Timeline, posted_at: datetime) -> None:
    """A reply in somebody else's conversation that mentions the brand (not a contact)."""
    speaker = language(rng)
    customer = ctx.population.customer(rng, speaker)
    other = ctx.population.customer(rng, speaker)
    other_id = timeline.user(other)
    conversation_id = timeline.tweet_id(posted_at - clock.seconds(rng, 3600, 72 * 3600))
    timeline.tweet(
        author_id=timeline.user(customer),
        text=f"@{other.handle} {rng.choice(texts.THIRD_PARTY_MENTIONS[speaker])}",
        when=posted_at,
        lang=speaker,
        conversation_id=conversation_id,
        replied_to=(conversation_id, other_id),
    )


def _pages(tweets: list[dict[str, Any]], users: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """API pages of ``PAGE_SIZE`` tweets in delivery order; each page newest first, with its authors."""
    ordered = sorted(tweets, key=lambda tweet: (tweet["_at"], int(tweet["id"])))
    pages = []
    for start in range(0, len(ordered), PAGE_SIZE):
        chunk = [
            {key: value for key, value in tweet.items() if key != "_at"} for tweet in reversed(ordered[start : start + PAGE_SIZE])
        ]
        authors: list[str] = []
        for tweet in chunk:
            if tweet["author_id"] not in authors:
                authors.append(tweet["author_id"])
        pages.append(
            {
                "data": chunk,
                "includes": {"users": [users[author] for author in authors]},
                "meta": {"result_count": len(chunk), "newest_id": chunk[0]["id"], "oldest_id": chunk[-1]["id"]},
            }
        )
    for page, following in itertools.pairwise(pages):
        page["meta"]["next_token"] = f"{int(following['data'][0]['id']) % (36**13):013x}"
    return pages


def _add_tweet_without_id(
    ctx: Context, rng: random.Random, pages: list[dict[str, Any]], timeline: Timeline
) -> tuple[list[Malformed], int]:
    """An extra mention that came without its ``id`` (its author is one of the page's authors)."""
    index_of_page = pick_page(rng, len(pages))
    page = pages[index_of_page]
    if not page["includes"]["users"]:  # a sample too small to have mentions: the author comes with the fault
        page["includes"]["users"].append(timeline.users[timeline.user(ctx.population.customer(rng, "es"))])
    author = rng.choice(page["includes"]["users"])
    if page["data"]:
        neighbour = rng.choice(page["data"])
        speaker, created_at = neighbour["lang"], neighbour["created_at"]
    else:
        speaker, created_at = "es", clock.iso_ms_z(ctx.period.end - clock.HOUR)
    _, text = texts.message(rng, speaker, "inquiry")
    tweet = {"text": f"@{BRAND_USERNAME} {text}", "author_id": author["id"], "created_at": created_at, "lang": speaker}
    position = rng.randint(0, len(page["data"]))
    page["data"].insert(position, tweet)
    page["meta"]["result_count"] = len(page["data"])
    source_ref = f"twitter/mentions/page_{index_of_page + 1:05d}.json#{position}"
    return [Malformed("twitter", "tweets", source_ref, "tweet has no id")], index_of_page


def _empty_page() -> dict[str, Any]:
    return {"data": [], "includes": {"users": []}, "meta": {"result_count": 0}}
