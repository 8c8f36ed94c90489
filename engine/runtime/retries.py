"""An operator's retry of a failed step: the incident is resolved and the instance continues from
that step, and only from it (what the step's instance had already done is not run again).

How each kind of failed step is made runnable again:
- a script (or a timer, a decision, a gateway) that raised: SpiffWorkflow left its task in ERROR;
  the branch is reset to that task (its data taken again from the step before, so a variable
  an operator corrected meanwhile is seen) and the engine runs it as a fresh READY task;
- a service task whose handler gave up: the task is still STARTED, and advancing the instance
  calls the handler again, as many times at most as the retries given;
- a call activity whose process is missing or whose called instance was deleted: the task is
  still STARTED without an instance to wait for, and advancing the instance starts one;
- an external task: it is offered to workers again with the retries given.
"""
from __future__ import annotations

from uuid import UUID

from sqlalchemy import Connection, select, update
from SpiffWorkflow.util.task import TaskState

from engine.errors import InvalidArgumentError, NotFoundError
from engine.persistence import (
    FAILED_EXTERNAL_TASK, FAILED_JOB, ExternalTask, Incident, Task, history_rows, insert_history, resolve_incidents,
)
from engine.runtime.context import EngineContext, LoadedInstance
from engine.runtime.execution import RETRY_ATTEMPTS
from engine.specs import ExternalServiceTask

INCIDENT, EXTERNAL, TASK = Incident.__table__, ExternalTask.__table__, Task.__table__


def _checked(retries) -> int:
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise InvalidArgumentError(f"The number of job retries must be a non-negative integer, not {retries!r}")
    return retries


def _open_incident(conn: Connection, incident_type: str, configuration: str):
    return conn.execute(select(INCIDENT).where(
        INCIDENT.c.incident_type == incident_type, INCIDENT.c.configuration == configuration,
        INCIDENT.c.resolved_at.is_(None))).first()


def set_job_retries(ctx: EngineContext, job_id: str, retries: int, actor: str | None) -> None:
    """Retries > 0 resolves the job's incident and runs its step again in this transaction; the
    step may end in a new incident. 0 leaves the job failed (recorded all the same)."""
    retries = _checked(retries)
    with ctx.db.begin() as conn:
        incident = _open_incident(conn, FAILED_JOB, job_id)
        if incident is None:
            raise NotFoundError(f"No job found with id '{job_id}'")
        _resume(ctx, conn, incident, retries, actor, "job_retries", {"job": job_id, "retries": retries})


def set_external_task_retries(ctx: EngineContext, task_id: str, retries: int, actor: str | None) -> None:
    """Sets how often workers may still try the external task; retries > 0 resolves its incident."""
    retries = _checked(retries)
    with ctx.db.begin() as conn:
        row = conn.execute(select(EXTERNAL).where(EXTERNAL.c.id == task_id)).first()
        if row is None:
            raise NotFoundError(f"External task with id {task_id} does not exist")
        conn.execute(update(EXTERNAL).where(EXTERNAL.c.id == task_id).values(
            retries=retries, **({"lock_expires_at": None, "worker_id": None} if retries else {})))
        incident = _open_incident(conn, FAILED_EXTERNAL_TASK, task_id)
        data = {"externalTask": task_id, "topic": row.topic, "retries": retries}
        if incident is not None:
            _resume(ctx, conn, incident, retries, actor, "external_task_retries", data)
        else:
            loaded = ctx.load(conn, row.instance_id)
            _record(ctx, conn, loaded, actor, "external_task_retries", row.element_id, data)


def _resume(ctx: EngineContext, conn: Connection, incident, retries: int, actor: str | None, event_type: str,
            data: dict) -> None:
    loaded = ctx.load(conn, incident.instance_id)
    event = {"event_type": event_type, "element_id": incident.activity_id,
             "data": {**data, "incident": incident.id}}
    if not retries:
        _record(ctx, conn, loaded, actor, event_type, incident.activity_id, event["data"])
        return
    failed = _failed_task(loaded, incident.configuration) if incident.incident_type == FAILED_JOB else None
    resolve_incidents(conn, loaded.row.id, now=ctx.now())
    # The step that failed stopped before writing the tasks it opened: the stored rows are what
    # people see, so whatever is open beyond them is new.
    loaded.open_task_ids = set(conn.scalars(select(TASK.c.id).where(TASK.c.instance_id == loaded.row.id)))
    ctx.advance_and_save(conn, loaded, actor=actor, events=[event], fire_timers=True,
                         step=None if failed is None else lambda: _rearm(failed, retries))


def _failed_task(loaded: LoadedInstance, job_id: str):
    try:
        key = UUID(job_id)
    except ValueError:
        return None
    workflow = loaded.workflow
    return next((flow.tasks[key] for flow in (workflow, *workflow.subprocesses.values()) if key in flow.tasks), None)


def _rearm(task, retries: int) -> None:
    if isinstance(task.task_spec, ExternalServiceTask) and task.state == TaskState.STARTED:
        task.internal_data[RETRY_ATTEMPTS] = retries  # the handler gets that many attempts
    elif task.state == TaskState.ERROR:
        task.reset_branch(None)
    elif task.has_state(TaskState.PREDICTED_MASK | TaskState.FUTURE) and task.parent is not None \
            and task.parent.has_state(TaskState.COMPLETED):
        # A timer whose expression failed as the flow reached it was never armed: arm it again.
        task.task_spec._update(task)


def _record(ctx: EngineContext, conn: Connection, loaded: LoadedInstance, actor: str | None, event_type: str,
            element_id: str | None, data: dict) -> None:
    insert_history(conn, history_rows([{"event_type": event_type, "element_id": element_id, "data": data}],
                                      now=ctx.now(), actor=actor, instance=loaded.ref))
