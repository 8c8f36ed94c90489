"""Task specs the engine substitutes for SpiffWorkflow's Camunda ones."""
from __future__ import annotations

from typing import Callable

from SpiffWorkflow.bpmn.specs.defaults import (
    NoneTask,
    ParallelMultiInstanceTask as BpmnParallelMultiInstanceTask,
    SequentialMultiInstanceTask as BpmnSequentialMultiInstanceTask,
)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition as SpiffCamundaMessage
from SpiffWorkflow.bpmn.specs.mixins.bpmn_spec_mixin import BpmnSpecMixin
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState

from engine.errors import EngineError
from engine.handlers import HandlerRegistry


class ExternalServiceTask(BpmnSpecMixin):
    """A service task that waits, like a Camunda external task, until the engine completes it.

    The engine dispatches it by topic to a registered handler (or an external worker), so the
    spec itself does no work: returning None from the run hook leaves the task STARTED.
    """

    def _run_hook(self, my_task):
        return None

    @property
    def topic(self) -> str | None:
        return (self.extensions or {}).get("topic")


class _ElementVariableIsLocal:
    """Camunda's element variable belongs to one iteration: drop it before the next one starts,
    otherwise SpiffWorkflow refuses to create the next child ("input item already exists")."""

    def create_child(self, my_task, item, key_or_index=None):
        if self.input_item is not None:
            my_task.data.pop(self.input_item.bpmn_id, None)
        super().create_child(my_task, item, key_or_index)


class ParallelMultiInstanceTask(_ElementVariableIsLocal, BpmnParallelMultiInstanceTask):
    pass


class SequentialMultiInstanceTask(_ElementVariableIsLocal, BpmnSequentialMultiInstanceTask):
    pass


class PassThroughTask(NoneTask):
    """A plain task or manual task: Camunda passes through it, SpiffWorkflow would wait for a user."""

    def __init__(self, wf_spec, bpmn_id, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False


class CalledProcessTask(BpmnSpecMixin):
    """A call activity that starts a separate process instance, as Camunda does.

    SpiffWorkflow would run the called process inside the caller's state; a parent calling one
    evaluation per unit then carries every unit's data in one instance. Here the task waits
    while the engine runs the called process as its own instance (with its own unit, tasks and
    permissions) and completes the task when that instance ends.
    """

    def __init__(self, wf_spec, bpmn_id, subworkflow_spec=None, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)

    def _run_hook(self, my_task):
        return None

    @property
    def called_element(self) -> str:
        return self.extensions["calledElement"]


# (translated DMN file, decision key, variables, evaluate) -> outcome with .variables(); the
# evaluation lives in engine/repository (a layer above this module), which installs it here.
_decision_evaluator: Callable | None = None


def set_decision_evaluator(evaluator: Callable) -> None:
    global _decision_evaluator
    _decision_evaluator = evaluator


class DecisionTask(BpmnSpecMixin):
    """A business rule task the engine evaluates itself (engine/repository/dmn_evaluation.py):
    SpiffWorkflow's DMN engine knows two hit policies and no required decisions.

    `decision_xml` is the decision's DMN file as checked at deployment (cells already Python), kept
    in the spec so that a process version runs the decisions it was deployed with. With
    camunda:resultVariable the result is one variable shaped by camunda:mapDecisionResult, as in
    Camunda 7. Without it (the engine's older way, which existing models rely on) outputs become
    variables by output name: one value for a single-result policy, a list for RULE ORDER,
    OUTPUT ORDER and COLLECT without aggregation; nothing is set when no rule matches a
    single-result table.
    """

    def __init__(self, wf_spec, bpmn_id, decision_key: str, decision_xml: str, result_variable: str | None = None,
                 map_decision_result: str | None = None, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.decision_key, self.decision_xml = decision_key, decision_xml
        self.result_variable, self.map_decision_result = result_variable, map_decision_result

    def _run_hook(self, my_task):
        environment = my_task.workflow.script_engine.environment
        if _decision_evaluator is None:
            raise WorkflowTaskException("no decision evaluator is installed (engine.repository is not loaded)",
                                        task=my_task)
        try:
            outcome = _decision_evaluator(self.decision_xml.encode(), self.decision_key, dict(my_task.data),
                                          lambda expression, context: environment.evaluate(expression, context))
            mapped = None if not self.result_variable else outcome.mapped(self.map_decision_result or "resultList")
        except EngineError as err:  # the decision cannot take this data: an incident naming why
            raise WorkflowTaskException(str(err), task=my_task) from None
        if self.result_variable:
            # Set, not merged: a list or map from an earlier evaluation is replaced, as in Camunda.
            my_task.data[self.result_variable] = mapped
        else:
            my_task.data = DeepMerge.merge(my_task.data, outcome.variables())
        # The step's evaluations, for the decision history the engine writes with the step.
        my_task.workflow.top_workflow.__dict__.setdefault(DECISIONS_EVALUATED, []).append(
            {"activity_id": self.bpmn_id, "activity_name": self.bpmn_name, "activity_instance_id": str(my_task.id),
             "outcome": outcome})
        return super()._run_hook(my_task)


# Where a workflow keeps, until its step is saved, the decisions its business rule tasks evaluated.
DECISIONS_EVALUATED = "thidua_decisions_evaluated"


def evaluated_decisions(workflow) -> list[dict]:
    """The decisions evaluated since the last call (each once)."""
    return workflow.__dict__.pop(DECISIONS_EVALUATED, [])


def spec_has(workflow, spec_class) -> bool:
    """Whether the definition has tasks of this kind at all; remembered on the (cached, shared)
    spec because scanning every step would cost more than the step."""
    remembered = workflow.spec.__dict__.setdefault("thidua_has", {})
    if spec_class not in remembered:
        specs = [workflow.spec, *workflow.subprocess_specs.values()]
        remembered[spec_class] = any(isinstance(t, spec_class) for spec in specs for t in spec.task_specs.values())
    return remembered[spec_class]


def waiting_external_tasks(workflow, handlers: HandlerRegistry) -> list:
    return [task for task in workflow.get_tasks(state=TaskState.STARTED)
            if isinstance(task.task_spec, ExternalServiceTask) and handlers.get(task.task_spec.topic) is None]


class CamundaMessage(SpiffCamundaMessage):
    """A message as Camunda 7 delivers it: its payload is a dict of variables set on the task that
    catches it (SpiffWorkflow's Camunda message would nest it under `<task>_Response`). Throwing
    one without an implementation passes through, as in Camunda."""

    def throw(self, my_task):
        return None

    def update_internal_data(self, my_task, event):
        my_task.internal_data[self.name] = event.payload or {}

    def update_task_data(self, my_task):
        my_task.set_data(**(my_task.internal_data.get(self.name) or {}))


class BroadcastSignal(SignalEventDefinition):
    """A signal: thrown, it reaches the catchers of its own instance now (without the thrower's
    variables, as Camunda) and is remembered for the engine to broadcast to the other instances."""

    def throw(self, my_task):
        top = my_task.workflow.top_workflow
        top.__dict__.setdefault("thidua_thrown_signals", []).append(self.name)
        event = BpmnEvent(self, payload={})
        top.catch(event)
        if event in top.bpmn_events:  # nobody here caught it: SpiffWorkflow would keep it in the state
            top.bpmn_events.remove(event)


def thrown_signals(workflow) -> list[str]:
    """The signals thrown since the last call (not part of the saved state)."""
    return workflow.__dict__.pop("thidua_thrown_signals", [])


EVENT_TYPES = {CamundaMessage: "message", BroadcastSignal: "signal"}


def fire_start_event(workflow, element_id: str) -> None:
    """Makes a new workflow begin at this message or signal start event alone, as Camunda starts at
    the one start event that fired; call before the first engine step."""
    for task in workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
        if task.workflow is not workflow or not isinstance(task.task_spec, StartEvent):
            continue
        if task.task_spec.bpmn_id == element_id:
            definition = task.task_spec.event_definition
            definition.catch(task, BpmnEvent(definition, payload={}))
        else:
            task.cancel()


def rearm_non_interrupting(task) -> None:
    """A non-interrupting boundary event that fired waits again while its activity runs, as in Camunda
    (SpiffWorkflow's fires once): a new waiting task of it beside the one that goes on."""
    spec = task.task_spec
    if isinstance(spec, BoundaryEvent) and not spec.cancel_activity and task.parent is not None:
        again = task.parent._add_child(spec, TaskState.WAITING)
        spec._update(again)


def start_events(spec) -> list:
    """The start events of a process (not of its event subprocesses)."""
    return [t for t in spec.task_specs.values() if isinstance(t, StartEvent)]


def lone_event_start(spec) -> str | None:
    """The start event of a process whose only start event is a message or signal one: Camunda
    starts such a process by key through it. Remembered on the (cached, shared) spec."""
    remembered = spec.__dict__.get("thidua_lone_event_start", ...)
    if remembered is ...:
        starts = start_events(spec)
        remembered = (starts[0].bpmn_id if len(starts) == 1
                      and type(getattr(starts[0], "event_definition", None)) in EVENT_TYPES else None)
        spec.thidua_lone_event_start = remembered
    return remembered


def catches_events(workflow) -> bool:
    """Whether any element (other than a top-level start event) can wait for a message or signal;
    remembered on the (cached, shared) spec, as spec_has."""
    remembered = workflow.spec.__dict__.get("thidua_catches_events")
    if remembered is None:
        specs = [workflow.spec, *workflow.subprocess_specs.values()]
        remembered = any(type(definition) in EVENT_TYPES
                         and not (spec is workflow.spec and isinstance(t, StartEvent))
                         for spec in specs for t in spec.task_specs.values() for definition in _definitions(t))
        workflow.spec.thidua_catches_events = remembered
    return remembered


def _definitions(task_spec) -> list:
    definition = getattr(task_spec, "event_definition", None)
    return definition.event_definitions if isinstance(definition, MultipleEventDefinition) else [definition]


def event_subscriptions(workflow) -> list[tuple[str, str, str, object, object]]:
    """(event type, event name, activity id, task, event definition) of each element waiting for a
    message or signal; an event-based gateway waits with the events after it (their activity ids).

    A top-level start event waits only in SpiffWorkflow: in Camunda it belongs to the definition
    (a message or signal starts a new instance), so it is no subscription of the instance.
    """
    found = []
    for task in workflow.event_manager.tasks.values():  # the top workflow's holds its subprocesses' too
        spec = task.task_spec
        if task.workflow is workflow and isinstance(spec, StartEvent):
            continue
        if isinstance(spec.event_definition, MultipleEventDefinition):  # an event-based gateway
            targets = zip([output.bpmn_id for output in spec.outputs], spec.event_definition.event_definitions)
        else:
            targets = [(spec.bpmn_id, spec.event_definition)]
        found += [(EVENT_TYPES[type(definition)], definition.name, activity, task, definition)
                  for activity, definition in targets if type(definition) in EVENT_TYPES]
    return found
