"""External task service: workers fetch and lock service tasks by topic, then complete or fail them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping
from uuid import UUID

from sqlalchemy import or_, select, update
from SpiffWorkflow.util.task import TaskState

from engine.runtime.context import EngineContext, require_active
from engine.errors import ConflictError, InvalidStateError, NotFoundError
from engine.runtime.execution import process_variables
from engine.persistence import (
    FAILED_EXTERNAL_TASK, Outcome, history_rows, insert_history, open_incident, save_instance, ExternalTask,
    ProcessInstance,
)
from engine.specs import ExternalServiceTask
from engine.runtime.variables import VariableError, check_variables

EXTERNAL = ExternalTask.__table__
MAX_LOCK_MS = 30 * 24 * 3600 * 1000  # a month: longer than any worker should hold a task


@dataclass(frozen=True)
class TopicRequest:
    topic: str
    lock_duration_ms: int
    variables: tuple[str, ...] | None = None  # None: all variables
    definition_key: str | None = None


@dataclass(frozen=True)
class LockedTask:
    task: ExternalTask
    variables: dict[str, Any]


class ExternalTaskService:
    def __init__(self, ctx: EngineContext) -> None:
        self._ctx = ctx

    def list(self, *, topic: str | None = None, instance_id: str | None = None) -> list[ExternalTask]:
        statement = select(ExternalTask).order_by(ExternalTask.created_at, ExternalTask.id)
        if topic:
            statement = statement.where(ExternalTask.topic == topic)
        if instance_id:
            statement = statement.where(ExternalTask.instance_id == instance_id)
        with self._ctx.sessions() as session:
            return list(session.scalars(statement))

    def fetch_and_lock(self, worker_id: str, max_tasks: int, topics: list[TopicRequest]) -> list[LockedTask]:
        """Locks up to max_tasks free tasks of the given topics for this worker.

        Each lock is a conditional UPDATE, so two workers never get the same task.
        """
        now = self._ctx.now()
        if any(not 0 < request.lock_duration_ms <= MAX_LOCK_MS for request in topics):
            raise VariableError(f"a lock lasts from 1 ms to {MAX_LOCK_MS} ms")
        locked: list[LockedTask] = []
        for request in topics:
            if len(locked) >= max_tasks:
                break
            candidates = self._free_tasks(request, now, max_tasks - len(locked))
            for task_id in candidates:
                expires = now + timedelta(milliseconds=request.lock_duration_ms)
                with self._ctx.db.begin() as conn:
                    taken = conn.execute(
                        update(EXTERNAL)
                        .where(EXTERNAL.c.id == task_id, _is_free(now), or_(EXTERNAL.c.retries.is_(None),
                                                                              EXTERNAL.c.retries > 0))
                        .values(worker_id=worker_id, lock_expires_at=expires)).rowcount
                if taken:
                    locked.append(self._locked(task_id, request))
        return locked

    def _free_tasks(self, request: TopicRequest, now: datetime, limit: int) -> list[str]:
        statement = (select(EXTERNAL.c.id).where(EXTERNAL.c.topic == request.topic, _is_free(now),
                                                 or_(EXTERNAL.c.retries.is_(None), EXTERNAL.c.retries > 0))
                     .order_by(EXTERNAL.c.created_at).limit(limit))
        if request.definition_key:
            statement = statement.where(EXTERNAL.c.instance_id.in_(
                select(ProcessInstance.id).where(ProcessInstance.definition_key == request.definition_key)))
        with self._ctx.db.connect() as conn:
            return list(conn.scalars(statement))

    def _locked(self, task_id: str, request: TopicRequest) -> LockedTask:
        with self._ctx.db.connect() as conn:
            row = conn.execute(select(EXTERNAL).where(EXTERNAL.c.id == task_id)).first()
            loaded = self._ctx.load(conn, row.instance_id)
        spiff_task = loaded.workflow.get_task_from_id(UUID(task_id))
        variables = dict(spiff_task.data) if spiff_task is not None else process_variables(loaded.workflow)
        if request.variables is not None:
            variables = {k: v for k, v in variables.items() if k in request.variables}
        return LockedTask(ExternalTask(**row._mapping), variables)

    def complete(self, task_id: str, worker_id: str, variables: Mapping[str, Any] | None = None) -> None:
        values = check_variables(variables)
        with self._ctx.db.begin() as conn:
            row = self._owned(conn, task_id, worker_id)
            loaded = self._ctx.load(conn, row.instance_id)
            require_active(loaded.row)
            spiff_task = loaded.workflow.get_task_from_id(UUID(task_id))
            if spiff_task is None or spiff_task.state != TaskState.STARTED \
                    or not isinstance(spiff_task.task_spec, ExternalServiceTask):
                raise ConflictError(f"external task '{task_id}' is no longer waiting")
            spiff_task.set_data(**values)
            self._ctx.advance_and_save(conn, loaded, actor=worker_id, events=[{
                "event_type": "service_task", "element_id": row.element_id, "task_id": task_id,
                "data": {"topic": row.topic, "worker": worker_id, **values}}], step=spiff_task.complete)

    def handle_failure(self, task_id: str, worker_id: str, message: str, *, details: str | None = None,
                       retries: int | None = None, retry_timeout_ms: int = 0) -> None:
        """Records a failed attempt; with no retries left the instance gets an incident."""
        if not 0 <= retry_timeout_ms <= MAX_LOCK_MS:
            raise VariableError(f"a retry timeout lasts from 0 ms to {MAX_LOCK_MS} ms")
        now = self._ctx.now()
        with self._ctx.db.begin() as conn:
            row = self._owned(conn, task_id, worker_id)
            left = max(0, retries) if retries is not None else max(0, (row.retries or 1) - 1)
            conn.execute(update(EXTERNAL).where(EXTERNAL.c.id == task_id).values(
                retries=left, error_message=message, worker_id=None,
                lock_expires_at=now + timedelta(milliseconds=max(0, retry_timeout_ms)) if left else None))
            loaded = self._ctx.load(conn, row.instance_id)
            events = [{"event_type": "service_task_failed", "element_id": row.element_id, "task_id": task_id,
                       "data": {"topic": row.topic, "worker": worker_id, "error": message, "details": details,
                                "retries": left}}]
            if left == 0:
                incident = Outcome("incident", incident_message=f"external task '{row.element_id}' (topic "
                                   f"'{row.topic}') failed: {message}", incident_element_id=row.element_id,
                                   incident_job_id=task_id, incident_stack_trace=details)
                save_instance(conn, loaded.ref, loaded.row.revision, loaded.row.state, incident, now=now)
                open_incident(conn, loaded.ref, incident, now=now, incident_type=FAILED_EXTERNAL_TASK)
                events.append({"event_type": "incident", "element_id": row.element_id,
                               "data": {"message": incident.incident_message}})
            insert_history(conn, history_rows(events, now=now, actor=worker_id, instance=loaded.ref))

    def unlock(self, task_id: str) -> None:
        with self._ctx.db.begin() as conn:
            if not conn.execute(update(EXTERNAL).where(EXTERNAL.c.id == task_id)
                                .values(worker_id=None, lock_expires_at=None)).rowcount:
                raise NotFoundError(f"external task '{task_id}' does not exist")

    def _owned(self, conn, task_id: str, worker_id: str):
        row = conn.execute(select(EXTERNAL).where(EXTERNAL.c.id == task_id)).first()
        if row is None:
            raise NotFoundError(f"external task '{task_id}' does not exist")
        if row.worker_id != worker_id:
            raise InvalidStateError(f"external task '{task_id}' is locked by another worker or not locked")
        return row


def _is_free(now: datetime):
    return or_(EXTERNAL.c.lock_expires_at.is_(None), EXTERNAL.c.lock_expires_at <= now)
