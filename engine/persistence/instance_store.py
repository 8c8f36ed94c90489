"""Writes an instance's state, its open tasks and its history in one transaction.

This is the hot path of every step: its statements are prepared once and run on the DB-API
cursor (engine/persistence/raw_sql.py), as the ORM's unit of work, or even Core's per-execution set-up,
would cost more than the workflow step itself.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import Callable

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from engine.errors import ConflictError
from engine.specs import ExternalServiceTask, spec_has, waiting_external_tasks
from engine.handlers import HandlerRegistry
from engine.persistence.raw_sql import PreparedStatement
from engine.persistence.models import ExternalTask, HistoryEvent, ProcessInstance, Task, TaskCandidate

# What a step of the executor leaves for the store to write (engine/runtime/execution.py makes them).
@dataclass
class InstanceRef:
    """What the executor needs to know of the instance row it is advancing."""

    id: str
    definition_id: str
    definition_key: str
    business_key: str | None
    parent_instance_id: str | None = None


@dataclass
class NewHumanTask:
    task: object
    attributes: object  # the executor's TaskAttributes (engine/runtime/task_attributes.py)


@dataclass
class Outcome:
    status: str
    incident_message: str | None = None
    incident_element_id: str | None = None
    next_timer_at: datetime | None = None
    waiting_json: str | None = None  # the catch events waited on, when next_timer_at is set
    events: list[dict] = field(default_factory=list)
    open_task_ids: set[str] = field(default_factory=set)
    new_tasks: list[NewHumanTask] = field(default_factory=list)
    # An incident's failed workflow task (what a retry runs again) and the error's stack trace.
    incident_job_id: str | None = None
    incident_stack_trace: str | None = None


HISTORY, INSTANCE, TASK = HistoryEvent.__table__, ProcessInstance.__table__, Task.__table__
CANDIDATE, EXTERNAL = TaskCandidate.__table__, ExternalTask.__table__


def history_rows(events: list[dict], *, now: datetime, actor: str | None, instance: InstanceRef,
                 task_id: str | None = None) -> list[dict]:
    return [{
        "time": now,
        "event_type": event["event_type"],
        "actor": event.get("actor", actor),
        "definition_id": instance.definition_id,
        "instance_id": instance.id,
        "task_id": event.get("task_id", task_id),
        "element_id": event.get("element_id"),
        "element_name": event.get("element_name"),
        "data_json": json.dumps(event["data"], ensure_ascii=False, default=str) if event.get("data") else None,
    } for event in events]


HISTORY_KEYS = ("time", "event_type", "actor", "definition_id", "instance_id", "task_id", "element_id",
                "element_name", "data_json")
INSTANCE_KEYS = ("id", "definition_id", "definition_key", "business_key", "unit", "parent_instance_id",
                 "parent_task_id", "status", "incident_message", "incident_element_id", "state", "revision",
                 "started_at", "started_by", "ended_at", "next_timer_at", "waiting_json")
TASK_KEYS = ("id", "instance_id", "definition_id", "definition_key", "business_key", "element_id", "name",
             "assignee", "priority", "due_at", "follow_up_at", "created_at", "form_key", "form_ref", "form_json",
             "properties_json")
INSERT_HISTORY = PreparedStatement(insert(HISTORY), HISTORY_KEYS)
INSERT_INSTANCE = PreparedStatement(insert(INSTANCE), INSTANCE_KEYS)
INSERT_TASK = PreparedStatement(insert(TASK), TASK_KEYS)
INSERT_CANDIDATE = PreparedStatement(insert(CANDIDATE), ("task_id", "kind", "value"))
DELETE_TASK = PreparedStatement(delete(TASK).where(TASK.c.id == bindparam("id")))
SAVE_INSTANCE = PreparedStatement(
    update(INSTANCE)
    .where(INSTANCE.c.id == bindparam("b_id"), INSTANCE.c.revision == bindparam("b_revision"))
    .values({name: bindparam(name) for name in ("state", "revision", "status", "incident_message",
                                                  "incident_element_id", "ended_at", "next_timer_at",
                                                  "waiting_json")})
)


class InstanceRecord(SimpleNamespace):
    """A process instance row read or written on the hot path, with ProcessInstance's attributes.

    A plain object: building a mapped ProcessInstance costs as much as the statement that reads it.
    """


def insert_history(conn: Connection | Session, rows: list[dict]) -> None:
    if rows:
        INSERT_HISTORY.execute_many(conn, rows)


def insert_instance(conn: Connection, instance: InstanceRef, state: str, outcome: Outcome, *,
                    now: datetime, actor: str | None, unit: str | None,
                    parent: tuple[str, str] | None = None) -> InstanceRecord:
    values = {
        "id": instance.id,
        "definition_id": instance.definition_id,
        "definition_key": instance.definition_key,
        "business_key": instance.business_key,
        "unit": unit,
        "parent_instance_id": parent[0] if parent else None,
        "parent_task_id": parent[1] if parent else None,
        "status": outcome.status,
        "incident_message": outcome.incident_message,
        "incident_element_id": outcome.incident_element_id,
        "state": state,
        "revision": 1,
        "started_at": now,
        "started_by": actor,
        "ended_at": now if outcome.status == "completed" else None,
        "next_timer_at": outcome.next_timer_at,
        "waiting_json": outcome.waiting_json,
    }
    INSERT_INSTANCE.execute(conn, values)
    return InstanceRecord(**values, suspended=False)


def save_instance(conn: Connection, instance: InstanceRef, revision: int, state: str, outcome: Outcome, *,
                  now: datetime) -> int:
    """Writes the new state if nobody else wrote since `revision` was read; else ConflictError."""
    queue_save_instance(conn, instance, revision, state, outcome, now=now)()
    return revision + 1


def queue_save_instance(conn: Connection, instance: InstanceRef, revision: int, state: str, outcome: Outcome, *,
                        now: datetime) -> Callable[[], None]:
    """Writes the new state if nobody else wrote since `revision` was read; the function returned
    raises ConflictError if someone did. In a pipeline (raw_sql.pipelined), call it after."""
    saved = SAVE_INSTANCE.execute_later(conn, {
        "b_id": instance.id, "b_revision": revision, "state": state, "revision": revision + 1,
        "status": outcome.status, "incident_message": outcome.incident_message,
        "incident_element_id": outcome.incident_element_id,
        "ended_at": now if outcome.status == "completed" else None, "next_timer_at": outcome.next_timer_at,
        "waiting_json": outcome.waiting_json,
    })

    def check() -> None:
        if saved() != 1:
            raise ConflictError(f"process instance {instance.id} was changed by someone else; reload and try again")
    return check


def sync_tasks(conn: Connection, instance: InstanceRef, outcome: Outcome, *, now: datetime,
               known_task_ids: set[str], completed_task_id: str | None = None) -> list[dict]:
    """Makes the human task tables match the workflow; returns the history events that describes.
    Only writes, so it can run in a pipeline (external tasks: sync_external_tasks).

    `completed_task_id` is the task whose completion caused this step: its row goes without a
    "cancelled" event, and even when the step ends in an incident (the work was done).
    """
    gone = (known_task_ids - outcome.open_task_ids) if outcome.status != "incident" else set()
    if completed_task_id in known_task_ids:
        gone.add(completed_task_id)
    if gone:
        DELETE_TASK.execute_many(conn, [{"id": task_id} for task_id in gone])
    if outcome.status == "incident":
        # The workflow stopped mid-step: keep the other tasks people can see as they were
        # (sync_external_tasks still withdraws an external task the step completed).
        return []
    events: list[dict] = [{"event_type": "task_cancelled", "task_id": task_id}
                          for task_id in sorted(gone - {completed_task_id})]
    task_rows, candidate_rows = [], []
    for new in outcome.new_tasks:
        spec, attrs = new.task.task_spec, new.attributes
        extensions = spec.extensions or {}
        task_id = str(new.task.id)
        task_rows.append({
            "id": task_id,
            "instance_id": instance.id,
            "definition_id": instance.definition_id,
            "definition_key": instance.definition_key,
            "business_key": instance.business_key,
            "element_id": spec.bpmn_id,
            "name": spec.bpmn_name,
            "assignee": attrs.assignee,
            "priority": attrs.priority,
            "due_at": attrs.due_at,
            "follow_up_at": attrs.follow_up_at,
            "created_at": now,
            "form_key": extensions.get("formKey"),
            "form_ref": extensions.get("formRef"),
            "form_json": json.dumps(extensions["formData"], ensure_ascii=False) if "formData" in extensions else None,
            "properties_json": json.dumps(extensions.get("properties") or {}, ensure_ascii=False),
        })
        candidate_rows += [{"task_id": task_id, "kind": "group", "value": g} for g in attrs.candidate_groups]
        candidate_rows += [{"task_id": task_id, "kind": "user", "value": u} for u in attrs.candidate_users]
        events.append({"event_type": "task_created", "task_id": task_id, "element_id": spec.bpmn_id,
                       "element_name": spec.bpmn_name,
                       "data": {"assignee": attrs.assignee, "candidateGroups": list(attrs.candidate_groups),
                                "due": attrs.due_at.isoformat() if attrs.due_at else None}})
    if task_rows:
        INSERT_TASK.execute_many(conn, task_rows)
    if candidate_rows:
        INSERT_CANDIDATE.execute_many(conn, candidate_rows)
    return events


def sync_external_tasks(conn: Connection, instance: InstanceRef, workflow, outcome: Outcome,
                        handlers: HandlerRegistry, now: datetime) -> None:
    """Makes the external task table match the workflow (not in a pipeline: it reads)."""
    if not spec_has(workflow, ExternalServiceTask):
        return  # the common case on the hot path: no statement at all
    waiting = {str(t.id): t for t in waiting_external_tasks(workflow, handlers)}
    if not waiting:
        conn.execute(delete(EXTERNAL).where(EXTERNAL.c.instance_id == instance.id))
        return
    stored = set(conn.scalars(select(EXTERNAL.c.id).where(EXTERNAL.c.instance_id == instance.id)))
    if stored - waiting.keys():
        conn.execute(delete(EXTERNAL).where(EXTERNAL.c.id.in_(stored - waiting.keys())))
    rows = [{"id": task_id, "instance_id": instance.id, "element_id": task.task_spec.bpmn_id,
             "topic": task.task_spec.topic, "retries": None, "error_message": None, "created_at": now}
            for task_id, task in waiting.items() if task_id not in stored]
    if rows:
        conn.execute(insert(EXTERNAL), rows)
