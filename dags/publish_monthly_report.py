"""`publish_monthly_report` (Airflow DAG): on the first of each month, validates the warehouse with Great Expectations and, only
if every expectation passes, renders the month's quality report under `$VOC_REPORTS_DIR/<YYYY-MM>/`.

The run's data interval is the reported month (cut in the organisation's time zone). A failed gate fails the
`check_quality` task, names the failed expectations in its log, and no report is written.
"""

from voc.orchestration import build_publish_dag

publish_monthly_report = build_publish_dag(doc_md=__doc__)
