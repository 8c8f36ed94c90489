"""History service: the audit trail of deployments, instances and tasks."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from engine.runtime import EngineContext
from engine.persistence import HistoryEvent


class HistoryService:
    def __init__(self, ctx: EngineContext) -> None:
        self._ctx = ctx

    def events(self, *, instance_id: str | None = None, task_id: str | None = None,
               event_types: list[str] | None = None, actor: str | None = None,
               after: datetime | None = None, first: int = 0, limit: int | None = 500) -> list[HistoryEvent]:
        statement = select(HistoryEvent)
        if instance_id:
            statement = statement.where(HistoryEvent.instance_id == instance_id)
        if task_id:
            statement = statement.where(HistoryEvent.task_id == task_id)
        if event_types:
            statement = statement.where(HistoryEvent.event_type.in_(event_types))
        if actor:
            statement = statement.where(HistoryEvent.actor == actor)
        if after:
            statement = statement.where(HistoryEvent.time > after)
        statement = statement.order_by(HistoryEvent.id).offset(first).limit(limit)
        with self._ctx.sessions() as session:
            return list(session.scalars(statement))


def event_data(event: HistoryEvent) -> dict:
    return json.loads(event.data_json) if event.data_json else {}
