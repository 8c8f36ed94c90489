"""SpiffWorkflow serialization: specs stored once per definition version, state per instance.

Also where two SpiffWorkflow 3.2 bugs are mended: the Camunda config has no converter for
service tasks (bug 1), and Camunda multi-instance specs are replaced by ones whose inputs are
fixed at parse time (bug 2, see engine/repository/spiff_parsers.py), which need the stock converter.
"""
from __future__ import annotations

import json
from copy import deepcopy

from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter, MultiInstanceTaskConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers import DefaultRegistry
from SpiffWorkflow.bpmn.serializer.helpers.spec import TaskSpecConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG as CAMUNDA_CONFIG
from SpiffWorkflow.camunda.specs.event_definitions import MessageEventDefinition as SpiffCamundaMessage

from engine.persistence.data_codec import register_data_types
from engine.expressions import CronCycleTimerEventDefinition
from engine.specs import (BroadcastSignal, CalledProcessTask, CamundaMessage, DecisionTask, ExternalServiceTask,
                          ParallelMultiInstanceTask, PassThroughTask, SequentialMultiInstanceTask)


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Leaves the spec out of an instance's state: it is stored once with the definition."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct


class DecisionTaskConverter(TaskSpecConverter):
    """Keeps a business rule task's decision key and DMN file (engine/specs.py DecisionTask)."""

    def to_dict(self, spec):
        dct = self.get_default_attributes(spec)
        dct.update(decision_key=spec.decision_key, decision_xml=spec.decision_xml)
        if spec.result_variable:  # absent in specs stored before camunda:resultVariable was read
            dct.update(result_variable=spec.result_variable, map_decision_result=spec.map_decision_result)
        return dct

    def from_dict(self, dct):
        return self.task_spec_from_dict(dct)


def _make_serializer() -> BpmnWorkflowSerializer:
    config = deepcopy(CAMUNDA_CONFIG)
    config[ExternalServiceTask] = BpmnTaskSpecConverter
    config[PassThroughTask] = BpmnTaskSpecConverter
    config[CalledProcessTask] = BpmnTaskSpecConverter
    config[DecisionTask] = DecisionTaskConverter
    config[ParallelMultiInstanceTask] = MultiInstanceTaskConverter
    config[SequentialMultiInstanceTask] = MultiInstanceTaskConverter
    config[BpmnWorkflow] = StateOnlyWorkflowConverter
    config[CronCycleTimerEventDefinition] = config[CycleTimerEventDefinition]
    config[CamundaMessage] = config[SpiffCamundaMessage]
    config[BroadcastSignal] = config[SignalEventDefinition]
    registry = register_data_types(DefaultRegistry())
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config, registry))


SERIALIZER = _make_serializer()


def dump_specs(spec, subprocess_specs: dict) -> str:
    registry = SERIALIZER.registry
    return json.dumps({
        "spec": registry.convert(spec),
        "subprocess_specs": {name: registry.convert(sub) for name, sub in subprocess_specs.items()},
    })


def load_specs(spec_json: str):
    dct = json.loads(spec_json)
    registry = SERIALIZER.registry
    return registry.restore(dct["spec"]), {k: registry.restore(v) for k, v in dct["subprocess_specs"].items()}


def dump_state(workflow: BpmnWorkflow) -> str:
    return SERIALIZER.serialize_json(workflow)


def load_state(state_json: str, spec, subprocess_specs: dict, script_engine) -> BpmnWorkflow:
    dct = json.loads(state_json)
    SERIALIZER.migrate(dct)
    dct["spec"] = spec
    dct["subprocess_specs"] = subprocess_specs
    workflow = SERIALIZER.from_dict(dct)
    # The script engine is not part of the state: every load must set it again.
    workflow.script_engine = script_engine
    return workflow


def dump_data(data) -> str:
    """Task or workflow data as JSON, with the same conversions the state uses."""
    return json.dumps(SERIALIZER.registry.convert(SERIALIZER.registry.clean(data)))
