"""The sample generator: reproducible, readable by the standard readers, faithful to its own ground truth, realistic.

The files are read back here with the standard library (csv, mailbox, email, json) and feedparser, independently of
the generator's code, and the contact model of docs/sources.md is applied to them; the figures must equal the
ground truth the generator wrote.
"""

from __future__ import annotations

import calendar
import csv
import email
import email.header
import email.message
import email.utils
import json
import mailbox
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from voc.channels import REGISTRY
from voc.sample import generate
from voc.sample.generator import SAMPLE_MARKER

SEED = 7
END = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Madrid")
SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"
BRAND_USER_ID = "1500000000000000001"
PAGE_ID = "104000000000001"
SUPPORT_ADDRESS = "soporte@albaconnect.example"
CONTACT_CHANNELS = ("phone", "email", "chat", "twitter", "facebook", "web", "surveys")
DAY_24H = timedelta(hours=24)


# --- the contact model, restated from docs/sources.md ------------------------------------------------------------


def _read_seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


CODE_TYPES = {row["disposition_code"]: row["contact_type"] for row in _read_seed("disposition_codes.csv")}


@dataclass
class Contact:
    channel: str
    key: str
    received_at: datetime
    text: str | None
    code: str | None
    first_response_at: datetime | None
    language: str | None = None
    label: str | None = None  # the type the generator wrote the text for (ground_truth_contacts.csv)

    @property
    def contact_type(self) -> str:
        """An agent's code wins; otherwise the type the text was written for; no text is unclassified."""
        if self.code:
            return CODE_TYPES[self.code]
        return self.label if self.text else "unclassified"


@dataclass
class Sample:
    root: Path
    truth: dict
    contacts: dict[str, list[Contact]] = field(default_factory=lambda: defaultdict(list))
    keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    register: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))  # export day -> its rows
    broken: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    ratings: list[tuple[datetime, str, str, str, str]] = field(default_factory=list)  # at, channel, ref, csat, nps
    email_first_reply_coded: list[bool] = field(default_factory=list)
    timestamps: list[datetime] = field(default_factory=list)
    phone_rows: list[dict[str, str]] = field(default_factory=list)
    truth_contacts: dict[str, dict[str, str]] = field(default_factory=dict)

    def files(self, channel: str, pattern: str) -> list[Path]:
        return sorted((self.root / channel).glob(pattern))

    def ref(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def first_after(moments: list[datetime], after: datetime) -> datetime | None:
    later = [moment for moment in moments if moment > after]
    return min(later) if later else None


# --- independent readers -------------------------------------------------------------------------------------------


def read_csv_export(sample: Sample, channel: str, pattern: str, key: str) -> list[dict[str, str]]:
    rows = []
    for path in sample.files(channel, pattern):
        lines = path.read_bytes().split(b"\n")
        header = next(csv.reader([lines[0].decode("utf-8")]))
        for number, line in enumerate(lines[1:], start=2):
            if not line:
                continue
            source_ref = f"{sample.ref(path)}:{number}"
            try:
                values = next(csv.reader([line.decode("utf-8")]))
            except UnicodeDecodeError:
                sample.broken[channel].add(source_ref)
                continue
            if len(values) != len(header) or not values[header.index(key)]:
                sample.broken[channel].add(source_ref)
                continue
            rows.append(dict(zip(header, values, strict=True)))
    return rows


def read_phone(sample: Sample) -> None:
    rows = read_csv_export(sample, "phone", "calls_*.csv", "call_id")
    sample.phone_rows = rows
    for row in rows:
        sample.keys["raw.phone_calls"].add(row["call_id"])
        started = datetime.fromisoformat(row["started_at"])
        assert started.utcoffset() == started.astimezone(TZ).utcoffset(), row["started_at"]
        answered = utc(row["answered_at"]) if row["answered_at"] else None
        sample.timestamps += [started, utc(row["ended_at"])]
        sample.contacts["phone"].append(
            Contact(
                "phone",
                row["call_id"],
                started.astimezone(UTC),
                None,
                row["disposition_code"] or None,
                answered,
                row["language"],
            )
        )


def header(message: email.message.Message, name: str) -> str | None:
    """A header decoded from RFC 2047 words (None when absent)."""
    value = message[name]
    return None if value is None else str(email.header.make_header(email.header.decode_header(value)))


def read_email(sample: Sample) -> None:
    messages = []
    for path in sample.files("email", "mailbox_*.mbox"):
        box = mailbox.mbox(path, create=False)
        for index, key in enumerate(box.keys()):
            message = email.message_from_bytes(box.get_bytes(key))
            if not message["Message-ID"] or not message["Date"]:
                sample.broken["email"].add(f"{sample.ref(path)}#{index}")
                continue
            assert message["Date"].endswith("+0000")
            message_id = message["Message-ID"].strip().strip("<>")
            references = [ref.strip("<>") for ref in (message["References"] or "").split()]
            body = message.get_payload(decode=True).decode(message.get_content_charset())
            messages.append(
                {
                    "id": message_id,
                    "thread": references[0] if references else message_id,
                    "date": email.utils.parsedate_to_datetime(message["Date"]).astimezone(UTC),
                    "outbound": email.utils.parseaddr(header(message, "From"))[1] == SUPPORT_ADDRESS,
                    "text": f"{header(message, 'Subject')} {body}",
                    "code": message["X-Disposition-Code"],
                    "language": message["Content-Language"],
                }
            )
        box.close()
    threads = defaultdict(list)
    for message in messages:
        sample.keys["raw.email_messages"].add(message["id"])
        sample.timestamps.append(message["date"])
        threads[message["thread"]].append(message)
    for thread_id, thread in threads.items():
        roots = [message for message in thread if message["id"] == thread_id]
        if not roots or roots[0]["outbound"]:
            continue
        root = roots[0]
        outbound = sorted((m for m in thread if m["outbound"]), key=lambda m: m["date"])
        codes = [str(m["code"]) for m in outbound if m["code"]]
        if outbound:
            sample.email_first_reply_coded.append(bool(outbound[0]["code"]))
        sample.contacts["email"].append(
            Contact(
                "email",
                thread_id,
                root["date"],
                root["text"],
                codes[0] if codes else None,
                first_after([m["date"] for m in outbound], root["date"]),
                root["language"],
            )
        )


def read_chat(sample: Sample) -> None:
    sessions = {}
    for path in sample.files("chat", "sessions_*.json"):
        try:
            document = json.loads(path.read_bytes())
        except (json.JSONDecodeError, UnicodeDecodeError):
            sample.broken["chat"].add(sample.ref(path))
            continue
        for index, session in enumerate(document["sessions"]):
            if "id" not in session:
                sample.broken["chat"].add(f"{sample.ref(path)}#{index}")
                continue
            sessions[session["id"]] = session
    for session_id, session in sessions.items():
        sample.keys["raw.chat_sessions"].add(session_id)
        sample.timestamps += [utc(session["started_at"]), utc(session["ended_at"])]
        visitor = sorted((m for m in session["messages"] if m["author_type"] == "visitor"), key=lambda m: m["sent_at"])
        if not visitor:
            continue
        received = utc(visitor[0]["sent_at"])
        agents = [utc(m["sent_at"]) for m in session["messages"] if m["author_type"] == "agent"]
        if not agents:
            assert session["agent"] is None and session["disposition"] is None, session_id
        sample.contacts["chat"].append(
            Contact(
                "chat",
                session_id,
                received,
                visitor[0]["text"],
                session["disposition"],
                first_after(agents, received),
                session["language"],
            )
        )


def read_api_pages(sample: Sample, channel: str, pattern: str) -> list[tuple[Path, dict]]:
    pages = []
    for path in sample.files(channel, pattern):
        try:
            pages.append((path, json.loads(path.read_bytes())))
        except (json.JSONDecodeError, UnicodeDecodeError):
            sample.broken[channel].add(sample.ref(path))
    return pages


def read_twitter(sample: Sample) -> None:
    tweets = {}
    for path, page in read_api_pages(sample, "twitter", "*/page_*.json"):
        for index, tweet in enumerate(page["data"]):
            if "id" not in tweet:
                sample.broken["twitter"].add(f"{sample.ref(path)}#{index}")
                continue
            assert tweet["created_at"].endswith(".000Z")
            tweets[tweet["id"]] = tweet
        sample.keys["raw.twitter_users"].update(user["id"] for user in page["includes"]["users"])
    replies = defaultdict(list)
    for tweet in tweets.values():
        sample.keys["raw.twitter_tweets"].add(tweet["id"])
        sample.timestamps.append(utc(tweet["created_at"]))
        if tweet["author_id"] == BRAND_USER_ID:
            assert tweet.get("in_reply_to_user_id"), "the brand only tweets replies to customers"
            replies[tweet["conversation_id"]].append(utc(tweet["created_at"]))
    for tweet in tweets.values():
        if (
            tweet["id"] == tweet["conversation_id"]
            and tweet["author_id"] != BRAND_USER_ID
            and "@albaconnect" in tweet["text"].lower()
        ):
            received = utc(tweet["created_at"])
            sample.contacts["twitter"].append(
                Contact(
                    "twitter",
                    tweet["id"],
                    received,
                    tweet["text"],
                    None,
                    first_after(replies[tweet["id"]], received),
                    tweet["lang"],
                )
            )


def read_facebook(sample: Sample) -> None:
    posts = {}
    for path, page in read_api_pages(sample, "facebook", "feed/page_*.json"):
        for index, post in enumerate(page["data"]):
            if "id" not in post:
                sample.broken["facebook"].add(f"{sample.ref(path)}#{index}")
                continue
            posts[post["id"]] = post
    for post in posts.values():
        sample.keys["raw.facebook_posts"].add(post["id"])
        comments = post.get("comments", {}).get("data", [])
        for comment in comments:
            assert comment["created_time"].endswith("+0000")
            sample.timestamps.append(datetime.strptime(comment["created_time"], "%Y-%m-%dT%H:%M:%S%z"))
            if "parent" in comment or comment["from"]["id"] == PAGE_ID:
                continue
            received = datetime.strptime(comment["created_time"], "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
            answers = [
                datetime.strptime(reply["created_time"], "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC)
                for reply in comments
                if reply["from"]["id"] == PAGE_ID and reply.get("parent", {}).get("id") == comment["id"]
            ]
            sample.contacts["facebook"].append(
                Contact("facebook", comment["id"], received, comment["message"], None, first_after(answers, received))
            )


def read_web(sample: Sample) -> None:
    items = {}
    for path in sample.files("web", "*.xml"):
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, path
        for index, entry in enumerate(feed.entries):
            key = entry.get("id") or entry.get("link")
            if not key or not entry.get("published_parsed"):
                sample.broken["web"].add(f"{sample.ref(path)}#{index}")
                continue
            published = datetime.fromtimestamp(calendar.timegm(entry.published_parsed), UTC)
            items[key] = Contact(
                "web",
                key,
                published,
                f"{entry.title} {entry.summary}",
                None,
                None,
                (feed.feed.get("language") or "")[:2],
            )
    sample.keys["raw.web_mentions"].update(items)
    sample.contacts["web"].extend(items.values())


def read_surveys(sample: Sample) -> None:
    for row in read_csv_export(sample, "surveys", "responses_*.csv", "response_id"):
        sample.keys["raw.survey_responses"].add(row["response_id"])
        submitted = utc(row["submitted_at"])
        sample.timestamps.append(submitted)
        sample.contacts["surveys"].append(
            Contact("surveys", row["response_id"], submitted, row["comment"], None, None, row["language"])
        )
        sample.ratings.append((submitted, row["contact_channel"], row["contact_ref"], row["csat"], row["nps"]))


def read_cases(sample: Sample) -> None:
    for row in read_csv_export(sample, "cases", "case_events_*.csv", "event_id"):
        sample.keys["raw.case_events"].add(row["event_id"])
        sample.timestamps.append(utc(row["event_at"]))


def read_actions(sample: Sample) -> None:
    for path in sorted((sample.root / "actions").glob("corrective_actions_*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                sample.keys["raw.corrective_actions"].add(row["action_id"])
                sample.register[path.stem.rsplit("_", 1)[1]].append(row)


def read_sample(root: Path, truth: dict) -> Sample:
    sample = Sample(root, truth)
    for reader in (
        read_phone,
        read_email,
        read_chat,
        read_twitter,
        read_facebook,
        read_web,
        read_surveys,
        read_cases,
        read_actions,
    ):
        reader(sample)
    with (root / "ground_truth_contacts.csv").open(encoding="utf-8", newline="") as handle:
        sample.truth_contacts = {row["contact_id"]: row for row in csv.DictReader(handle)}
    for contacts in sample.contacts.values():
        for contact in contacts:
            row = sample.truth_contacts.get(f"{contact.channel}:{contact.key}")
            contact.label = row["text_label"] or None if row else None
    return sample


def month_of(moment: datetime) -> str:
    return moment.astimezone(TZ).strftime("%Y-%m")


# --- fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Sample:
    root = tmp_path_factory.mktemp("sample")
    (root / SAMPLE_MARKER).write_text("an earlier sample\n")  # a folder an earlier `voc sample` wrote
    stale = root / "phone" / "calls_1999-01-01.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("left over from an earlier run\n")
    (root / "notes.txt").write_text("not the generator's\n")
    messages: list[str] = []
    truth = generate(root, seed=SEED, end=END, progress=messages.append)
    assert not stale.exists()
    assert (root / "notes.txt").exists()
    assert [message.split(":")[0] for message in messages[: len(REGISTRY)]] == list(REGISTRY)  # progress per channel
    return read_sample(root, truth)


def all_files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


# --- determinism --------------------------------------------------------------------------------------------------


def test_same_seed_same_bytes_and_another_seed_differs(sample, tmp_path):
    again = generate(tmp_path / "again", seed=SEED, end=END)
    expected = {path: content for path, content in all_files(sample.root).items() if path != "notes.txt"}
    assert all_files(tmp_path / "again") == expected
    assert again == sample.truth
    other = generate(tmp_path / "other", seed=SEED + 1, end=END)
    assert other["raw_rows"] != sample.truth["raw_rows"]
    assert all_files(tmp_path / "other")["phone/calls_2026-09-01.csv"] != all_files(sample.root)["phone/calls_2026-09-01.csv"]


def test_ground_truth_file_is_what_generate_returned(sample):
    assert json.loads((sample.root / "ground_truth.json").read_text(encoding="utf-8")) == sample.truth


def test_per_contact_truth_lists_exactly_the_contacts_in_the_files(sample):
    """Every contact read back from the files, and no other, has a row; its type follows the rules given its label."""
    from_files = {f"{c.channel}:{c.key}": c for contacts in sample.contacts.values() for c in contacts}
    assert set(sample.truth_contacts) == set(from_files)
    for contact_id, row in sample.truth_contacts.items():
        contact = from_files[contact_id]
        assert row["contact_type"] == contact.contact_type, contact_id
        assert (row["disposition_code"] or None) == contact.code, contact_id
        assert bool(row["text_label"]) == bool(contact.text), contact_id
        assert row["received_at"] == contact.received_at.isoformat(), contact_id
        expected_response = contact.first_response_at.isoformat() if contact.first_response_at else ""
        assert row["first_response_at"] == expected_response, contact_id


def test_sample_reports_the_classifier_agreement(sample):
    """A measurement beside the truth, never part of it: the labels are the generator's, the guesses the model's."""
    agreement = sample.truth["classifier_agreement"]
    assert agreement["texts"] == sum(1 for row in sample.truth_contacts.values() if row["text_label"])
    assert 0 <= agreement["agreeing"] <= agreement["texts"]
    assert agreement["agreement"] == agreement["agreeing"] / agreement["texts"]
    assert agreement["texts"] - agreement["agreeing"] == sum(agreement["disagreements"].values())


# --- shape and period ---------------------------------------------------------------------------------------------


def test_ground_truth_shape_and_period(sample):
    truth = sample.truth
    assert set(truth) == {
        "seed",
        "timezone",
        "start",
        "end",
        "raw_rows",
        "malformed",
        "kpis",
        "mention_spike",
        "corrective_actions",
        "summary",
        "classifier_agreement",
    }
    assert (truth["seed"], truth["timezone"], truth["start"], truth["end"]) == (
        SEED,
        "Europe/Madrid",
        "2026-08-01",
        "2026-11-20T12:00:00+00:00",
    )
    months = ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert [(row["channel"], row["month"]) for row in truth["kpis"]] == [
        (channel, month) for channel in CONTACT_CHANNELS for month in months
    ]
    assert list(truth["raw_rows"]) == [
        "raw.phone_calls",
        "raw.email_messages",
        "raw.chat_sessions",
        "raw.twitter_tweets",
        "raw.twitter_users",
        "raw.facebook_posts",
        "raw.web_mentions",
        "raw.survey_responses",
        "raw.case_events",
        "raw.corrective_actions",
    ]
    assert truth["mention_spike"]["channel"] == "twitter"
    assert date.fromisoformat(truth["mention_spike"]["date"]).month == 9


def test_nothing_happens_outside_the_period(sample):
    start = datetime(2026, 8, 1, tzinfo=TZ)
    assert sample.timestamps
    assert all(moment <= END for moment in sample.timestamps)
    for contacts in sample.contacts.values():
        assert all(start <= contact.received_at < END for contact in contacts)
        assert all(contact.first_response_at is None or contact.first_response_at <= END for contact in contacts)


def test_default_end_is_the_current_hour_and_a_short_period_still_has_every_part(tmp_path):
    truth = generate(tmp_path, seed=3, months=0, scale=0.3)
    now = datetime.now(UTC)
    end = datetime.fromisoformat(truth["end"])
    assert end.minute == end.second == 0 and timedelta(0) <= now - end < timedelta(hours=1, minutes=5)
    assert len({row["month"] for row in truth["kpis"]}) == 1
    assert Counter(item["channel"] for item in truth["malformed"]) == {
        "phone": 3,
        "email": 2,
        "chat": 2,
        "twitter": 2,
        "facebook": 2,
        "web": 2,
        "surveys": 3,
        "cases": 3,
    }


# --- readable files, malformed units ------------------------------------------------------------------------------


def test_exactly_the_injected_units_are_unreadable(sample):
    injected = defaultdict(set)
    for item in sample.truth["malformed"]:
        assert set(item) == {"channel", "entity", "source_ref", "problem"} and item["problem"]
        injected[item["channel"]].add(item["source_ref"])
    assert all(2 <= len(refs) <= 4 for refs in injected.values())
    assert set(injected) == {"phone", "email", "chat", "twitter", "facebook", "web", "surveys", "cases"}
    assert dict(sample.broken) == dict(injected)


def test_csv_faults_are_what_they_say(sample):
    for item in sample.truth["malformed"]:
        if ":" not in item["source_ref"]:
            continue
        path, line = item["source_ref"].rsplit(":", 1)
        raw = (sample.root / path).read_bytes().split(b"\n")[int(line) - 1]
        if "encoding" in item["problem"]:
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            raw.decode("latin-1")
        elif "missing" in item["problem"]:
            assert raw.startswith(b",")
        else:
            header = (sample.root / path).read_bytes().split(b"\n")[0].decode()
            assert len(next(csv.reader([raw.decode()]))) == len(header.split(",")) + 1


def test_truncated_files_are_prefixes_of_a_complete_delivery(sample):
    whole_files = [item for item in sample.truth["malformed"] if ":" not in item["source_ref"] and "#" not in item["source_ref"]]
    assert {item["channel"] for item in whole_files} == {"chat", "twitter", "facebook"}
    for item in whole_files:
        broken = sample.root / item["source_ref"]
        content = broken.read_bytes()
        if item["channel"] == "chat":
            complete = broken.with_name(broken.name.replace("_retry", ""))
        else:
            number = int(broken.stem.split("_")[1])
            complete = broken.with_name(f"page_{number + 1:05d}.json")
        assert complete.read_bytes().startswith(content) and len(content) < len(complete.read_bytes())


# --- the ground truth, re-derived from the files ------------------------------------------------------------------


def test_raw_rows_are_the_distinct_readable_keys(sample):
    assert {table: len(keys) for table, keys in sample.keys.items()} == sample.truth["raw_rows"]


def test_kpis_follow_from_the_files(sample):
    derived = {}
    for channel in CONTACT_CHANNELS:
        for month in {row["month"] for row in sample.truth["kpis"]}:
            contacts = [c for c in sample.contacts[channel] if month_of(c.received_at) == month]
            complaints = [c for c in contacts if c.contact_type == "complaint"]
            responded = [c for c in complaints if c.first_response_at]
            ratings = [r for r in sample.ratings if r[1] == channel and month_of(r[0]) == month]
            csat = [int(r[3]) for r in ratings if r[3]]
            nps = [int(r[4]) for r in ratings if r[4]]
            derived[(channel, month)] = {
                "contacts": len(contacts),
                "complaints": len(complaints),
                "complaints_responded": len(responded),
                "complaints_responded_within_24h": sum(1 for c in responded if c.first_response_at - c.received_at <= DAY_24H),
                "survey_responses": len(ratings),
                "csat": sum(1 for score in csat if score >= 4) / len(csat) if csat else None,
                "nps": 100 * (sum(1 for s in nps if s >= 9) - sum(1 for s in nps if s <= 6)) / len(nps) if nps else None,
            }
    for row in sample.truth["kpis"]:
        expected = derived[(row["channel"], row["month"])]
        for name, value in expected.items():
            if isinstance(value, float):
                assert row[name] == pytest.approx(value), (row["channel"], row["month"], name)
            else:
                assert row[name] == value, (row["channel"], row["month"], name)


def test_phone_contacts_per_month_are_cut_in_madrid_time(sample):
    per_month = Counter(month_of(c.received_at) for c in sample.contacts["phone"])
    truth = {row["month"]: row["contacts"] for row in sample.truth["kpis"] if row["channel"] == "phone"}
    assert per_month == truth
    # Some contacts of the first local hours of a month fall on the previous month's UTC date.
    everything = [c for contacts in sample.contacts.values() for c in contacts]
    assert any(month_of(c.received_at) != c.received_at.strftime("%Y-%m") for c in everything)


def test_surveys_rate_earlier_contacts_of_the_sample(sample):
    contacts = {(c.channel, c.key): c for channel in ("phone", "email", "chat") for c in sample.contacts[channel]}
    assert sample.ratings
    for submitted, channel, ref, csat, nps in sample.ratings:
        rated = contacts[(channel, ref)]
        assert timedelta(hours=1) <= submitted - rated.received_at <= timedelta(hours=72)
        assert csat == "" or 1 <= int(csat) <= 5
        assert nps == "" or 0 <= int(nps) <= 10


def test_cases_refer_to_phone_email_and_chat_contacts(sample):
    contacts = {(c.channel, c.key) for channel in ("phone", "email", "chat") for c in sample.contacts[channel]}
    rows = read_csv_export(Sample(sample.root, sample.truth), "cases", "case_events_*.csv", "event_id")
    assert {row["status"] for row in rows} == {"new", "open", "pending", "resolved", "closed", "reopened"}
    assert all((row["contact_channel"], row["contact_ref"]) in contacts for row in rows)
    by_case = defaultdict(list)
    for row in rows:
        by_case[row["case_id"]].append(row)
    for events in by_case.values():
        events.sort(key=lambda row: row["event_at"])
        assert events[0]["status"] == "new"
        assert all(row["root_cause"] for row in events if row["status"] in ("resolved", "closed"))


# --- realism ------------------------------------------------------------------------------------------------------


def test_volume_rhythm_and_languages(sample):
    days = (END - datetime(2026, 8, 1, tzinfo=TZ)) / timedelta(days=1)
    per_day = {channel: len(contacts) / days for channel, contacts in sample.contacts.items()}
    for channel, expected in {
        "phone": 25,
        "email": 12,
        "chat": 10,
        "twitter": 6,
        "facebook": 3,
        "web": 2,
        "surveys": 5,
    }.items():
        assert 0.65 * expected <= per_day[channel] <= 1.35 * expected, (channel, per_day[channel])
    assert 50 <= sum(per_day.values()) <= 70
    everything = [c for contacts in sample.contacts.values() for c in contacts]
    hours = Counter(c.received_at.astimezone(TZ).hour for c in everything)
    peak = sum(hours[h] for h in (*range(9, 15), *range(16, 21)))
    night = sum(hours[h] for h in range(0, 7))
    assert peak > 0.6 * len(everything) and night < 0.06 * len(everything)
    weekdays = Counter(c.received_at.astimezone(TZ).weekday() for c in sample.contacts["phone"])
    assert statistics.mean(weekdays[d] for d in range(5)) > 1.2 * statistics.mean(weekdays[d] for d in (5, 6))
    spoken = [c.language for c in everything if c.language]
    assert 0.62 <= spoken.count("es") / len(spoken) <= 0.78


def test_phone_abandonment_and_callbacks(sample):
    rows = sample.phone_rows
    abandoned = [row for row in rows if row["abandoned"] == "true"]
    assert 0.05 <= len(abandoned) / len(rows) <= 0.11
    assert 0.18 <= sum(row["callback_requested"] == "true" for row in abandoned) / len(abandoned) <= 0.42
    assert all(not row["answered_at"] and not row["agent_id"] and not row["disposition_code"] for row in abandoned)
    assert all(row["answered_at"] and row["disposition_code"] for row in rows if row["abandoned"] == "false")
    offsets = {row["started_at"][-6:] for row in rows}
    assert offsets == {"+01:00", "+02:00"}


def test_complaint_response_targets(sample):
    complaints = [c for contacts in sample.contacts.values() for c in contacts if c.contact_type == "complaint"]
    within = [c for c in complaints if c.first_response_at and c.first_response_at - c.received_at <= DAY_24H]
    assert 0.22 <= len(within) / len(complaints) <= 0.38
    tweets = [c for c in sample.contacts["twitter"] if c.contact_type == "complaint"]
    assert 0.6 <= sum(1 for c in tweets if c.first_response_at is None) / len(tweets) <= 0.8
    phone_share = sum(1 for c in complaints if c.channel == "phone") / len(complaints)
    assert phone_share < 0.2
    summary = sample.truth["summary"]
    assert summary["complaints"] == len(complaints)
    assert summary["share_responded_within_24h"] == pytest.approx(len(within) / len(complaints))


def test_email_replies_are_slow_and_usually_coded_on_the_first_reply(sample):
    assert 0.72 <= statistics.mean(sample.email_first_reply_coded) <= 0.88
    delays = [
        c.first_response_at - c.received_at
        for c in sample.contacts["email"]
        if c.first_response_at and c.contact_type == "complaint"
    ]
    assert statistics.median(delays) > DAY_24H


def test_no_response_sits_on_the_24_hour_edge(sample):
    for contacts in sample.contacts.values():
        for c in contacts:
            if c.first_response_at:
                assert abs((c.first_response_at - c.received_at) - DAY_24H) > timedelta(seconds=1)


def test_some_coded_contacts_read_neutral_but_are_complaints(sample):
    coded = [c for channel in ("email", "chat") for c in sample.contacts[channel] if c.code]
    understated = [c for c in coded if CODE_TYPES[c.code] == "complaint" and c.label == "inquiry"]
    assert 0.02 <= len(understated) / len(coded) <= 0.09


def test_one_outage_day_multiplies_negative_mentions(sample):
    spike = date.fromisoformat(sample.truth["mention_spike"]["date"])
    for channel, factor in (("twitter", 8), ("web", 5)):
        per_day = Counter(c.received_at.astimezone(TZ).date() for c in sample.contacts[channel] if c.contact_type == "complaint")
        others = [per_day.get(datetime(2026, 8, 1).date() + timedelta(days=n), 0) for n in range(111)]
        others = [count for n, count in enumerate(others) if datetime(2026, 8, 1).date() + timedelta(days=n) != spike]
        assert per_day[spike] >= factor * statistics.mean(others), channel
        assert per_day[spike] == max(per_day.values()), channel


def test_every_contact_type_occurs_where_expected(sample):
    types = {channel: Counter(c.contact_type for c in contacts) for channel, contacts in sample.contacts.items()}
    for channel in ("twitter", "facebook", "web"):
        assert {"complaint", "praise", "suggestion"} <= set(types[channel]), channel
    assert types["twitter"]["inquiry"] and types["facebook"]["inquiry"] and types["web"]["other"]
    assert {"complaint", "praise", "suggestion", "inquiry", "other", "unclassified"} <= set(types["phone"])
    assert {"complaint", "praise", "suggestion", "other", "unclassified"} <= set(types["surveys"])
    assert types["email"]["other"] and types["chat"]["other"]


def test_each_register_export_shows_the_actions_as_known_that_day(sample):
    """Every export is the whole register of its day: the actions opened by then, closed only from their closing day."""
    planned = {action["action_id"]: action for action in sample.truth["corrective_actions"]}
    assert len(planned) == 4 and sample.register
    for day, rows in sample.register.items():
        assert {row["action_id"] for row in rows} == {a for a, plan in planned.items() if plan["opened_on"] <= day}, day
        for row in rows:
            closed = planned[row["action_id"]]["closed_on"]
            assert row["closed_on"] == (closed if closed and closed <= day else ""), (day, row["action_id"])
    last = max(sample.register)
    assert any(row["closed_on"] for row in sample.register[last]) and any(not row["closed_on"] for row in sample.register[last])
