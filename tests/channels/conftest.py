"""Fixtures of the channel tests: settings pointing at the hand-written drop folders, and file readers."""

from __future__ import annotations

from pathlib import Path

import pytest
from voc.settings import Settings

FIXTURES = Path(__file__).parent / "fixtures"


def make_settings(sample_dir: Path, tmp_path: Path) -> Settings:
    return Settings(
        project_root=Path(__file__).resolve().parents[2],
        home=tmp_path,
        warehouse_url=None,
        sample_dir=sample_dir,
        reports_dir=tmp_path / "reports",
        timezone="Europe/Madrid",
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose drop folder is ``tests/channels/fixtures``."""
    return make_settings(FIXTURES, tmp_path)


@pytest.fixture
def drop_folder(tmp_path: Path) -> tuple[Path, Settings]:
    """An empty drop folder of one's own (for files built inside a test) and settings reading it."""
    sample_dir = tmp_path / "sample"
    sample_dir.mkdir()
    return sample_dir, make_settings(sample_dir, tmp_path)
