"""`transform_dbt` (Airflow DAG): builds the warehouse's staging, intermediate and marts layers with dbt, model by model.

Rendered by Cosmos from the project's node list, `dbt_project/target/dbt_ls.json` (`voc setup` and `voc manifest` write it
with the manifest): one task runs `dbt build` for the
whole project (Cosmos's watcher producer), then every model, seed and test has a task that reports its own result.
Scheduled when any channel's raw tables change; marks the marts asset updated when done.
"""

from voc.channels import REGISTRY
from voc.orchestration import build_transform_dag

transform_dbt = build_transform_dag(list(REGISTRY), doc_md=__doc__)
