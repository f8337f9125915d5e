"""The sample's calendar: the period, the daily and weekly rhythm of contacts, working hours, timestamp formats.

All instants are timezone-aware UTC ``datetime``s with whole seconds; days and months are cut in the organisation's
time zone, so a day can last 23, 24 or 25 hours.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
RESPONSE_LIMIT = timedelta(hours=24)

# Relative contact volume by local hour: peaks 9-14 and 16-20, few at night.
HOUR_WEIGHTS = (
    0.15,
    0.1,
    0.08,
    0.06,
    0.06,
    0.1,
    0.3,
    0.7,
    1.3,
    2.0,
    2.2,
    2.2,
    2.1,
    2.0,
    1.6,
    1.3,
    1.8,
    2.0,
    2.0,
    1.9,
    1.3,
    0.9,
    0.6,
    0.3,
)
# Relative volume by weekday (Monday first): fewer contacts at weekends; the mean is about 1.
WEEKDAY_WEIGHTS = (1.15, 1.1, 1.1, 1.08, 1.05, 0.8, 0.72)


@dataclass(frozen=True)
class Period:
    """From local midnight of the first day of the first month to ``end`` (UTC)."""

    tz: ZoneInfo
    start: datetime
    end: datetime

    @classmethod
    def ending(cls, end: datetime, months: int, timezone: str) -> Period:
        tz = ZoneInfo(timezone)
        local_end = end.astimezone(tz)
        month_index = local_end.year * 12 + local_end.month - 1 - months
        first = datetime(month_index // 12, month_index % 12 + 1, 1, tzinfo=tz)
        return cls(tz=tz, start=first.astimezone(UTC), end=end)

    @property
    def first_day(self) -> date:
        return self.local(self.start).date()

    def local(self, instant: datetime) -> datetime:
        return instant.astimezone(self.tz)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def month_of(self, instant: datetime) -> str:
        return instant.astimezone(self.tz).strftime("%Y-%m")

    def months(self) -> list[str]:
        """Every month from the first to the one ``end`` falls in, as ``YYYY-MM``."""
        first = self.local(self.start)
        last = self.local(self.end)
        index, stop = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
        return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index, stop + 1)]

    def day_bounds(self, day: date) -> tuple[datetime, datetime]:
        """The UTC instants of the local midnights that open and close ``day``."""
        opens = datetime(day.year, day.month, day.day, tzinfo=self.tz).astimezone(UTC)
        following = day + DAY
        closes = datetime(following.year, following.month, following.day, tzinfo=self.tz).astimezone(UTC)
        return opens, closes

    def days(self) -> Iterator[date]:
        """Every local day that starts before ``end``."""
        day = self.first_day
        while self.day_bounds(day)[0] < self.end:
            yield day
            day += DAY

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


def floor_hour(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's method; a rounded normal draw for large means)."""
    if mean <= 0:
        return 0
    if mean > 400:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def daily_count(rng: random.Random, period: Period, day: date, per_day: float) -> int:
    """How many contacts arrive on ``day`` when ``per_day`` arrive on an average day."""
    return poisson(rng, per_day * WEEKDAY_WEIGHTS[day.weekday()])


def instants(rng: random.Random, period: Period, day: date, count: int, *, from_hour: int = 0) -> list[datetime]:
    """``count`` sorted instants within local ``day``, following the daily rhythm (from local ``from_hour`` on)."""
    opens, closes = period.day_bounds(day)
    hours = []
    cursor = opens
    while cursor < closes:
        hours.append(cursor)
        cursor += HOUR
    weights = [HOUR_WEIGHTS[period.local(hour).hour] if period.local(hour).hour >= from_hour else 0 for hour in hours]
    chosen = rng.choices(hours, weights=weights, k=count) if count else []
    return sorted(hour + timedelta(seconds=rng.randrange(3600)) for hour in chosen)


def within_hours(
    rng: random.Random, period: Period, instant: datetime, opens: int, closes: int, *, sundays: bool = True
) -> datetime:
    """``instant`` if local time is within working hours [opens, closes), else a moment after the next opening."""
    local = period.local(instant)
    if opens <= local.hour < closes and (sundays or local.weekday() != 6):
        return instant
    day = local.date() if local.hour < opens else local.date() + DAY
    while not sundays and day.weekday() == 6:
        day += DAY
    opening = datetime(day.year, day.month, day.day, opens, tzinfo=period.tz).astimezone(UTC)
    return opening + timedelta(seconds=rng.randrange(5400))


def clear_of_limit(received_at: datetime, response_at: datetime) -> datetime:
    """The response moved five minutes later when it falls within a minute of the 24-hour limit.

    Whether a response is within 24 h is then never a matter of rounding or clock precision.
    """
    if abs((response_at - received_at) - RESPONSE_LIMIT) < timedelta(minutes=1):
        return response_at + timedelta(minutes=5)
    return response_at


def seconds(rng: random.Random, low: float, high: float) -> timedelta:
    """A whole-second duration drawn uniformly between ``low`` and ``high`` seconds."""
    return timedelta(seconds=rng.randint(int(low), int(high)))


def iso_local(period: Period, instant: datetime) -> str:
    """``2026-08-03T09:15:02+02:00``: local time with its offset (call-centre export)."""
    return period.local(instant).isoformat(timespec="seconds")


def iso_z(instant: datetime) -> str:
    """``2026-08-03T07:15:02Z``."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ms_z(instant: datetime) -> str:
    """``2026-08-03T07:15:02.000Z`` (X API v2)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def iso_graph(instant: datetime) -> str:
    """``2026-08-03T07:15:02+0000`` (Graph API)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")
