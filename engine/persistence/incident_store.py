"""Opens and resolves incident rows, in the transaction of the step that stopped or resumed."""
from __future__ import annotations

from datetime import datetime
from uuid import uuid4

from sqlalchemy import Connection, insert, update

from engine.persistence.instance_store import InstanceRef, Outcome
from engine.persistence.models_incident import FAILED_JOB, Incident

INCIDENT = Incident.__table__


def open_incident(conn: Connection, instance: InstanceRef, outcome: Outcome, *, now: datetime,
                  incident_type: str = FAILED_JOB) -> str | None:
    """Records the incident a step ended in; None when the step did not end in one.

    A failure that names no workflow task (a task attribute that cannot be evaluated) still gets
    a job id of its own, so an operator can retry it like any other.
    """
    if outcome.status != "incident":
        return None
    incident_id = str(uuid4())
    conn.execute(insert(INCIDENT).values(
        id=incident_id, instance_id=instance.id, definition_id=instance.definition_id,
        activity_id=outcome.incident_element_id, incident_type=incident_type, message=outcome.incident_message,
        stack_trace=outcome.incident_stack_trace, configuration=outcome.incident_job_id or str(uuid4()),
        created_at=now, resolved_at=None, annotation=None))
    return incident_id


def resolve_incidents(conn: Connection, instance_id: str, *, now: datetime) -> int:
    """Marks the instance's open incidents resolved (it runs again); returns how many."""
    return conn.execute(update(INCIDENT).where(INCIDENT.c.instance_id == instance_id,
                                               INCIDENT.c.resolved_at.is_(None))
                        .values(resolved_at=now)).rowcount
