"""Keeps the event subscription index (engine/persistence/models_events.py) in step with the instances
and the deployed definitions.

An instance's rows are compared with what its workflow waits for only when its definition has a
message or signal catch event at all (remembered on the cached spec), so the common step writes
nothing here; and only the rows that changed are written.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from engine.errors import DeploymentError, Problem
from engine.persistence.models import ProcessDefinition
from engine.persistence.models_events import EventSubscription
from engine.specs import EVENT_TYPES, catches_events, event_subscriptions, start_events as process_start_events

SUBSCRIPTION = EventSubscription.__table__


def sync_event_subscriptions(conn: Connection, instance, workflow, now: datetime) -> None:
    """Makes the instance's rows match the elements its workflow waits at (none once it ended)."""
    if not catches_events(workflow):
        return
    waiting = {(kind, name, activity, str(task.id))
               for kind, name, activity, task, _ in (() if workflow.is_completed() else event_subscriptions(workflow))}
    stored = {tuple(row[1:]): row[0] for row in conn.execute(
        select(SUBSCRIPTION.c.id, SUBSCRIPTION.c.event_type, SUBSCRIPTION.c.event_name, SUBSCRIPTION.c.activity_id,
               SUBSCRIPTION.c.execution_id).where(SUBSCRIPTION.c.instance_id == instance.id))}
    gone = [row_id for key, row_id in stored.items() if key not in waiting]
    if gone:
        conn.execute(delete(SUBSCRIPTION).where(SUBSCRIPTION.c.id.in_(gone)))
    added = [{"event_type": kind, "event_name": name, "instance_id": instance.id,
              "definition_id": instance.definition_id, "definition_key": instance.definition_key,
              "activity_id": activity, "execution_id": execution, "created_at": now}
             for kind, name, activity, execution in sorted(waiting - stored.keys())]
    if added:
        conn.execute(insert(SUBSCRIPTION), added)


def start_events(spec) -> list[tuple[str, str, str]]:
    """(event type, event name, element id) of each message or signal start event of a process."""
    return [(EVENT_TYPES[type(task.event_definition)], task.event_definition.name, task.bpmn_id)
            for task in process_start_events(spec) if type(getattr(task, "event_definition", None)) in EVENT_TYPES]


def replace_start_subscriptions(session, created_definitions, specs: dict, now: datetime) -> None:
    """The message and signal start events of a key's new version replace its previous version's
    (as Camunda). Two processes started by one message name would make a message ambiguous:
    refused, as Camunda refuses it."""
    if not created_definitions:
        return
    session.flush()
    keys = [d.key for d in created_definitions]
    session.execute(delete(EventSubscription).where(EventSubscription.instance_id.is_(None),
                                                    EventSubscription.definition_key.in_(keys)))
    rows = [EventSubscription(event_type=kind, event_name=name, instance_id=None, definition_id=definition.id,
                              definition_key=definition.key, activity_id=element, created_at=now)
            for definition in created_definitions for kind, name, element in start_events(specs[definition.key])]
    messages = [row for row in rows if row.event_type == "message"]
    names = [row.event_name for row in messages]
    taken = session.execute(select(EventSubscription.event_name, ProcessDefinition.key)
                            .join(ProcessDefinition, ProcessDefinition.id == EventSubscription.definition_id)
                            .where(EventSubscription.instance_id.is_(None), EventSubscription.event_type == "message",
                                   EventSubscription.event_name.in_(names))).all() if names else []
    problems = [Problem(key, f"there already is a message start event for the message with name '{name}' "
                        f"(process '{other}')") for name, other in taken for key in keys
                if any(r.event_name == name and r.definition_key == key for r in messages)]
    problems += [Problem(row.definition_key, f"the message '{row.event_name}' starts more than one process of this "
                         "deployment") for row in messages if names.count(row.event_name) > 1]
    if problems:
        raise DeploymentError(list(dict.fromkeys(problems)))
    session.add_all(rows)
