"""`housekeeping` (Airflow DAG): daily, carries out the queued erasure requests (`voc erase ... --queue --request
REF`), removes raw and quarantined records past their retention periods (`VOC_RETENTION_RAW_DAYS`,
`VOC_RETENTION_QUARANTINE_DAYS`), then rebuilds dbt when anything was removed, so that no model keeps it.

Requests wait as files (mode 0600) in `$VOC_ERASURE_REQUESTS_DIR`, never in the DAG run's configuration: a person's
identifiers stay out of Airflow's database, logs and XCom. `audit.erasures` and `audit.retention_runs` log each run.
"""

from voc.orchestration import build_housekeeping_dag

housekeeping = build_housekeeping_dag(doc_md=__doc__)
