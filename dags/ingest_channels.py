"""Airflow ingest DAGs, one per channel (`ingest_<channel>`), generated from the channel registry.

Each run lands every new or changed file of the channel's drop folder (`audit.landed_files` remembers what was
landed) into `raw.<channel>_<entity>`
(idempotent upserts; unreadable records go to `raw.quarantine` with the reason) and updates the channel's raw asset,
which schedules `transform_dbt`.
"""

from voc.channels import REGISTRY
from voc.orchestration import build_ingest_dag

for _channel in REGISTRY.values():
    globals()[f"ingest_{_channel.name}"] = build_ingest_dag(_channel, doc_md=__doc__)
