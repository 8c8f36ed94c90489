"""Who takes part in a task or an instance: the filter behind "a unit sees only its own work"."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, false, or_

from engine.persistence import HistoryEvent, ProcessInstance, Task, TaskCandidate


@dataclass(frozen=True)
class Involvement:
    user_id: str
    groups: frozenset[str] = frozenset()
    unit: str | None = None


def offered_to(involvement: Involvement, task_id_column=Task.id):
    """A task assigned to the user, or offered to them or to one of their groups."""
    candidate = exists().where(TaskCandidate.task_id == task_id_column, or_(
        (TaskCandidate.kind == "user") & (TaskCandidate.value == involvement.user_id),
        (TaskCandidate.kind == "group") & TaskCandidate.value.in_(sorted(involvement.groups)),
    ))
    return or_(Task.assignee == involvement.user_id, candidate)


def takes_part_in(involvement: Involvement):
    """An instance of the user's unit, started by them, with a task for them, or that they worked on."""
    open_task = exists().where(Task.instance_id == ProcessInstance.id, offered_to(involvement))
    worked_on = exists().where(HistoryEvent.instance_id == ProcessInstance.id,
                               HistoryEvent.actor == involvement.user_id)
    own_unit = ProcessInstance.unit == involvement.unit if involvement.unit else false()
    return or_(ProcessInstance.started_by == involvement.user_id, own_unit, open_task, worked_on)
