"""Airflow live ingest DAGs, one per live stream (`ingest_live_<channel>_<stream>`), paused when created.

Each run asks the stream's server for what came after the stream's cursor (X API v2 mentions, the brand's timeline
and recent search through tweepy; each web feed of VOC_WEB_FEEDS with a conditional GET), keeps every response in
the channel's drop folder, lands it into `raw.<channel>_<entity>` with the new cursor, and updates the channel's raw
asset. X streams run every 15 minutes, feeds hourly. A run stopped by a rate limit ends successful and says until
when; the next run resumes from the cursor. Connections: `voc_x` (README, "Live channels").
"""

from voc.channels import live_streams
from voc.orchestration import build_live_dag

for _stream in live_streams().values():
    _dag = build_live_dag(_stream, doc_md=__doc__)
    globals()[_dag.dag_id] = _dag
