"""What BI tools and the report rely on, held by the dbt project itself: every mart has an enforced contract, the
exposures name every mart the report reads and every mart BI tools may read, and the incremental tables' keys are
enforced by the warehouse."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

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


# the tables whose key the warehouse enforces (a unique index, made by the build) instead of a `unique` data test
KEYS = {
    ("staging", "stg_email__messages"): "message_id",
    ("staging", "stg_phone__calls"): "call_id",
    ("staging", "stg_cases__events"): "event_id",
    ("intermediate", "int_interactions"): "interaction_id",
    ("marts", "fct_interactions"): "interaction_id",
    ("intermediate", "int_contact_first_responses"): "contact_id",
    ("intermediate", "int_contacts_classified"): "contact_id",
    ("intermediate", "int_contact_sla"): "contact_id",
    ("marts", "fct_contacts"): "contact_id",
}


def _unique_indexes(conn, schema: str, table: str) -> set[str]:
    return {
        re.search(r"USING btree \((.*)\)", definition).group(1)
        for (definition,) in conn.execute(
            "select indexdef from pg_indexes where schemaname = %s and tablename = %s and indexdef like 'CREATE UNIQUE INDEX %%'",
            (schema, table),
        )
    }


def test_the_incremental_tables_keys_are_enforced_by_the_warehouse(built_warehouse, tmp_path):
    """Each incremental table's key is a unique index: a second row with a stored key is refused. A table built before
    the index existed (here: with a plain index on the key) gets the unique one at its next build."""
    from psycopg import errors
    from voc import warehouse
    from voc.transform import run_dbt

    with warehouse.connect(built_warehouse) as conn:
        for (schema, table), key in KEYS.items():
            assert key in _unique_indexes(conn, schema, table), f"{schema}.{table} has no unique index on {key}"
            with conn.transaction(force_rollback=True):
                with pytest.raises(errors.UniqueViolation):
                    conn.execute(f"insert into {schema}.{table} select * from {schema}.{table} limit 1")

        for (name,) in conn.execute(
            "select indexname from pg_indexes where schemaname = 'marts' and tablename = 'fct_interactions' "
            "and indexdef like '%%(interaction_id)'"
        ).fetchall():
            conn.execute(f'drop index marts."{name}"')
        conn.execute("create index on marts.fct_interactions (interaction_id)")
    run_dbt(["run", "--select", "fct_interactions", "--target-path", str(tmp_path / "dbt-target")], built_warehouse, quiet=True)
    with warehouse.connect(built_warehouse) as conn:
        on_key = conn.execute(
            "select indexdef like 'CREATE UNIQUE INDEX %%' from pg_indexes where schemaname = 'marts' "
            "and tablename = 'fct_interactions' and indexdef like '%%(interaction_id)'"
        ).fetchall()
    assert on_key == [(True,)]
