"""Suspending and activating process instances and process definitions, as Camunda 7 does.

A suspended instance keeps its state but does not move: its tasks are not completed or claimed,
its external tasks are not fetched, its timers and reminders wait (the scheduler's queries skip
it) and an overdue timer fires at the first pass after activation. A suspended definition starts
no instance. The flag is a column beside the stored state, changed under the instance's revision
so that a completion racing a suspension loses with a conflict instead of slipping through.
"""
from __future__ import annotations

import json
from typing import Iterable

from sqlalchemy import Connection, insert, select, update

from engine.errors import ConflictError, NotFoundError
from engine.persistence import HistoryEvent, InstanceRef, ProcessDefinition, ProcessInstance, Task, history_rows, \
    insert_history
from engine.runtime.context import EngineContext

INSTANCE, DEFINITION, TASK = ProcessInstance.__table__, ProcessDefinition.__table__, Task.__table__
HISTORY = HistoryEvent.__table__


def instance_event(suspended: bool) -> str:
    return "suspend" if suspended else "activate"


def set_instance_suspended(ctx: EngineContext, instance_id: str, suspended: bool, actor: str | None) -> None:
    """Suspends or activates one running instance; the same state again changes nothing.

    An unknown or ended instance is NotFoundError (Camunda's runtime no longer knows an ended
    one); a step of the instance saved meanwhile makes this ConflictError.
    """
    with ctx.db.begin() as conn:
        row = conn.execute(select(INSTANCE.c.id, INSTANCE.c.definition_id, INSTANCE.c.definition_key,
                                  INSTANCE.c.business_key, INSTANCE.c.status, INSTANCE.c.revision,
                                  INSTANCE.c.suspended).where(INSTANCE.c.id == instance_id)).first()
        if row is None or row.status == "completed":
            raise NotFoundError(f"process instance '{instance_id}' does not exist"
                                + (" any more: it has ended" if row is not None else ""))
        if bool(row.suspended) == suspended:
            return
        changed = conn.execute(update(INSTANCE).where(INSTANCE.c.id == instance_id,
                                                      INSTANCE.c.revision == row.revision)
                               .values(suspended=suspended, revision=row.revision + 1)).rowcount
        if changed != 1:
            raise ConflictError(f"process instance {instance_id} was changed by someone else; reload and try again")
        conn.execute(update(TASK).where(TASK.c.instance_id == instance_id).values(suspended=suspended))
        ref = InstanceRef(row.id, row.definition_id, row.definition_key, row.business_key)
        insert_history(conn, history_rows([{"event_type": instance_event(suspended)}], now=ctx.now(), actor=actor,
                                          instance=ref))


def set_definitions_suspended(ctx: EngineContext, *, definition_id: str | None = None, key: str | None = None,
                              suspended: bool, include_instances: bool, actor: str | None) -> list[str]:
    """Suspends or activates one definition (by id) or every version of a key; with
    `include_instances` their running instances too. Returns the definition ids changed."""
    where = DEFINITION.c.id == definition_id if definition_id is not None else DEFINITION.c.key == key
    with ctx.db.begin() as conn:
        ids = list(conn.scalars(select(DEFINITION.c.id).where(where).order_by(DEFINITION.c.version)))
        if not ids:
            raise NotFoundError(f"process definition '{definition_id}' does not exist" if definition_id is not None
                                else f"no process definition with key '{key}' is deployed")
        conn.execute(update(DEFINITION).where(DEFINITION.c.id.in_(ids)).values(suspended=suspended))
        instances = _set_instances_of(ctx, conn, ids, suspended, actor) if include_instances else []
        now, event = ctx.now(), f"definition_{instance_event(suspended)}"
        conn.execute(insert(HISTORY), [{
            "time": now, "event_type": event, "actor": actor, "definition_id": id_, "instance_id": None,
            "task_id": None, "element_id": None, "element_name": None,
            "data_json": json.dumps({"includeProcessInstances": include_instances,
                                     "instances": sum(1 for i in instances if i.definition_id == id_)})}
            for id_ in ids])
    return ids


def _set_instances_of(ctx: EngineContext, conn: Connection, definition_ids: list[str], suspended: bool,
                      actor: str | None) -> list:
    rows = conn.execute(select(INSTANCE.c.id, INSTANCE.c.definition_id, INSTANCE.c.definition_key,
                               INSTANCE.c.business_key)
                        .where(INSTANCE.c.definition_id.in_(definition_ids), INSTANCE.c.status != "completed",
                               INSTANCE.c.suspended.is_not(suspended))).all()
    ids = [row.id for row in rows]
    if not ids:
        return []
    # Each one's revision moves, so that a step read before this transaction cannot be saved after it.
    conn.execute(update(INSTANCE).where(INSTANCE.c.id.in_(ids))
                 .values(suspended=suspended, revision=INSTANCE.c.revision + 1))
    conn.execute(update(TASK).where(TASK.c.instance_id.in_(ids)).values(suspended=suspended))
    now = ctx.now()
    insert_history(conn, [event for row in rows for event in history_rows(
        [{"event_type": instance_event(suspended)}], now=now, actor=actor,
        instance=InstanceRef(row.id, row.definition_id, row.definition_key, row.business_key))])
    return rows


def suspended_definitions(conn: Connection, definition_ids: Iterable[str]) -> set[str]:
    return set(conn.scalars(select(DEFINITION.c.id).where(DEFINITION.c.id.in_(list(definition_ids)),
                                                          DEFINITION.c.suspended.is_(True))))

