"""Where process instances stand: the elements active now and those already done.

Read from the stored rows (open tasks, external tasks, called instances, incidents, the catch
events an instance waiting on a timer waits on) and the history; the serialized state is loaded
only for an instance waiting on a timer whose row does not say on what (written before that was
stored).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select

from engine.runtime.context import EngineContext
from engine.errors import NotFoundError
from engine.persistence import ExternalTask, HistoryEvent, ProcessInstance, Task

# History events that mean "this element was done"; timers and gateways leave no element id.
DONE_EVENTS = ("complete", "service_task", "call_ended")


@dataclass(frozen=True)
class ActiveElement:
    """`kind`: "user_task", "event" (a timer or other catch event), "external_task",
    "called_instance" or "incident"; `detail` is the called instance id or the incident message."""

    element_id: str
    kind: str
    name: str | None = None
    due_at: datetime | None = None
    assignee: str | None = None
    detail: str | None = None


@dataclass
class InstanceProgress:
    instance_id: str
    definition_id: str
    definition_key: str
    business_key: str | None
    unit: str | None
    status: str  # active, completed or incident
    started_at: datetime
    ended_at: datetime | None
    active: list[ActiveElement] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)  # element ids, first completion first

    @property
    def active_ids(self) -> list[str]:
        return list(dict.fromkeys(a.element_id for a in self.active))

    @property
    def steps(self) -> list[str]:
        """The names of the current steps, as the person following the instance reads them."""
        return list(dict.fromkeys(a.name or a.element_id for a in self.active))

    @property
    def due_at(self) -> datetime | None:
        """The earliest due date of the open user tasks."""
        due = [a.due_at for a in self.active if a.kind == "user_task" and a.due_at is not None]
        return min(due) if due else None


@dataclass
class GroupProgress:
    """Instances followed together, such as the per-unit instances a parent called."""

    instances: list[InstanceProgress]

    @property
    def heatmap(self) -> dict[str, int]:
        """How many instances are at each element (an instance counts once per element)."""
        counts: Counter[str] = Counter()
        for instance in self.instances:
            counts.update(instance.active_ids)
        return dict(counts)

    @property
    def by_status(self) -> dict[str, int]:
        return dict(Counter(i.status for i in self.instances))


def instance_progress(ctx: EngineContext, instance_id: str) -> InstanceProgress:
    found = _progress(ctx, [ProcessInstance.id == instance_id], with_completed=True)
    if not found:
        raise NotFoundError(f"process instance '{instance_id}' does not exist")
    return found[0]


def called_progress(ctx: EngineContext, parent_instance_id: str, with_completed: bool = False) -> GroupProgress:
    """The instances `parent_instance_id` started through its call activities, oldest first."""
    with ctx.sessions() as session:
        if session.get(ProcessInstance, parent_instance_id) is None:
            raise NotFoundError(f"process instance '{parent_instance_id}' does not exist")
    return GroupProgress(_progress(ctx, [ProcessInstance.parent_instance_id == parent_instance_id],
                                   with_completed=with_completed))


def _progress(ctx: EngineContext, where: list, with_completed: bool) -> list[InstanceProgress]:
    with ctx.sessions() as session:
        rows = list(session.scalars(select(ProcessInstance).where(*where)
                                    .order_by(ProcessInstance.started_at, ProcessInstance.id)))
        ids = [r.id for r in rows]
        if not ids:
            return []
        tasks = list(session.scalars(select(Task).where(Task.instance_id.in_(ids))
                                     .order_by(Task.due_at, Task.created_at, Task.id)))
        external = list(session.scalars(select(ExternalTask).where(ExternalTask.instance_id.in_(ids))
                                        .order_by(ExternalTask.created_at, ExternalTask.id)))
        running_children = list(session.execute(
            select(ProcessInstance.id, ProcessInstance.parent_instance_id)
            .where(ProcessInstance.parent_instance_id.in_(ids), ProcessInstance.status != "completed")))
        calls = _call_elements(session, [child.id for child in running_children])
        done = _done_elements(session, ids) if with_completed else {}
    result = {r.id: _empty(r) for r in rows}
    names = {}
    for task in tasks:
        result[task.instance_id].active.append(ActiveElement(task.element_id, "user_task", task.name, task.due_at,
                                                             task.assignee))
    for task in external:
        result[task.instance_id].active.append(ActiveElement(
            task.element_id, "external_task", _name(ctx, names, result[task.instance_id], task.element_id),
            detail=task.error_message))
    for child_id, parent_id in running_children:
        element_id = calls.get(child_id)
        if element_id is not None:
            result[parent_id].active.append(ActiveElement(
                element_id, "called_instance", _name(ctx, names, result[parent_id], element_id), detail=child_id))
    for row in rows:
        progress = result[row.id]
        if row.status == "incident" and row.incident_element_id:
            progress.active.append(ActiveElement(row.incident_element_id, "incident",
                                                 _name(ctx, names, progress, row.incident_element_id),
                                                 detail=row.incident_message))
        if row.status == "active" and row.next_timer_at is not None:
            if row.waiting_json is not None:  # stored with the timer: no state to load
                progress.active += [ActiveElement(element_id, "event", _name(ctx, names, progress, element_id))
                                    for element_id in json.loads(row.waiting_json)]
            else:
                progress.active += _waiting_events(ctx, row.id)
        progress.completed = done.get(row.id, [])
    return list(result.values())


def _empty(row: ProcessInstance) -> InstanceProgress:
    return InstanceProgress(row.id, row.definition_id, row.definition_key, row.business_key, row.unit, row.status,
                            row.started_at, row.ended_at)


def _call_elements(session, child_ids: list[str]) -> dict[str, str]:
    """The call activity that started each of these instances, from the callers' history."""
    if not child_ids:
        return {}
    wanted = set(child_ids)
    found = {}
    for element_id, data_json in session.execute(
            select(HistoryEvent.element_id, HistoryEvent.data_json)
            .where(HistoryEvent.event_type == "call",
                   HistoryEvent.instance_id.in_(select(ProcessInstance.parent_instance_id)
                                                .where(ProcessInstance.id.in_(child_ids))))):
        child = json.loads(data_json).get("instance") if data_json else None
        if child in wanted:
            found[child] = element_id
    return found


def _done_elements(session, instance_ids: list[str]) -> dict[str, list[str]]:
    done: dict[str, dict[str, None]] = {}
    for instance_id, element_id in session.execute(
            select(HistoryEvent.instance_id, HistoryEvent.element_id)
            .where(HistoryEvent.instance_id.in_(instance_ids), HistoryEvent.event_type.in_(DONE_EVENTS),
                   HistoryEvent.element_id.is_not(None))
            .order_by(HistoryEvent.id)):
        done.setdefault(instance_id, {})[element_id] = None
    return {instance_id: list(elements) for instance_id, elements in done.items()}


def _waiting_events(ctx: EngineContext, instance_id: str) -> list[ActiveElement]:
    """Timers and other catch events the instance waits on: only its state knows them."""
    with ctx.db.connect() as conn:
        workflow = ctx.load(conn, instance_id).workflow
    waiting = [t.task_spec for t in workflow.get_tasks(state=TaskState.WAITING)
               if getattr(t.task_spec, "event_definition", None) is not None]
    return [ActiveElement(spec.bpmn_id, "event", spec.bpmn_name) for spec in waiting]


def _name(ctx: EngineContext, names: dict, progress: InstanceProgress, element_id: str) -> str | None:
    """The element's name in the instance's definition version (names cached per version)."""
    if progress.definition_id not in names:
        spec, subprocess_specs = ctx.specs.get(progress.definition_id)
        names[progress.definition_id] = {
            getattr(s, "bpmn_id", None): getattr(s, "bpmn_name", None)
            for each in [spec, *subprocess_specs.values()] for s in each.task_specs.values()}
    return names[progress.definition_id].get(element_id)
