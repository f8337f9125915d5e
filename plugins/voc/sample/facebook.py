"""facebook: the brand page's feed as Graph API pages, comments nested in their posts.

The page posts every two or three days; customers comment under recent posts. A contact is a top-level comment by
someone other than the page; the page's reply to it (``parent.id`` = that comment) is the response. The page also
comments on its own posts now and then (not contacts), and customers answer the page's replies.
"""

from __future__ import annotations

import base64
import random
from datetime import datetime, timedelta
from typing import Any

from voc.sample import clock, texts
from voc.sample.faults import pages_with_truncated_retry, pick_page
from voc.sample.model import ORGANISATION, PAGE_ID, ChannelOutput, Contact, Context, Malformed, label_of, language, pick
from voc.sample.people import Person
from voc.sample.writers import json_document

COMMENTS_PER_DAY = 3.0
INTENTS = (("complaint", 0.4), ("feedback", 0.3), ("inquiry", 0.3))
ANSWERED_SHARE = {"complaint": 0.35, "feedback": 0.5, "inquiry": 0.6}
POSTS_PER_PAGE = 10
TEAM_FROM, TEAM_UNTIL = 9, 21
PAGE = {"id": PAGE_ID, "name": ORGANISATION}
GRAPH_FEED = f"https://graph.facebook.com/v19.0/{PAGE_ID}/feed"


def simulate(ctx: Context) -> ChannelOutput:
    rng = ctx.rng("facebook")
    period = ctx.period
    output = ChannelOutput("facebook")
    posts = _posts(ctx, rng)
    users: dict[str, str] = {}
    for day in period.days():
        count = clock.daily_count(rng, period, day, ctx.rate(COMMENTS_PER_DAY))
        for commented_at in clock.instants(rng, period, day, count):
            recent = [post for post in posts if post["_at"] < commented_at][-3:]
            if not recent or commented_at >= period.end:
                continue
            post = rng.choices(recent, weights=[1, 2, 3][-len(recent) :], k=1)[0]
            _thread(ctx, rng, output, post, commented_at, users)

    for post in posts:
        post["comments"]["data"].sort(key=lambda comment: (comment["created_time"], comment["id"]))
    pages = _pages(posts) or [{"data": [], "paging": {"cursors": {}}}]
    faults, faulty_page = _add_post_without_id(ctx, rng, pages)
    output.files, output.malformed = pages_with_truncated_retry(
        rng,
        channel="facebook",
        entity="posts",
        folder="facebook/feed",
        pages=[json_document(page) for page in pages],
        avoid=faulty_page,
        faults=faults,
    )
    output.raw_rows = {"raw.facebook_posts": len(posts)}
    output.progress = f"facebook: {len(posts):,} posts, {len(output.contacts):,} comment threads"
    return output


def _posts(ctx: Context, rng: random.Random) -> list[dict[str, Any]]:
    """The page's own posts: one every two or three days, late morning."""
    period = ctx.period
    posts = []
    day = period.first_day
    while True:
        opens, _ = period.day_bounds(day)
        posted_at = opens + timedelta(hours=10, seconds=rng.randrange(3 * 3600))
        if posted_at >= period.end:
            break
        city = rng.choice(texts.FILLERS["es"]["city"])
        post_id = f"{PAGE_ID}_{100000000000000 + len(posts) * 1000 + rng.randrange(1000)}"
        post = {
            "id": post_id,
            "message": rng.choice(texts.PAGE_POSTS["es"]).format(city=city),
            "created_time": clock.iso_graph(posted_at),
            "from": dict(PAGE),
            "comments": {"data": []},
            "_at": posted_at,
            "_number": 0,
        }
        if rng.random() < 0.3:
            _comment(post, PAGE, rng.choice(texts.PAGE_SELF_COMMENTS["es"]), posted_at + clock.seconds(rng, 120, 1800), None)
        posts.append(post)
        day += timedelta(days=rng.choice((2, 3)))
    return [post for post in posts if post["_at"] < period.end]


def _thread(
    ctx: Context,
    rng: random.Random,
    output: ChannelOutput,
    post: dict[str, Any],
    commented_at: datetime,
    users: dict[str, str],
) -> None:
    period = ctx.period
    speaker = language(rng)
    customer = ctx.population.customer(rng, speaker)
    intent = pick(rng, INTENTS)
    topic, text = texts.message(rng, speaker, intent, None, texts.fillers_at(rng, speaker, period.local(commented_at)))
    author = {"id": _user_id(rng, customer, users), "name": customer.name}
    comment = _comment(post, author, text, commented_at, None)
    first_response_at = None
    if rng.random() < ANSWERED_SHARE[intent]:
        quick = rng.random() < 0.8
        delay = clock.seconds(rng, 1200, 18 * 3600) if quick else clock.seconds(rng, 26 * 3600, 96 * 3600)
        reply_at = clock.within_hours(rng, period, commented_at + delay, TEAM_FROM, TEAM_UNTIL)
        reply_at = clock.clear_of_limit(commented_at, reply_at)
        if reply_at < period.end:
            first_response_at = reply_at
            _comment(post, PAGE, texts.reply(rng, texts.SOCIAL_REPLIES, speaker, intent), reply_at, comment["id"])
            answer_at = reply_at + clock.seconds(rng, 600, 24 * 3600)
            if rng.random() < 0.25 and answer_at < period.end:
                _comment(post, author, rng.choice(texts.FOLLOW_UPS_AFTER_REPLY[speaker]), answer_at, comment["id"])
    output.contacts.append(
        Contact("facebook", comment["id"], commented_at, speaker, text, None, first_response_at, topic, label_of(intent, topic))
    )


def _comment(post: dict[str, Any], author: dict[str, str], message: str, when: datetime, parent: str | None) -> dict:
    post["_number"] += 1
    comment = {
        "id": f"{post['id'].split('_')[1]}_{post['_number']:06d}",
        "message": message,
        "created_time": clock.iso_graph(when),
        "from": dict(author),
    }
    if parent is not None:
        comment["parent"] = {"id": parent}
    post["comments"]["data"].append(comment)
    return comment


def _user_id(rng: random.Random, customer: Person, users: dict[str, str]) -> str:
    if customer.email not in users:
        taken = set(users.values())
        while True:
            candidate = str(rng.randrange(10**15, 10**16))
            if candidate not in taken:
                break
        users[customer.email] = candidate
    return users[customer.email]


def _cursor(value: str) -> str:
    return base64.b64encode(value.encode("ascii")).decode("ascii")


def _pages(posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Feed pages of ``POSTS_PER_PAGE`` posts in delivery order, each newest first."""
    pages = []
    for start in range(0, len(posts), POSTS_PER_PAGE):
        chunk = []
        for post in reversed(posts[start : start + POSTS_PER_PAGE]):
            clean = {key: value for key, value in post.items() if not key.startswith("_")}
            comments = clean.pop("comments")["data"]
            if comments:
                clean["comments"] = {
                    "data": comments,
                    "paging": {"cursors": {"before": _cursor(comments[0]["id"]), "after": _cursor(comments[-1]["id"])}},
                }
            chunk.append(clean)
        pages.append(
            {
                "data": chunk,
                "paging": {"cursors": {"before": _cursor(chunk[0]["id"]), "after": _cursor(chunk[-1]["id"])}},
            }
        )
    for page in pages[:-1]:
        page["paging"]["next"] = f"{GRAPH_FEED}?limit={POSTS_PER_PAGE}&after={page['paging']['cursors']['after']}"
    return pages


def _add_post_without_id(ctx: Context, rng: random.Random, pages: list[dict[str, Any]]) -> tuple[list[Malformed], int]:
    """An extra page post delivered without its ``id``; returns the fault and the 0-based page holding it."""
    index_of_page = pick_page(rng, len(pages))
    page = pages[index_of_page]
    created_time = rng.choice(page["data"])["created_time"] if page["data"] else clock.iso_graph(ctx.period.start)
    post = {
        "message": rng.choice(texts.PAGE_POSTS["es"]).format(city=rng.choice(texts.FILLERS["es"]["city"])),
        "created_time": created_time,
        "from": dict(PAGE),
    }
    position = rng.randint(0, len(page["data"]))
    page["data"].insert(position, post)
    source_ref = f"facebook/feed/page_{index_of_page + 1:05d}.json#{position}"
    return [Malformed("facebook", "posts", source_ref, "post has no id")], index_of_page
