"""Airflow assets linking the DAGs, defined once: raw tables per channel, then the marts."""

from __future__ import annotations

from airflow.sdk import Asset


def raw_asset(channel: str) -> Asset:
    """The raw tables of one channel (landed by `ingest_<channel>`)."""
    return Asset(name=f"voc_raw_{channel}", uri=f"voc://warehouse/raw/{channel}", group="raw")


MARTS = Asset(name="voc_marts", uri="voc://warehouse/marts", group="marts")
