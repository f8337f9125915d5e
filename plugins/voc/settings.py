"""Settings: every tunable of the platform, read once from the environment.

| variable | default | meaning |
|---|---|---|
| `VOC_HOME` | `<project>/.voc` | state folder: embedded warehouse, sample data, reports, Airflow home |
| `VOC_WAREHOUSE_URL` | (embedded) | a PostgreSQL URL (`postgresql://user:pass@host:port/db`); unset = embedded server |
| `AIRFLOW_CONN_VOC_WAREHOUSE` | | the same as an Airflow connection URI; used when `VOC_WAREHOUSE_URL` is unset |
| `VOC_SAMPLE_DIR` | `$VOC_HOME/sample` | the drop folder the channels read |
| `VOC_REPORTS_DIR` | `$VOC_HOME/reports` | where published reports land |
| `VOC_TIMEZONE` | `Europe/Madrid` | the organisation's time zone: periods are cut in it |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(os.environ.get("VOC_PROJECT_ROOT", Path(__file__).resolve().parents[2]))


@dataclass(frozen=True)
class Settings:
    project_root: Path
    home: Path
    warehouse_url: str | None
    sample_dir: Path
    reports_dir: Path
    timezone: str

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

    def channel_dir(self, channel: str) -> Path:
        """The drop folder of one channel."""
        return self.sample_dir / channel


def get_settings() -> Settings:
    """Read the settings from the environment (cheap: call it where you need it)."""
    home = Path(os.environ.get("VOC_HOME", PROJECT_ROOT / ".voc")).resolve()
    url = os.environ.get("VOC_WAREHOUSE_URL") or os.environ.get("AIRFLOW_CONN_VOC_WAREHOUSE") or None
    return Settings(
        project_root=PROJECT_ROOT,
        home=home,
        warehouse_url=url,
        sample_dir=Path(os.environ.get("VOC_SAMPLE_DIR", home / "sample")).resolve(),
        reports_dir=Path(os.environ.get("VOC_REPORTS_DIR", home / "reports")).resolve(),
        timezone=os.environ.get("VOC_TIMEZONE", "Europe/Madrid"),
    )
