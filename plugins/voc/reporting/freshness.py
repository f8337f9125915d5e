"""Whether the marts may be published for a month: built after the last load, and covering the whole month.

Two ways a report can state figures that are not the data's (both seen in practice):
- **stale marts**: new records were landed after the marts were built, so the marts do not hold them yet;
- **an incomplete month**: a channel's data stops before the month ends (an export that stopped arriving), so the
  month's figures are short without anything failing.

`check_publishable` reads `marts.source_freshness` (what the marts saw per channel: the latest record's time, the
last load they include, when they were built) and the raw tables' last load now, and raises `ReportError` naming
the channel and what to do. What it read is stated in the report (data cut-off, last load).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from voc.reporting.errors import ReportError
from voc.settings import Settings

FRESHNESS_QUERY = """
select channel, latest_record_at, last_loaded_at, built_at
from marts.source_freshness
order by channel
"""


class StaleData(ReportError):
    """The marts do not hold what was landed, or the month is not complete in the data. Nothing was written."""


@dataclass(frozen=True)
class ChannelFreshness:
    channel: str
    latest_record_at: datetime | None  # the latest record the marts hold (its event time)
    last_loaded_at: datetime | None  # the last load the marts include
    built_at: datetime | None  # when the marts were built
    loaded_now: datetime | None  # the last load in raw now


@dataclass(frozen=True)
class Freshness:
    channels: list[ChannelFreshness]

    @property
    def cut_off(self) -> datetime | None:
        """How far the data reaches: the earliest of the channels' latest records (channels without data aside)."""
        reached = [c.latest_record_at for c in self.channels if c.latest_record_at is not None]
        return min(reached) if reached else None

    @property
    def last_load(self) -> datetime | None:
        loads = [c.last_loaded_at for c in self.channels if c.last_loaded_at is not None]
        return max(loads) if loads else None

    @property
    def built_at(self) -> datetime | None:
        built = [c.built_at for c in self.channels if c.built_at is not None]
        return min(built) if built else None


def read_freshness(settings: Settings) -> Freshness:
    from voc import warehouse
    from voc.channels import REGISTRY

    with warehouse.connect(settings, duty="transformer") as conn:
        conn.read_only = True
        if conn.execute("select to_regclass('marts.source_freshness')").fetchone()[0] is None:
            raise StaleData("marts.source_freshness does not exist: run `voc dbt build` first")
        seen = {row[0]: row[1:] for row in conn.execute(FRESHNESS_QUERY).fetchall()}
        channels = []
        for name, channel in REGISTRY.items():
            loads = []
            for table in channel.entities.values():
                if conn.execute("select to_regclass(%s)", (f"raw.{table}",)).fetchone()[0] is not None:
                    loads.append(conn.execute(f"select max(loaded_at) from raw.{table}").fetchone()[0])
            loaded_now = max((load for load in loads if load is not None), default=None)
            latest, last_loaded, built = seen.get(name, (None, None, None))
            channels.append(ChannelFreshness(name, latest, last_loaded, built, loaded_now))
    return Freshness(channels)


def check_publishable(settings: Settings, month: date, freshness: Freshness | None = None) -> Freshness:
    """Raise `StaleData` unless the marts hold every load and every channel with data reaches the month's end
    (less `settings.freshness_tolerance_hours`, the longest silence a channel may have)."""
    freshness = freshness or read_freshness(settings)
    zone = ZoneInfo(settings.timezone)
    last_day = calendar.monthrange(month.year, month.month)[1]
    month_end = datetime(month.year, month.month, last_day, tzinfo=zone) + timedelta(days=1)
    needed = month_end - timedelta(hours=settings.freshness_tolerance_hours)
    for channel in freshness.channels:
        if channel.loaded_now is not None and (channel.last_loaded_at is None or channel.loaded_now > channel.last_loaded_at):
            raise StaleData(
                f"{channel.channel}: records were landed at {_when(channel.loaded_now, zone)}, after the marts were "
                f"built (they include loads up to {_when(channel.last_loaded_at, zone)}): run `voc dbt build`, then "
                "publish again"
            )
    for channel in freshness.channels:
        if channel.latest_record_at is not None and channel.latest_record_at < needed:
            raise StaleData(
                f"{channel.channel}: its latest record is from {_when(channel.latest_record_at, zone)}, more than "
                f"{settings.freshness_tolerance_hours} h before the end of {month:%Y-%m}: the month is incomplete; "
                f"land the missing exports (or raise VOC_FRESHNESS_TOLERANCE_HOURS if the channel is that quiet)"
            )
    return freshness


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return "never" if moment is None else f"{moment.astimezone(zone):%Y-%m-%d %H:%M %Z}"
