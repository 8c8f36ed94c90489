"""History service: the audit trail of deployments, instances and tasks."""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import exists, select

from engine.runtime import EngineContext, Involvement, takes_part_in
from engine.persistence import HistoryEvent, ProcessInstance

# The events that set or remove process variables, with the variables in their data: the start
# (its variables), a completed task (the submitted values), an operator's change or deletion.
VARIABLE_EVENT_TYPES = ("start", "complete", "variable_update", "variable_delete")


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

    def variable_events(self, *, instance_ids: list[str] | None = None,
                        visible_to: Involvement | None = None) -> list[HistoryEvent]:
        """The events that changed variables, oldest first; `visible_to` keeps those of the
        instances the person takes part in (None: all). Whole instances' histories: a variable's
        revision counts its earlier changes."""
        statement = select(HistoryEvent).where(HistoryEvent.event_type.in_(VARIABLE_EVENT_TYPES),
                                               HistoryEvent.instance_id.is_not(None))
        if instance_ids is not None:
            statement = statement.where(HistoryEvent.instance_id.in_(instance_ids))
        if visible_to is not None:
            statement = statement.where(exists().where(ProcessInstance.id == HistoryEvent.instance_id,
                                                       takes_part_in(visible_to)))
        with self._ctx.sessions() as session:
            return list(session.scalars(statement.order_by(HistoryEvent.time, HistoryEvent.id)))


def event_data(event: HistoryEvent) -> dict:
    return json.loads(event.data_json) if event.data_json else {}
