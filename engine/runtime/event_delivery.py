"""Delivering a message or a signal: to the elements of running instances that wait for it (found
through the event subscription index), or by starting a process at its message or signal start event.

Both run on the caller's connection, so a correlation, a broadcast, or a signal thrown inside a
process changes every instance it reaches in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.util import BpmnEvent
from sqlalchemy import Connection, select

from engine.errors import ConflictError
from engine.persistence import EventSubscription, InstanceRecord, ProcessInstance
from engine.runtime.context import EngineContext, LoadedInstance
from engine.runtime.involvement import Involvement, takes_part_in
from engine.runtime.variable_changes import set_on_workflow
from engine.specs import event_subscriptions, fire_start_event, rearm_non_interrupting

SUBSCRIPTION, INSTANCE = EventSubscription.__table__, ProcessInstance.__table__


@dataclass(frozen=True)
class Waiting:
    """One element waiting for the event (Camunda's execution), or a start event (no instance)."""

    definition_id: str
    definition_key: str
    activity_id: str
    instance_id: str | None = None
    execution_id: str | None = None


def waiting_executions(conn: Connection, kind: str, name: str, *, business_key: str | None = None,
                       instance_id: str | None = None, involving: Involvement | None = None) -> list[Waiting]:
    """The elements of active instances waiting for this message or signal, oldest instance first."""
    statement = (select(SUBSCRIPTION.c.definition_id, SUBSCRIPTION.c.definition_key, SUBSCRIPTION.c.activity_id,
                        SUBSCRIPTION.c.instance_id, SUBSCRIPTION.c.execution_id)
                 .join(INSTANCE, INSTANCE.c.id == SUBSCRIPTION.c.instance_id)
                 .where(SUBSCRIPTION.c.event_type == kind, SUBSCRIPTION.c.event_name == name,
                        INSTANCE.c.status == "active")
                 .order_by(INSTANCE.c.started_at, SUBSCRIPTION.c.id))
    if business_key is not None:
        statement = statement.where(INSTANCE.c.business_key == business_key)
    if instance_id is not None:
        statement = statement.where(INSTANCE.c.id == instance_id)
    if involving is not None:
        statement = statement.where(takes_part_in(involving))
    return [Waiting(*row) for row in conn.execute(statement)]


def start_events(conn: Connection, kind: str, name: str) -> list[Waiting]:
    """The start events of the latest versions that this message or signal starts."""
    return [Waiting(*row) for row in conn.execute(
        select(SUBSCRIPTION.c.definition_id, SUBSCRIPTION.c.definition_key, SUBSCRIPTION.c.activity_id)
        .where(SUBSCRIPTION.c.event_type == kind, SUBSCRIPTION.c.event_name == name,
               SUBSCRIPTION.c.instance_id.is_(None)).order_by(SUBSCRIPTION.c.definition_key))]


def deliver(ctx: EngineContext, conn: Connection, loaded: LoadedInstance, executions: list[Waiting],
            variables: dict, *, kind: str, name: str, actor: str | None) -> InstanceRecord:
    """Sets the variables on the instance, lets each waiting element catch the event, runs on and saves.

    An element that no longer waits (the index is written with the state, so only a concurrent
    step can cause it) is a conflict: the caller's transaction writes nothing.
    """
    workflow = loaded.workflow
    waiting = {(str(task.id), activity): (task, definition)
               for _, _, activity, task, definition in event_subscriptions(workflow)}
    catching = []
    for execution in executions:
        found = waiting.get((execution.execution_id, execution.activity_id))
        if found is None:
            raise ConflictError(f"process instance {loaded.row.id} no longer waits for the {kind} '{name}'")
        catching.append(found)
    with ctx.clocked():
        if variables:
            set_on_workflow(workflow, variables)
        for task, definition in catching:
            task.task_spec.catch(task, BpmnEvent(definition, payload={}))
            task.task_spec._update(task)
            rearm_non_interrupting(task)
    outcome = ctx.advance_and_save(conn, loaded, actor=actor, events=[{
        "event_type": kind, "element_id": e.activity_id,
        "data": {"name": name, "variables": variables or None}} for e in executions])
    loaded.row.status = outcome.status
    return loaded.row


def start_by_event(ctx: EngineContext, conn: Connection, start: Waiting, variables: dict, business_key: str | None,
                   *, kind: str, name: str, actor: str | None) -> InstanceRecord:
    """A new instance of the definition, begun at the start event this message or signal fires."""
    return ctx.create_instance(
        conn, start.definition_id, start.definition_key, variables, business_key, actor,
        prepare=lambda workflow: fire_start_event(workflow, start.activity_id),
        events=[{"event_type": kind, "element_id": start.activity_id, "data": {"name": name}}])
