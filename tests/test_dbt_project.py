"""What BI tools and the report rely on, held by the dbt project itself: every mart has an enforced contract,
and the exposures name every mart the report reads and every mart BI tools may read."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPORTING = Path(__file__).resolve().parents[1] / "plugins" / "voc" / "reporting"


def _manifest(settings) -> dict:
    from voc.transform import manifest_path

    return json.loads(manifest_path(settings).read_text())


def test_every_mart_has_an_enforced_contract_with_typed_columns(built_warehouse):
    marts = [
        node
        for node in _manifest(built_warehouse)["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    ]
    assert len(marts) >= 11
    for node in marts:
        assert node["config"]["contract"]["enforced"], node["name"]
        assert node["columns"] and all(column.get("data_type") for column in node["columns"].values()), node["name"]


def test_the_exposures_name_what_the_report_and_bi_tools_read(built_warehouse):
    manifest = _manifest(built_warehouse)
    exposures = {exposure["name"]: exposure for exposure in manifest["exposures"].values()}
    read_by_report = set()
    for path in REPORTING.glob("*.py"):
        read_by_report |= set(re.findall(r"\bmarts\.(\w+)", path.read_text()))
    report_marts = {node.split(".")[-1] for node in exposures["monthly_quality_report"]["depends_on"]["nodes"]}
    assert read_by_report and read_by_report <= report_marts
    facts = {
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts" and node["name"].startswith(("fct_", "dim_", "kpi_"))
    }
    assert facts <= {node.split(".")[-1] for node in exposures["bi_marts"]["depends_on"]["nodes"]}


def test_every_measure_the_report_and_auditors_read_names_its_iso_clause(built_warehouse):
    """The KPI mart's measures, the corrective actions' evidence and the backlog carry their ISO 9001 clause as column
    meta (dbt docs show it next to the definition)."""
    nodes = {node["name"]: node for node in _manifest(built_warehouse)["nodes"].values() if node["resource_type"] == "model"}
    expected = {
        "kpi_channel_monthly": set(nodes["kpi_channel_monthly"]["columns"]) - {"channel", "month_start_date"},
        "fct_corrective_actions": {"complaints_before", "complaints_after", "effectiveness", "is_recurrence_reduced"},
        "fct_complaint_backlog_daily": {"open_complaints"},
    }
    for model, columns in expected.items():
        assert columns, model
        for name in columns:
            meta = nodes[model]["columns"][name].get("config", {}).get("meta") or nodes[model]["columns"][name].get("meta")
            assert meta and meta.get("iso_9001"), f"{model}.{name} names no ISO 9001 clause"
