"""Changing a running instance's variables from outside (an operator fixing a wrong value).

SpiffWorkflow keeps variables as the data of each task, copied from a task to the next when it
completes; so a change is written into every task that has not finished yet (what the next task
or gateway will read), into the last finished task (what the engine reports as the instance's
variables) and into the workflow's own data. Nothing runs: Camunda does not advance an instance
when its variables change either.
"""
from __future__ import annotations

import copy
from typing import Any, Iterable, Mapping

from SpiffWorkflow.util.task import TaskState

from engine.errors import NotFoundError
from engine.persistence import Outcome, dump_state, history_rows, insert_history, save_instance
from engine.runtime.context import EngineContext
from engine.runtime.execution import process_variables
from engine.runtime.variables import VariableError, check_variables

MISSING = object()


def change_variables(ctx: EngineContext, instance_id: str, modifications: Mapping[str, Any] | None,
                     deletions: Iterable[str] | None, *, actor: str | None, task_id: str | None = None) -> None:
    """Sets and removes variables in one transaction, with one history event per variable.

    Bad names or values raise VariableError before anything is read; an ended instance is
    NotFoundError (as in Camunda, whose runtime no longer knows it); a concurrent step of the
    instance makes the revision-guarded save raise ConflictError and nothing is written.
    """
    checked = check_variables(modifications)
    removed = _checked_deletions(deletions)
    with ctx.db.begin() as conn:
        loaded = ctx.load(conn, instance_id)
        row = loaded.row
        if row.status == "completed":
            raise NotFoundError(f"process instance '{instance_id}' has ended; its variables cannot be changed")
        before = process_variables(loaded.workflow)
        events = [{"event_type": "variable_update",
                   "data": {"name": name, "old": before.get(name), "new": value, "created": name not in before}}
                  for name, value in checked.items()]
        events += [{"event_type": "variable_delete", "data": {"name": name, "old": before.get(name)}}
                   for name in removed if name in before or name in checked]
        if not events:
            return  # nothing to change: no new revision, which would refuse a concurrent step for nothing
        _apply(loaded.workflow, before, checked, removed)
        # The row keeps its status, incident and timer: only the stored state changes.
        outcome = Outcome(row.status, incident_message=row.incident_message,
                          incident_element_id=row.incident_element_id, next_timer_at=row.next_timer_at,
                          waiting_json=row.waiting_json)
        save_instance(conn, loaded.ref, row.revision, dump_state(loaded.workflow), outcome, now=ctx.now())
        insert_history(conn, history_rows(events, now=ctx.now(), actor=actor, instance=loaded.ref,
                                          task_id=task_id))


def _checked_deletions(deletions: Iterable[str] | None) -> list[str]:
    names = list(deletions or [])
    for name in names:
        if not isinstance(name, str) or not name:
            raise VariableError(f"deletions must be variable names, not {name!r}")
    return names


def set_on_workflow(workflow, variables: Mapping[str, Any]) -> None:
    """Sets checked variables on a loaded workflow as an operator's change does (the caller saves)."""
    _apply(workflow, process_variables(workflow), dict(variables), [])


def _apply(workflow, before: dict[str, Any], modifications: dict[str, Any], deletions: list[str]) -> None:
    unfinished = [task for flow in (workflow, *workflow.subprocesses.values())
                  for task in flow.get_tasks(state=TaskState.NOT_FINISHED_MASK)]
    last = workflow.last_task or workflow.task_tree
    for data in [task.data for task in unfinished] + [last.data]:
        # A task holding another value than the instance's has its own (a multi-instance element
        # variable, a parallel branch's result): it stays, as Camunda leaves a local variable.
        own = {name for name in (*modifications, *deletions)
               if name in data and name in before and data[name] != before[name]}
        # Each task owns its data: a shared list or dict would change in all of them at once.
        data.update(copy.deepcopy({k: v for k, v in modifications.items() if k not in own}))
        # Deletions come after modifications, so a name in both is deleted (as Camunda does).
        for name in deletions:
            if name not in own:
                data.pop(name, None)
    for name, value in modifications.items():
        if name in workflow.data:
            workflow.data[name] = copy.deepcopy(value)
    for name in deletions:
        workflow.data.pop(name, None)
