"""Deleting a process instance, with the instances its call activities started.

An instance a call activity started has a caller waiting for it. Deleting it alone would leave
the caller waiting for ever, so the caller stops in a failedJob incident naming the deleted
instance (a retry starts the called process again); with `cascade` the caller goes too, up to
the instance that started the whole tree.
"""
from __future__ import annotations

from uuid import UUID

from sqlalchemy import Connection, delete, select

from engine.errors import ConflictError, NotFoundError
from engine.persistence import (
    InstanceRef, Outcome, ProcessInstance, dump_state, history_rows, insert_history, open_incident, save_instance,
)
from engine.runtime.context import EngineContext

INSTANCE = ProcessInstance.__table__
COLUMNS = (INSTANCE.c.id, INSTANCE.c.definition_id, INSTANCE.c.definition_key, INSTANCE.c.business_key,
           INSTANCE.c.parent_instance_id, INSTANCE.c.parent_task_id, INSTANCE.c.revision)


def delete_instance(ctx: EngineContext, instance_id: str, *, actor: str | None, reason: str | None,
                    cascade: bool) -> None:
    with ctx.db.begin() as conn:
        row = _row(conn, instance_id)
        if row is None:
            raise NotFoundError(f"process instance '{instance_id}' does not exist")
        target = _root(conn, row) if cascade else row
        called = _delete_tree(conn, target)
        data = {"reason": reason, "called_instances": called or None}
        if target.id != row.id:
            data["requested"] = row.id  # deleted as the caller of the instance asked for
        insert_history(conn, history_rows([{"event_type": "delete", "data": data}], now=ctx.now(), actor=actor,
                                          instance=_ref(target)))
        if not cascade and row.parent_instance_id:
            _stop_caller(ctx, conn, row, actor)


def _row(conn: Connection, instance_id: str):
    return conn.execute(select(*COLUMNS).where(INSTANCE.c.id == instance_id)).first()


def _ref(row) -> InstanceRef:
    return InstanceRef(row.id, row.definition_id, row.definition_key, row.business_key, row.parent_instance_id)


def _root(conn: Connection, row):
    """The instance that started, through call activities, the tree this one belongs to."""
    seen = {row.id}
    while row.parent_instance_id and row.parent_instance_id not in seen:
        parent = _row(conn, row.parent_instance_id)
        if parent is None:
            break
        seen.add(parent.id)
        row = parent
    return row


def _delete_tree(conn: Connection, row) -> list[str]:
    deleted = conn.execute(delete(INSTANCE).where(INSTANCE.c.id == row.id, INSTANCE.c.revision == row.revision))
    if deleted.rowcount != 1:
        raise ConflictError(f"process instance {row.id} was changed by someone else")
    found, frontier = [], [row.id]
    while frontier:
        frontier = list(conn.scalars(select(INSTANCE.c.id).where(INSTANCE.c.parent_instance_id.in_(frontier))))
        found += frontier
    if found:
        conn.execute(delete(INSTANCE).where(INSTANCE.c.id.in_(found)))
    return found


def _stop_caller(ctx: EngineContext, conn: Connection, called, actor: str | None) -> None:
    """The caller's call activity no longer waits for the deleted instance: it stops in an incident."""
    try:
        caller = ctx.load(conn, called.parent_instance_id)
    except NotFoundError:
        return
    task = caller.workflow.get_task_from_id(UUID(called.parent_task_id)) if called.parent_task_id else None
    if caller.row.status == "completed" or task is None or task.internal_data.get("child_instance") != called.id:
        return  # the caller no longer waits for it
    del task.internal_data["child_instance"]
    element = task.task_spec.bpmn_id
    message = (f"call activity '{element}': the called process instance '{called.id}' "
               f"({called.definition_key}) was deleted")
    outcome = Outcome("incident", incident_message=message, incident_element_id=element,
                      incident_job_id=str(task.id))
    now = ctx.now()
    save_instance(conn, caller.ref, caller.row.revision, dump_state(caller.workflow), outcome, now=now)
    open_incident(conn, caller.ref, outcome, now=now)
    insert_history(conn, history_rows([{"event_type": "incident", "element_id": element,
                                        "data": {"message": message, "deleted_instance": called.id}}],
                                      now=now, actor=actor, instance=caller.ref))
