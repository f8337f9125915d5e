"""The KPI mart against the sample's ground truth, channel by channel and month by month."""

from __future__ import annotations

import math

COUNTS = ["contacts", "complaints", "complaints_responded", "complaints_responded_within_24h", "survey_responses"]


def _mart_rows(warehouse, settings) -> dict[tuple[str, str], dict]:
    with warehouse.connect(settings) as conn:
        cur = conn.execute(
            f"""
            select channel, to_char(month_start_date, 'YYYY-MM') as month, {", ".join(COUNTS)}, csat, nps,
                   response_rate, responded_within_24h_rate
            from marts.kpi_channel_monthly
            """
        )
        names = [column.name for column in cur.description]
        return {(row[0], row[1]): dict(zip(names, row, strict=True)) for row in cur.fetchall()}


def _close(actual, expected) -> bool:
    if expected is None or actual is None:
        return actual is None and expected is None
    return math.isclose(float(actual), float(expected), abs_tol=1e-9)


def test_kpi_mart_has_every_channel_and_month_of_the_ground_truth(built_warehouse, warehouse, ground_truth):
    mart = _mart_rows(warehouse, built_warehouse)
    assert set(mart) == {(row["channel"], row["month"]) for row in ground_truth["kpis"]}


def test_kpi_mart_equals_ground_truth(built_warehouse, warehouse, ground_truth):
    mart = _mart_rows(warehouse, built_warehouse)
    differences = []
    for expected in ground_truth["kpis"]:
        actual = mart.get((expected["channel"], expected["month"]))
        if actual is None:
            differences.append(f"{expected['channel']} {expected['month']}: missing from the mart")
            continue
        for column in COUNTS:
            if actual[column] != expected[column]:
                differences.append(
                    f"{expected['channel']} {expected['month']} {column}: mart {actual[column]} != truth {expected[column]}"
                )
        for column in ("csat", "nps"):
            if not _close(actual[column], expected[column]):
                differences.append(
                    f"{expected['channel']} {expected['month']} {column}: mart {actual[column]} != truth {expected[column]}"
                )
    assert not differences, "\n".join(differences)


def test_rates_are_the_counts_ratios(built_warehouse, warehouse):
    for row in _mart_rows(warehouse, built_warehouse).values():
        if row["complaints"]:
            assert _close(row["response_rate"], row["complaints_responded"] / row["complaints"])
            assert _close(row["responded_within_24h_rate"], row["complaints_responded_within_24h"] / row["complaints"])
        else:
            assert row["response_rate"] is None and row["responded_within_24h_rate"] is None


def test_sample_has_complaints_in_every_complete_month(ground_truth):
    """Guards the comparison above against an empty sample: figures must be there to compare."""
    months = sorted({row["month"] for row in ground_truth["kpis"]})
    for month in months[:-1]:
        complaints = sum(row["complaints"] for row in ground_truth["kpis"] if row["month"] == month)
        assert complaints > 50, month
