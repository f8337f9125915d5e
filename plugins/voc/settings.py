"""Settings: every tunable of the platform, read once from the environment.

| variable | default | meaning |
|---|---|---|
| `VOC_HOME` | `<project>/.voc` | state folder: embedded warehouse, sample data, reports, Airflow home |
| `VOC_WAREHOUSE_URL` | (embedded) | a PostgreSQL URL (`postgresql://user:pass@host:port/db`); unset = embedded server |
| `AIRFLOW_CONN_VOC_WAREHOUSE` | | the same as an Airflow connection URI; used when `VOC_WAREHOUSE_URL` is unset |
| `VOC_<DUTY>_URL` | (the owner) | a configured warehouse's login for one duty (`LOADER`, `TRANSFORMER`, `READER`, `REVIEWER`, `ERASER`); `voc setup` creates it in the duty's role |
| `AIRFLOW_CONN_VOC_WAREHOUSE_<DUTY>` | | the same as an Airflow connection URI; used when `VOC_<DUTY>_URL` is unset |
| `VOC_DROP_DIR` | `$VOC_SAMPLE_DIR` | the drop folder the channels read: your exports, one sub-folder per channel |
| `VOC_SAMPLE_DIR` | `$VOC_HOME/sample` | where `voc sample` and `voc demo` write the generated sample (never your exports) |
| `VOC_REPORTS_DIR` | `$VOC_HOME/reports` | where published reports land |
| `VOC_TIMEZONE` | `Europe/Madrid` | the organisation's time zone: periods are cut in it |
| `VOC_FRESHNESS_TOLERANCE_HOURS` | `48` | the longest a channel may be silent before a month's end and still be published |
| `VOC_PSEUDONYM_SECRET` | (embedded: generated) | the secret customer pseudonyms are keyed with (HMAC-SHA-256); see `voc.privacy` |
| `VOC_PSEUDONYM_SECRET_FILE` | | a file holding it instead (a Docker/Kubernetes secret) |
| `VOC_PHONE_COUNTRY_CODE` | `34` | the country code of national phone numbers (no `+` or `00`), for their pseudonyms |
| `VOC_RETENTION_RAW_DAYS` | (keep) | days a raw record is kept after it was loaded (`voc.retention`) |
| `VOC_RETENTION_QUARANTINE_DAYS` | (keep) | days a quarantined record is kept |
| `VOC_ERASURE_REQUESTS_DIR` | `$VOC_HOME/erasure_requests` | erasure requests waiting for the `housekeeping` DAG (`voc erase --queue`) |
| `VOC_LIVE_RETRIES` | `5` | live streams: retries of a 5xx, a timeout, a 429 without reset time or a malformed response |
| `VOC_LIVE_BACKOFF_SECONDS` | `2` | live streams: the first retry's longest wait (doubled each retry, full jitter) |
| `VOC_LIVE_MAX_WAIT_SECONDS` | `120` | live streams: the longest single wait (a rate limit resetting later ends the run, resumable) |
| `VOC_LIVE_TIMEOUT_SECONDS` | `30` | live streams: connect and read timeout of one request |
| `VOC_FACEBOOK_LOOKBACK_DAYS` | `7` | live Facebook: each run reads again the posts of these last days, so new comments re-land their post |
| `VOC_WEB_FEEDS` | | live web feeds, `name=url` separated by spaces or new lines (name: lowercase letters, digits, `_`) |
| `VOC_OFFSETLESS_TIMESTAMPS` | `reject` | a source timestamp without UTC offset: `reject` (null + data issue) or `organisation_time_zone` (read in `VOC_TIMEZONE`, still flagged); read by dbt |
| `VOC_CORRECTIVE_ACTION_MIN_REDUCTION` | `0.2` | the fall in a root cause's complaints that makes a corrective action effective; read by dbt |

Without `VOC_DROP_DIR` the channels read the sample, which is what the demo and the tests do. In production set it
to the folder the exports arrive in; `voc sample` keeps writing to `VOC_SAMPLE_DIR` and refuses any folder it did not
write itself.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("VOC_PROJECT_ROOT", Path(__file__).resolve().parents[2]))


# What each pipeline step does to the warehouse; each connects as the role voc_<duty> (voc.warehouse.DUTY_ROLES).
DUTIES = ("loader", "transformer", "reader", "reviewer", "eraser")
# The Airflow connection of the warehouse's owner, and of each duty's login (voc_warehouse_<duty>).
WAREHOUSE_CONN_ID = "voc_warehouse"


def duty_conn_id(duty: str) -> str:
    """The Airflow connection id of a duty's login, e.g. ``voc_warehouse_loader``."""
    return f"{WAREHOUSE_CONN_ID}_{duty}"


def conn_variable(conn_id: str) -> str:
    """The environment variable Airflow reads a connection from (``AIRFLOW_CONN_<ID>``)."""
    return f"AIRFLOW_CONN_{conn_id.upper()}"


@dataclass(frozen=True)
class Settings:
    project_root: Path
    home: Path
    warehouse_url: str | None
    sample_dir: Path
    reports_dir: Path
    timezone: str
    drop_dir: Path | None = None  # None: the channels read the sample
    freshness_tolerance_hours: int = 48
    # a configured warehouse's login per duty (VOC_<DUTY>_URL or the Airflow connection voc_warehouse_<duty>); a duty
    # without one connects with warehouse_url
    duty_urls: tuple[tuple[str, str], ...] = ()
    pseudonym_secret: str | None = field(default=None, repr=False)  # voc.privacy reads it; never printed
    pseudonym_secret_file: str | None = None
    phone_country_code: str = "34"
    retention_raw_days: int | None = None  # None: kept
    retention_quarantine_days: int | None = None
    erasure_requests_dir: Path | None = None  # None: $VOC_HOME/erasure_requests
    live_retries: int = 5
    live_backoff_seconds: float = 2.0
    live_max_wait_seconds: float = 120.0
    live_timeout_seconds: float = 30.0
    web_feeds: tuple[tuple[str, str], ...] = ()  # (name, url)
    facebook_lookback_days: float = 7.0

    @property
    def drop_folder(self) -> Path:
        """The folder the channels read."""
        return self.drop_dir or self.sample_dir

    @property
    def dbt_project_dir(self) -> Path:
        return self.project_root / "dbt_project"

    @property
    def expectations_dir(self) -> Path:
        return self.project_root / "expectations"

    @property
    def warehouse_dir(self) -> Path:
        """Where the embedded PostgreSQL keeps its data and its connection file."""
        return self.home / "warehouse"

    @property
    def erasure_requests(self) -> Path:
        """Where queued erasure requests wait for the housekeeping DAG (one file per request, mode 0600)."""
        return self.erasure_requests_dir or self.home / "erasure_requests"

    def channel_dir(self, channel: str) -> Path:
        """The drop folder of one channel."""
        return self.drop_folder / channel


def get_settings() -> Settings:
    """Read the settings from the environment (cheap: call it where you need it)."""
    home = Path(os.environ.get("VOC_HOME", PROJECT_ROOT / ".voc")).resolve()
    url = os.environ.get("VOC_WAREHOUSE_URL") or os.environ.get(conn_variable(WAREHOUSE_CONN_ID)) or None
    return Settings(
        project_root=PROJECT_ROOT,
        home=home,
        warehouse_url=url,
        sample_dir=Path(os.environ.get("VOC_SAMPLE_DIR", home / "sample")).resolve(),
        reports_dir=Path(os.environ.get("VOC_REPORTS_DIR", home / "reports")).resolve(),
        timezone=os.environ.get("VOC_TIMEZONE") or "Europe/Madrid",
        drop_dir=Path(os.environ["VOC_DROP_DIR"]).resolve() if os.environ.get("VOC_DROP_DIR") else None,
        freshness_tolerance_hours=_hours(os.environ.get("VOC_FRESHNESS_TOLERANCE_HOURS", "48")),
        duty_urls=tuple(
            (duty, login)
            for duty in DUTIES
            if (login := os.environ.get(f"VOC_{duty.upper()}_URL") or os.environ.get(conn_variable(duty_conn_id(duty))))
        ),
        pseudonym_secret=os.environ.get("VOC_PSEUDONYM_SECRET") or None,
        pseudonym_secret_file=os.environ.get("VOC_PSEUDONYM_SECRET_FILE") or None,
        phone_country_code=_country_code(os.environ.get("VOC_PHONE_COUNTRY_CODE", "34")),
        retention_raw_days=_days("VOC_RETENTION_RAW_DAYS"),
        retention_quarantine_days=_days("VOC_RETENTION_QUARANTINE_DAYS"),
        erasure_requests_dir=Path(os.environ["VOC_ERASURE_REQUESTS_DIR"]).resolve()
        if os.environ.get("VOC_ERASURE_REQUESTS_DIR")
        else None,
        live_retries=int(_number("VOC_LIVE_RETRIES", "5", minimum=0)),
        live_backoff_seconds=_number("VOC_LIVE_BACKOFF_SECONDS", "2", minimum=0),
        live_max_wait_seconds=_number("VOC_LIVE_MAX_WAIT_SECONDS", "120", minimum=0),
        live_timeout_seconds=_number("VOC_LIVE_TIMEOUT_SECONDS", "30", minimum=0.1),
        web_feeds=_feeds(os.environ.get("VOC_WEB_FEEDS", "")),
        facebook_lookback_days=_number("VOC_FACEBOOK_LOOKBACK_DAYS", "7", minimum=0),
    )


def _hours(value: str) -> int:
    try:
        hours = int(value)
    except ValueError:
        raise ValueError(f"VOC_FRESHNESS_TOLERANCE_HOURS must be a whole number of hours, not {value!r}") from None
    if hours < 0:
        raise ValueError(f"VOC_FRESHNESS_TOLERANCE_HOURS must not be negative ({hours})")
    return hours


def _country_code(value: str) -> str:
    code = value.strip().lstrip("+")
    if not re.fullmatch(r"[1-9][0-9]{0,2}", code):
        raise ValueError(f"VOC_PHONE_COUNTRY_CODE must be a country calling code such as 34 or 44, not {value!r}")
    return code


def _days(variable: str) -> int | None:
    value = os.environ.get(variable, "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{variable} must be a whole number of days (1 or more), or unset to keep everything; not {value!r}")
    return int(value)


def _number(variable: str, default: str, *, minimum: float) -> float:
    value = os.environ.get(variable, "").strip() or default
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{variable} must be a number, not {value!r}") from None
    if number < minimum:
        raise ValueError(f"{variable} must be at least {minimum:g}, not {value!r}")
    return number


_FEED_NAME = re.compile(r"[a-z0-9_]{1,60}")


def _feeds(value: str) -> tuple[tuple[str, str], ...]:
    feeds: dict[str, str] = {}
    for item in value.split():
        name, sep, url = item.partition("=")
        if not sep or not _FEED_NAME.fullmatch(name) or not url.startswith(("http://", "https://")):
            raise ValueError(
                f"VOC_WEB_FEEDS: {item[:80]!r} is not name=url (name: lowercase letters, digits, _; url: http(s)://)"
            )
        if name in feeds:
            raise ValueError(f"VOC_WEB_FEEDS names the feed {name!r} twice")
        feeds[name] = url
    return tuple(feeds.items())
