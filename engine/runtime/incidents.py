"""Reading incidents and failed jobs, and an operator's annotation on an incident.

An incident is open until a retry resolves it; the runtime lists only open ones (Camunda moves
resolved incidents to its history). A failed job is the step an open `failedJob` incident
stopped at: its id is the incident's configuration, which a retry names.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from engine.errors import InvalidArgumentError, NotFoundError
from engine.persistence import FAILED_JOB, HistoryEvent, Incident, ProcessInstance
from engine.runtime.context import EngineContext

INCIDENT = Incident.__table__
# Camunda's sortBy names -> columns.
SORT_COLUMNS = {
    "incidentId": INCIDENT.c.id, "incidentMessage": INCIDENT.c.message, "incidentTimestamp": INCIDENT.c.created_at,
    "incidentType": INCIDENT.c.incident_type, "executionId": INCIDENT.c.instance_id,
    "activityId": INCIDENT.c.activity_id, "processInstanceId": INCIDENT.c.instance_id,
    "processDefinitionId": INCIDENT.c.definition_id, "configuration": INCIDENT.c.configuration,
}
MAX_ANNOTATION = 4000


@dataclass
class IncidentQuery:
    incident_id: str | None = None
    incident_type: str | None = None
    instance_id: str | None = None
    definition_id: str | None = None
    activity_id: str | None = None
    configuration: str | None = None
    open_only: bool = True
    sort_by: str | None = None
    descending: bool = False
    first: int = 0
    limit: int | None = None


@dataclass(frozen=True)
class FailedJob:
    """A step that stopped in an incident and waits for an operator's retry."""

    id: str
    instance_id: str
    definition_id: str
    definition_key: str | None
    activity_id: str | None
    exception_message: str | None
    stack_trace: str | None
    created_at: datetime
    retries: int = 0


def _filtered(statement, q: IncidentQuery):
    pairs = ((INCIDENT.c.id, q.incident_id), (INCIDENT.c.incident_type, q.incident_type),
             (INCIDENT.c.instance_id, q.instance_id), (INCIDENT.c.definition_id, q.definition_id),
             (INCIDENT.c.activity_id, q.activity_id), (INCIDENT.c.configuration, q.configuration))
    statement = statement.where(*(column == value for column, value in pairs if value is not None))
    return statement.where(INCIDENT.c.resolved_at.is_(None)) if q.open_only else statement


def list_incidents(ctx: EngineContext, query: IncidentQuery) -> list[Incident]:
    if query.sort_by is not None and query.sort_by not in SORT_COLUMNS:
        raise InvalidArgumentError(f"Cannot set query parameter 'sortBy' to value '{query.sort_by}'")
    column = SORT_COLUMNS[query.sort_by or "incidentTimestamp"]
    order = column.desc() if query.descending else column.asc()
    statement = _filtered(select(Incident), query).order_by(order, INCIDENT.c.id).offset(query.first)
    if query.limit is not None:
        statement = statement.limit(query.limit)
    with ctx.sessions() as session:
        return list(session.scalars(statement))


def count_incidents(ctx: EngineContext, query: IncidentQuery) -> int:
    with ctx.sessions() as session:
        return session.scalar(_filtered(select(func.count()).select_from(INCIDENT), query))


def get_incident(ctx: EngineContext, incident_id: str) -> Incident:
    found = list_incidents(ctx, IncidentQuery(incident_id=incident_id))
    if not found:
        raise NotFoundError(f"No matching incident with id {incident_id}")
    return found[0]


def set_annotation(ctx: EngineContext, incident_id: str, text: str | None, actor: str | None) -> None:
    """Sets (None: clears) an open incident's annotation; the history keeps who wrote what."""
    if text is not None and (not isinstance(text, str) or len(text) > MAX_ANNOTATION):
        raise InvalidArgumentError(f"an annotation is a text of at most {MAX_ANNOTATION} characters")
    with ctx.sessions.begin() as session:
        incident = session.get(Incident, incident_id)
        if incident is None or incident.resolved_at is not None:
            raise NotFoundError(f"No matching incident with id {incident_id}")
        before = incident.annotation
        session.execute(update(INCIDENT).where(INCIDENT.c.id == incident_id).values(annotation=text))
        session.add(HistoryEvent(
            time=ctx.now(), event_type="incident_annotation", actor=actor, definition_id=incident.definition_id,
            instance_id=incident.instance_id, element_id=incident.activity_id,
            data_json=json.dumps({"incident": incident_id, "old": before, "new": text}, ensure_ascii=False)))


def failed_jobs(ctx: EngineContext, *, job_id: str | None = None, instance_id: str | None = None,
                definition_id: str | None = None, first: int = 0, limit: int | None = None) -> list[FailedJob]:
    query = IncidentQuery(incident_type=FAILED_JOB, configuration=job_id, instance_id=instance_id,
                          definition_id=definition_id, first=first, limit=limit)
    incidents = list_incidents(ctx, query)
    with ctx.sessions() as session:
        keys = dict(session.execute(select(ProcessInstance.id, ProcessInstance.definition_key).where(
            ProcessInstance.id.in_({i.instance_id for i in incidents}))).all()) if incidents else {}
    return [FailedJob(i.configuration, i.instance_id, i.definition_id, keys.get(i.instance_id), i.activity_id,
                      i.message, i.stack_trace, i.created_at) for i in incidents]


def get_failed_job(ctx: EngineContext, job_id: str) -> FailedJob:
    found = failed_jobs(ctx, job_id=job_id)
    if not found:
        raise NotFoundError(f"Job with id {job_id} does not exist")
    return found[0]
