"""The activities of a process version (tasks, call activities, subprocesses), with their names:
the steps an operator may move an instance to by modification."""
from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent, ThrowingEvent

from engine.runtime.context import EngineContext


@dataclass(frozen=True)
class Activity:
    id: str
    name: str | None
    kind: str  # the spec's class name: UserTask, ScriptTask, CallActivity, ...


def _is_activity(spec) -> bool:
    # Events and gateways are not steps a unit waits at; Spiff's own control specs have no bpmn_id.
    if not getattr(spec, "bpmn_id", None) or isinstance(spec, (CatchingEvent, ThrowingEvent)):
        return False
    return not any("Gateway" in cls.__name__ for cls in type(spec).__mro__)


def definition_activities(ctx: EngineContext, definition_id: str) -> list[Activity]:
    """The version's activities, its embedded subprocesses' included, in the order of the model."""
    spec, subprocess_specs = ctx.specs.get(definition_id)
    found: dict[str, Activity] = {}
    for each in [spec, *subprocess_specs.values()]:
        for task_spec in each.task_specs.values():
            if _is_activity(task_spec) and task_spec.bpmn_id not in found:
                found[task_spec.bpmn_id] = Activity(task_spec.bpmn_id, task_spec.bpmn_name, type(task_spec).__name__)
    return list(found.values())
