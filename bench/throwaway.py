"""A benchmark's throw-away home: a temporary VOC_HOME with its own embedded warehouse (sample, Airflow home, reports
under it), stopped and removed when the benchmark ends, whether it completed or failed; ``keep`` leaves it and says
where. Imported by the scripts of bench/ (run as ``uv run python bench/<script>.py``)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def throwaway_home(name: str, *, keep: bool = False, warehouse: bool = True) -> Iterator[Path]:
    """Point VOC_HOME at a new temporary folder (and start its warehouse, unless ``warehouse`` is false); yield the
    folder. Settings read inside the block are the throw-away home's."""
    home = Path(tempfile.mkdtemp(prefix=f"voc-bench-{name}-"))
    os.environ["VOC_HOME"] = str(home)
    os.environ.pop("VOC_WAREHOUSE_URL", None)
    from voc import warehouse as embedded
    from voc.settings import get_settings

    settings = get_settings()
    if warehouse:
        embedded.ensure_running(settings)
    try:
        yield home
    finally:
        if keep:
            print(f"kept: VOC_HOME={home}" + (" (stop its warehouse with `voc warehouse stop`)" if warehouse else ""))
        else:
            if warehouse:
                embedded.stop(settings)
            shutil.rmtree(home, ignore_errors=True)
