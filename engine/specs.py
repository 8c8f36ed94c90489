"""Task specs the engine substitutes for SpiffWorkflow's Camunda ones."""
from __future__ import annotations

from typing import Callable

from SpiffWorkflow.bpmn.specs.defaults import (
    NoneTask,
    ParallelMultiInstanceTask as BpmnParallelMultiInstanceTask,
    SequentialMultiInstanceTask as BpmnSequentialMultiInstanceTask,
)
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
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
