"""`transform_dbt` (Airflow DAG): builds the warehouse's staging, intermediate and marts layers with dbt, model by model.

Rendered by Cosmos from `dbt_project/target/manifest.json` (`voc setup` writes it); each model and seed is built with
its own tests (`dbt build`), and a test over several models runs once they are all built.
Scheduled when any channel's raw tables change; marks the marts asset updated when done.
"""

from voc.channels import REGISTRY
from voc.orchestration import build_transform_dag

transform_dbt = build_transform_dag(list(REGISTRY), doc_md=__doc__)
