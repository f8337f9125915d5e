"""People in charge of the classification: overrides recorded in `review.classification_overrides`.

A quality manager's decision wins over the agent's disposition code and the classifier. Decisions are appended,
never updated, so the table is its own audit trail: the latest decision per contact wins, and a decision without a
type hands the contact back to the automatic rules. The table is outside dbt's schemas and the landing's, so
rebuilds (`dbt build --full-refresh`) and source replays (`voc land --from-start`) keep it. The marts show a
decision after the next `dbt build` (the transform DAG).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from voc import warehouse
from voc.classifier.corpus import TYPES
from voc.settings import Settings


class OverrideError(ValueError):
    """An override that cannot be recorded; the message says why."""


@dataclass(frozen=True)
class Override:
    override_id: int
    contact_id: str
    contact_type: str | None
    reason: str
    overridden_by: str
    overridden_at: datetime


def record(settings: Settings, contact_id: str, contact_type: str | None, *, by: str, reason: str) -> Override:
    """Append a decision (``contact_type=None`` reverts to automatic); the contact must be in the marts."""
    if contact_type is not None and contact_type not in TYPES:
        raise OverrideError(f"unknown contact type {contact_type!r}: use one of {', '.join(TYPES)}")
    if not by.strip():
        raise OverrideError("say who decides (--by)")
    if not reason.strip():
        raise OverrideError("say why (--reason): the reason is kept as audit evidence")
    with warehouse.connect(settings, duty="reviewer") as conn:
        built = conn.execute("select to_regclass('marts.fct_contacts') is not null").fetchone()[0]
        if not built:
            raise OverrideError("the marts are not built yet (run the transform first): there is no contact to override")
        found = conn.execute("select 1 from marts.fct_contacts where contact_id = %s", (contact_id,)).fetchone()
        if found is None:
            raise OverrideError(
                f"no contact {contact_id!r} in marts.fct_contacts; ids look like `email:<message-id>` or `phone:<call-id>`"
            )
        row = conn.execute(
            """
            insert into review.classification_overrides (contact_id, contact_type, reason, overridden_by)
            values (%s, %s, %s, %s)
            returning override_id, contact_id, contact_type, reason, overridden_by, overridden_at
            """,
            (contact_id, contact_type, reason.strip(), by.strip()),
        ).fetchone()
    return Override(*row)


def history(settings: Settings, contact_id: str | None = None) -> list[Override]:
    """Every decision, oldest first (one contact's when given)."""
    with warehouse.connect(settings, duty="reviewer") as conn:
        rows = conn.execute(
            """
            select override_id, contact_id, contact_type, reason, overridden_by, overridden_at
            from review.classification_overrides
            where %(contact_id)s::text is null or contact_id = %(contact_id)s
            order by overridden_at, override_id
            """,
            {"contact_id": contact_id},
        ).fetchall()
    return [Override(*row) for row in rows]
