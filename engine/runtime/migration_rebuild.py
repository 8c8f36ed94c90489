"""Re-attaches a running workflow's tasks to another version's specs (process instance migration).

SpiffWorkflow's own `migrate_workflow` resets every ready task, which would give each open human
task a new id; here the tasks keep their ids, state and data and only change spec:
- a task whose element is mapped (an instruction, or the same id in the new version) takes the
  new version's spec of that element;
- a finished task whose element is gone is cut out of the tree (its children move up to its
  parent), as nothing will run it again;
- the tasks foreseen after an active task (future and predicted ones) are dropped and foreseen
  again from the new version's flows;
- an active task (ready, waiting, started, or stopped by an incident) whose element has no
  target makes the instance unmigratable: `unmapped_active` names it and `rebuild` refuses.
"""
from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.util.task import TaskState

# A task in ERROR is where an incident stopped the instance: it runs again when retried.
ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED | TaskState.ERROR
# What SpiffWorkflow expects to come: rebuilt from the new version's flows.
FORESEEN = TaskState.PREDICTED_MASK | TaskState.FUTURE


@dataclass(frozen=True)
class ActiveElement:
    element_id: str
    state: str
    scope: str | None  # the embedded subprocess it runs in, None at the top level


def element_of(spec) -> str:
    return getattr(spec, "bpmn_id", None) or spec.name


def target_name(spec, mapping: dict[str, str], new_specs: dict) -> str | None:
    """The new version's spec name for an old spec: mapped by element id, else the same name.

    The engine's own specs around an element are named after it ("X [child]" of a multi-instance,
    "X.BoundaryEventSplit" and "X.BoundaryEventJoin" of boundary events): they follow their element."""
    name = spec.name
    element = getattr(spec, "bpmn_id", None) or name.split(".")[0].split(" [")[0]
    if element in mapping and name.startswith(element):
        name = mapping[element] + name[len(element):]
    return name if name in new_specs else None


def _scopes(workflow, new_spec, new_subprocess_specs: dict):
    """(workflow or embedded subprocess, its new spec or None, scope name) for every scope."""
    yield workflow, new_spec, None
    for sub in workflow.subprocesses.values():
        yield sub, new_subprocess_specs.get(sub.spec.name), sub.spec.name


def unmapped_active(workflow, mapping: dict[str, str], new_spec, new_subprocess_specs: dict) -> list[ActiveElement]:
    """The active elements this mapping leaves without a target (what makes migration impossible)."""
    found = []
    for scope, spec, name in _scopes(workflow, new_spec, new_subprocess_specs):
        for task in scope.tasks.values():
            if not task.has_state(ACTIVE):
                continue
            if spec is None or target_name(task.task_spec, mapping, spec.task_specs) is None:
                found.append(ActiveElement(element_of(task.task_spec), TaskState.get_name(task.state), name))
    return found


def rebuild(workflow, mapping: dict[str, str], new_spec, new_subprocess_specs: dict,
            update_triggers: frozenset[str] = frozenset()) -> dict[str, str]:
    """Moves `workflow` onto the new specs in place; returns task id -> new element id of the
    tasks whose element id changed. The caller checked `unmapped_active` first.

    A waiting timer whose new element is in `update_triggers` evaluates its due time again from
    the new version's definition; the others keep theirs, as Camunda does without updateEventTrigger."""
    if unmapped_active(workflow, mapping, new_spec, new_subprocess_specs):
        raise ValueError("an active element has no target in the new version")
    renamed: dict[str, str] = {}
    for scope, spec, _ in list(_scopes(workflow, new_spec, new_subprocess_specs)):
        if spec is None:
            continue  # an ended embedded subprocess the new version dropped: only its finished tasks remain
        for task in list(scope.tasks.values()):
            if task.id not in scope.tasks:
                continue  # dropped with a predicted parent
            name = target_name(task.task_spec, mapping, spec.task_specs)
            if name is None:
                _cut_out(scope, task)
                continue
            new_task_spec = spec.task_specs[name]
            if element_of(new_task_spec) != element_of(task.task_spec):
                renamed[str(task.id)] = element_of(new_task_spec)
            task.task_spec = new_task_spec
            if task.has_state(TaskState.WAITING) and element_of(new_task_spec) in update_triggers:
                _trigger_again(task)
        scope.spec = spec
        _predict_again(scope)
    workflow.subprocess_specs = new_subprocess_specs
    for sub_id, sub in list(workflow.subprocesses.items()):
        if sub.spec.name not in new_subprocess_specs:
            del workflow.subprocesses[sub_id]
    return renamed


def _trigger_again(task) -> None:
    """Evaluates a waiting timer's due time from the new version's definition (on the caller's clock)."""
    task.internal_data.pop("event_value", None)
    task.internal_data.pop("event_fired", None)
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, TimerEventDefinition):
        definition.has_fired(task)


def _cut_out(scope, task) -> None:
    """Removes a task whose element is gone: a predicted one with its branch, a finished one alone."""
    if task.has_state(TaskState.PREDICTED_MASK):
        if task.parent is not None:
            scope._remove_task(task.id)
        return
    parent = task.parent
    if parent is None:
        raise ValueError(f"the root task of {scope.spec.name} has no counterpart in the new version")
    position = parent._children.index(task.id)
    parent._children[position:position + 1] = list(task._children)
    for child in task.children:
        child._parent = parent.id
    scope.tasks.pop(task.id)
    if scope.last_task is task:
        scope.last_task = parent


def _predict_again(scope) -> None:
    """Drops what the old version foresaw after each active task and foresees it from the new flows."""
    for task in list(scope.tasks.values()):
        if task.id in scope.tasks and task.has_state(FORESEEN) and not task.triggered \
                and task.parent is not None and task.parent.has_state(ACTIVE):
            scope._remove_task(task.id)
    for task in list(scope.tasks.values()):
        # A started multi-instance task's instances are "triggered" children, which prediction keeps.
        if task.has_state(ACTIVE) and all(c.triggered for c in task.children):
            task.task_spec._predict(task, mask=ACTIVE | FORESEEN)
