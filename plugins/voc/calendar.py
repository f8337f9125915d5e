"""Business calendars: the public holidays seed, generated from the `holidays` package, never typed by hand.

`dbt_project/seeds/business_calendars.csv` says when each team works (ISO weekday, opening and closing time in the
organisation's time zone) and which region's holidays it keeps (`subdivision`, an ISO 3166-2 code such as `MD`;
empty: national holidays only). `write_holidays()` (`voc holidays`) writes `dbt_project/seeds/public_holidays.csv`:
every public holiday of `VOC_HOLIDAY_COUNTRY` (default `ES`) in the years asked for, national ones once and each
calendar's regional ones under its subdivision, as the installed `holidays` package knows them. A test checks that
the committed seed is what the locked package gives; regenerate it when the years or the calendars change.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from voc.settings import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "dbt_project" / "seeds"
CALENDARS = SEEDS / "business_calendars.csv"
HOLIDAYS = SEEDS / "public_holidays.csv"
DEFAULT_YEARS = range(2025, 2029)
COLUMNS = ("holiday_date", "country", "subdivision", "holiday_name")


def subdivisions(calendars: Path = CALENDARS) -> list[str]:
    """The regions whose holidays the business calendars keep ('' for national only)."""
    with calendars.open(newline="", encoding="utf-8") as handle:
        return sorted({row["subdivision"] for row in csv.DictReader(handle)})


def holidays_csv(country: str = "ES", years: range = DEFAULT_YEARS, regions: list[str] | None = None) -> str:
    """The seed's text: national holidays with an empty subdivision, then each region's own (those that are not
    national), sorted by date."""
    import holidays

    years = list(years)
    national = holidays.country_holidays(country, years=years, language="en_US")
    rows = [(day.isoformat(), country, "", name) for day, name in national.items()]
    for region in regions if regions is not None else subdivisions():
        if not region:
            continue
        regional = holidays.country_holidays(country, subdiv=region, years=years, language="en_US")
        rows += [(day.isoformat(), country, region, name) for day, name in regional.items() if day not in national]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(sorted(rows, key=lambda row: (row[0], row[2], row[3])))
    return out.getvalue()


def write_holidays(country: str = "ES", years: range = DEFAULT_YEARS, path: Path = HOLIDAYS) -> Path:
    path.write_text(holidays_csv(country, years), encoding="utf-8")
    return path
