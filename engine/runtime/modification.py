"""Process instance modification, as Camunda 7's: cancel active activities, start before or after others.

What an operator needs is to move an instance to another step: back to one it went through
(the step runs again with the instance's current variables) or forward to one it has not
reached (the steps between are skipped, not run). SpiffWorkflow keeps an instance as a tree of
tasks, so a start becomes a change of that tree:

- back (or the same step again): the most recent run of the activity is reset
  (`BpmnWorkflow.reset_from_task_id`), which drops everything that followed it in its branch;
- forward: the activity must be predicted below an active one; the tasks on the way are marked
  done without running and the activity becomes ready.

The boundary events of an activity belong to it: cancelled, skipped or dropped with it.
Camunda can also add a token beside the others; a task tree cannot. So every active activity a
start removes must be cancelled by the same modification, and anything else is refused with a
message that says why; nothing is saved then. The moved-to user task gets a new id (a new task
row), the cancelled ones are removed, and the history records the modification.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Mapping
from uuid import uuid4

from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from engine.errors import InvalidArgumentError, NotFoundError, SuspendedEntityError
from engine.persistence import resolve_incidents
from engine.runtime.context import EngineContext
from engine.runtime.execution import process_variables
from engine.specs import CalledProcessTask

CANCEL, BEFORE, AFTER = "cancel", "startBeforeActivity", "startAfterActivity"
DESCRIBED = {CANCEL: "Cancel all instances of activity", BEFORE: "Start before activity",
             AFTER: "Start after activity"}
# ERROR: the step an incident stopped at is active, as the failed job's activity is in Camunda, so
# an operator can cancel it or move the instance away from it.
ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR
# Below an active task, SpiffWorkflow predicts what follows: FUTURE on a sure path, LIKELY or MAYBE past a gateway.
NOT_REACHED = TaskState.FUTURE | TaskState.PREDICTED_MASK
MAX_ANNOTATION = 4000


class ModificationError(InvalidArgumentError):
    """The modification cannot be carried out as asked; nothing was changed."""


@dataclass(frozen=True)
class Instruction:
    type: str
    activity_id: str

    def __str__(self) -> str:
        return f"{DESCRIBED[self.type]} '{self.activity_id}'"

    def as_dict(self) -> dict:
        return {"type": self.type, "activityId": self.activity_id}


def parse_instructions(raw: Any) -> list[Instruction]:
    """Camunda's instruction objects; only those naming an activity by `activityId` are supported."""
    if not isinstance(raw, list) or not raw:
        raise ModificationError("'instructions' must be a non-empty list")
    parsed = []
    for number, item in enumerate(raw, 1):
        if not isinstance(item, Mapping):
            raise ModificationError(f"instruction {number} must be an object")
        kind = item.get("type")
        if not isinstance(kind, str) or kind not in DESCRIBED:
            raise ModificationError(f"instruction {number}: type {kind!r} is not supported; use "
                                    f"{', '.join(DESCRIBED)}")
        others = sorted(name for name, value in item.items() if name not in ("type", "activityId")
                        and value is not None)
        if others:
            raise ModificationError(f"instruction {number} ({kind}): {', '.join(others)} is not supported; "
                                    "name the activity by 'activityId' only")
        activity = item.get("activityId")
        if not isinstance(activity, str) or not activity or len(activity) > 255:
            raise ModificationError(f"For instruction type '{kind}': 'activityId' is required")
        parsed.append(Instruction(kind, activity))
    return parsed


def modify_instance(ctx: EngineContext, instance_id: str, instructions: Any, *, actor: str | None,
                    annotation: str | None = None, skip_custom_listeners: bool = False,
                    skip_io_mappings: bool = False) -> None:
    """Carries out the instructions in one transaction under the instance's revision.

    An unknown or ended instance is NotFoundError, a suspended one SuspendedEntityError, an
    instruction that cannot be carried out ModificationError; a step of the instance saved
    meanwhile makes the save raise ConflictError. In each case nothing is written.
    """
    parsed = parse_instructions(instructions)
    if annotation is not None and (not isinstance(annotation, str) or len(annotation) > MAX_ANNOTATION):
        raise ModificationError(f"'annotation' must be text of at most {MAX_ANNOTATION} characters")
    with ctx.db.begin() as conn:
        loaded = ctx.load(conn, instance_id)
        row = loaded.row
        if row.status == "completed":
            raise NotFoundError(f"process instance '{instance_id}' has ended; it cannot be modified")
        if row.suspended:
            raise SuspendedEntityError(f"modifying process instance '{instance_id}' is refused: it is suspended")
        _Modification(loaded.workflow, row.definition_id, parsed).apply()
        if row.status == "incident":
            # Moved away from the failed step: its incident is over; a new failure opens a new one.
            resolve_incidents(conn, instance_id, now=ctx.now())
        event = {"event_type": "modification", "data": {
            "instructions": [i.as_dict() for i in parsed], "annotation": annotation,
            "skipCustomListeners": bool(skip_custom_listeners), "skipIoMappings": bool(skip_io_mappings)}}
        ctx.advance_and_save(conn, loaded, actor=actor, events=[event])


class _Modification:
    def __init__(self, workflow, definition_id: str, instructions: list[Instruction]) -> None:
        self.workflow = workflow
        self.definition_id = definition_id
        self.instructions = instructions
        self.cancelled = {i.activity_id for i in instructions if i.type == CANCEL}

    def flows(self) -> list:
        return [self.workflow, *self.workflow.subprocesses.values()]

    def tasks(self, state: int = TaskState.ANY_MASK) -> list:
        return [task for flow in self.flows() for task in flow.get_tasks(state=state)
                if getattr(task.task_spec, "bpmn_id", None)]

    def apply(self) -> None:
        known = {getattr(spec, "bpmn_id", None) for flow in self.flows() for spec in flow.spec.task_specs.values()}
        for instruction in self.instructions:
            if instruction.activity_id not in known:
                raise ModificationError(f"Cannot perform instruction: {instruction}; element "
                                        f"'{instruction.activity_id}' does not exist in process definition "
                                        f"'{self.definition_id}'")
        before = {task.id: task for task in self.tasks(ACTIVE)}
        owners = {task_id: owner(task) for task_id, task in before.items()}
        for instruction in self.instructions:
            if instruction.type == CANCEL and not any(t.task_spec.bpmn_id == instruction.activity_id
                                                      for t in before.values()):
                raise ModificationError(f"Cannot perform instruction: {instruction}; the instance has no active "
                                        "instance of it")
        variables = process_variables(self.workflow)
        started = [self.start(instruction, variables) for instruction in self.instructions
                   if instruction.type != CANCEL]
        for task in self.tasks(ACTIVE):
            if task.task_spec.bpmn_id in self.cancelled and task.id in before and task.has_state(ACTIVE):
                self.refuse_call_activity(task, "cancel")
                if task.has_state(TaskState.ERROR):
                    task._set_state(TaskState.READY)  # Task.cancel leaves a finished (failed) task as it is
                for ending in [task, *attached(task)]:
                    ending.cancel()
        self.prune_events()
        after = {task.id for task in self.tasks(ACTIVE)}
        ended = sorted({task.task_spec.bpmn_id for task_id, task in before.items() if task_id not in after
                        and task.task_spec.bpmn_id not in self.cancelled and owners[task_id] not in self.cancelled})
        if ended:
            raise ModificationError(f"this modification would also end the active activity "
                                    f"{', '.join(repr(e) for e in ended)}: cancel it in the same modification "
                                    "(a second token beside it is not supported)")
        if not after and not started:
            raise ModificationError("cancelling every active activity would end the instance; delete the instance "
                                    "instead")

    # -- starting ------------------------------------------------------------------------------

    def start(self, instruction: Instruction, variables: dict):
        runs = [t for t in self.tasks() if t.task_spec.bpmn_id == instruction.activity_id]
        reached = [t for t in runs if t.has_state(TaskState.COMPLETED | ACTIVE)]
        if instruction.type == AFTER:
            return self.start_after(instruction, reached, variables)
        if reached:
            return self.reset(self.latest(reached), variables)
        return self.move_forward(instruction, runs, variables)

    def start_after(self, instruction: Instruction, reached: list, variables: dict):
        if not reached:
            raise ModificationError(f"Cannot perform instruction: {instruction}; the instance has not reached it")
        latest = self.latest(reached)
        # The BPMN flows out of it; SpiffWorkflow adds its own joins after an activity with boundary events.
        outputs = [spec for spec in latest.task_spec.outputs if getattr(spec, "bpmn_id", None)]
        if len(outputs) != 1:
            raise ModificationError(f"Cannot perform instruction: {instruction}; the activity has "
                                    f"{len(outputs)} outgoing sequence flows, it needs exactly one")
        following = next((c for c in latest.children if c.task_spec == outputs[0]), None)
        if following is None:
            raise ModificationError(f"Cannot perform instruction: {instruction}; nothing follows it in this "
                                    "instance")
        if following.has_state(NOT_REACHED):
            return self.forward_to(instruction, following, variables)
        return self.reset(following, variables)

    @staticmethod
    def latest(tasks: list):
        active = [t for t in tasks if t.has_state(ACTIVE)]
        return max(active or tasks, key=lambda t: t.last_state_change)

    def reset(self, task, variables: dict):
        """Runs the task again: a fresh id, so the inbox sees a new task, and today's variables."""
        self.renew_id(task)
        removed = self.workflow.reset_from_task_id(task.id)
        # After the reset: SpiffWorkflow merges the parent's (older) data into the task as it resets it.
        task.data = copy.deepcopy(variables)
        for gone in removed:
            self.refuse_call_activity(gone, "end")
        return task

    def move_forward(self, instruction: Instruction, runs: list, variables: dict):
        predicted = [t for t in runs if t.has_state(NOT_REACHED)]
        reachable = [t for t in predicted if self.active_ancestor(t) is not None]
        if not reachable:
            raise ModificationError(f"Cannot perform instruction: {instruction}; the instance has not reached it "
                                    "and no active activity leads to it")
        return self.forward_to(instruction, reachable[0], variables)

    def forward_to(self, instruction: Instruction, target, variables: dict):
        """Skips the steps between an active task and `target`: marked done, never run."""
        origin = self.active_ancestor(target)
        if origin is None or origin.task_spec.bpmn_id not in self.cancelled:
            where = f"'{origin.task_spec.bpmn_id}'" if origin is not None else "no active activity"
            raise ModificationError(f"Cannot perform instruction: {instruction}; moving forward leaves {where}: "
                                    "cancel it in the same modification")
        chain, step = [target], target.parent
        while step is not origin:
            chain.append(step)
            step = step.parent
        chain.append(origin)
        chain.reverse()
        for ending in attached(origin):
            ending.cancel()
        for task, kept in zip(chain, chain[1:]):
            self.refuse_call_activity(task, "skip")
            for child in list(task.children):
                if child is not kept and child.has_state(NOT_REACHED):
                    task.workflow._remove_task(child.id)
            task._set_state(TaskState.COMPLETED)
        target._set_state(TaskState.FUTURE)
        target.task_spec._update(target)
        target.data = copy.deepcopy(variables)
        if not target.has_state(ACTIVE):
            raise ModificationError(f"Cannot perform instruction: {instruction}; the activity cannot start there")
        return target

    @staticmethod
    def active_ancestor(task):
        step = task.parent
        while step is not None and step.has_state(NOT_REACHED):
            step = step.parent
        return step if step is not None and step.has_state(ACTIVE) else None

    @staticmethod
    def refuse_call_activity(task, what: str) -> None:
        if isinstance(task.task_spec, CalledProcessTask) and task.has_state(ACTIVE):
            raise ModificationError(f"this modification would {what} call activity '{task.task_spec.bpmn_id}' "
                                    "while its called instance runs; delete that instance first")

    def renew_id(self, task) -> None:
        """Gives a task a new id in its tree, so that a run again is a new task (with a new task row)
        and the old id stays that of the earlier run in the history. An embedded subprocess keeps
        its id: its sub-workflow is filed under it."""
        if task.id in self.workflow.subprocesses:
            return
        workflow, old, new = task.workflow, task.id, uuid4()
        parent = task.parent
        workflow.tasks[new] = workflow.tasks.pop(old)
        task.id = new
        if parent is not None:
            parent._children[parent._children.index(old)] = new
        for child in task.children:
            child._parent = new

    def prune_events(self) -> None:
        """SpiffWorkflow's event manager forgets a cancelled waiting task but not one dropped from
        the tree or marked done: left there, it would still set the instance's next timer."""
        manager = self.workflow.event_manager
        manager.tasks = {task_id: task for task_id, task in manager.tasks.items()
                         if task.has_state(TaskState.WAITING)
                         and any(flow.tasks.get(task_id) is task for flow in self.flows())}


def attached(task) -> list:
    """The boundary events waiting on an activity: they end with it, as in Camunda."""
    split = task.parent
    if split is None or not isinstance(split.task_spec, BoundaryEventSplit) \
            or isinstance(task.task_spec, BoundaryEvent):
        return []
    return [sibling for sibling in split.children
            if isinstance(sibling.task_spec, BoundaryEvent) and sibling.has_state(ACTIVE)]


def owner(task) -> str:
    """The activity a task belongs to: a boundary event's is the activity it is attached to."""
    split = task.parent
    if isinstance(task.task_spec, BoundaryEvent) and split is not None and isinstance(split.task_spec,
                                                                                     BoundaryEventSplit):
        main = next((c for c in split.children if not isinstance(c.task_spec, BoundaryEvent)), None)
        if main is not None:
            return main.task_spec.bpmn_id
    return task.task_spec.bpmn_id
