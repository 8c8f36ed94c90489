"""Regression tests for the SpiffWorkflow 3.2 bugs listed in the project's notes."""
from __future__ import annotations

from copy import deepcopy

import pytest
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer import DEFAULT_CONFIG as CAMUNDA_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine import EngineConfig, ProcessEngine, TaskQuery
from engine.repository.parsing import ModelFile, parse_deployment
from engine.persistence.serializer import dump_specs, dump_state, load_specs, load_state
from engine.expressions import expression_helpers
from engine.scripts.sandbox import create_script_engine
from tests.conftest import fixture_bytes

SERVICE_TASK_BPMN = fixture_bytes("full_cycle.bpmn")


def test_bug1_service_task_state_serializes():
    stock = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(deepcopy(CAMUNDA_CONFIG)))
    parser = BpmnParser()
    parser.add_bpmn_str(b"""<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
      <bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="b" /><bpmn:serviceTask id="s" />
      <bpmn:sequenceFlow id="f" sourceRef="b" targetRef="s" /></bpmn:process></bpmn:definitions>""")
    with pytest.raises(TypeError, match="not JSON serializable"):
        stock.serialize_json(BpmnWorkflow(parser.get_spec("p")))

    parsed = parse_deployment([ModelFile("full_cycle.bpmn", SERVICE_TASK_BPMN),
                               ModelFile("rules_check.dmn", fixture_bytes("rules_check.dmn"))],
                              lambda kind, key: None, 10**6)
    [process] = parsed.processes
    spec, subprocess_specs = load_specs(dump_specs(process.spec, process.subprocess_specs))
    script_engine = create_script_engine(expression_helpers())
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=script_engine)
    workflow.get_next_task(state=TaskState.READY).set_data(referenceYear=2025, startYear=2000, rating="good")
    workflow.do_engine_steps()
    [waiting] = [t for t in workflow.get_tasks() if t.task_spec.name == "Service_notify"]
    restored = load_state(dump_state(workflow), spec, subprocess_specs, script_engine)
    assert restored.get_task_from_id(waiting.id).state == waiting.state


def test_bug2_multi_instance_does_not_grow_across_reloads(engine, database_url, handlers):
    engine.repository.deploy([("units_multi.bpmn", fixture_bytes("units_multi.bpmn"))])
    units = ["tong_hop", "kinh_te", "noi_chinh"]
    first = engine.runtime.start_process_by_key("units_multi", {"units": units})
    engine.close()
    # A new engine restores the spec from the database: the shared spec must not accumulate.
    with ProcessEngine(EngineConfig(database_url=database_url), handlers=handlers) as again:
        second = again.runtime.start_process_by_key("units_multi", {"units": units})
        for instance in (first, second):
            tasks = again.tasks.list(TaskQuery(instance_id=instance.id))
            assert sorted(t.candidate_groups[0] for t in tasks) == sorted(units)
        for task in again.tasks.list(TaskQuery(instance_id=first.id)):
            again.tasks.complete(task.id, {})
        assert again.runtime.get_instance(first.id).status == "completed"
        assert again.runtime.get_variables(first.id)["units"] == units
        assert len(again.tasks.list(TaskQuery(instance_id=second.id))) == 3


def test_bug3_instances_are_never_migrated(engine, database_url, handlers):
    """migrate_workflow skips tasks added after a FUTURE frontier and re-arms timers; the engine
    therefore keeps every running instance on the version it started with."""
    v1 = engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))]).processes[0]
    instance = engine.runtime.start_process_by_key("approval", {"reviewDue": "2025-08-08"})
    engine.repository.deploy([("approval.bpmn", fixture_bytes("approval_v2.bpmn"))])
    engine.close()
    with ProcessEngine(EngineConfig(database_url=database_url), handlers=handlers) as again:
        assert again.runtime.get_instance(instance.id).definition_id == v1.id
        [task] = again.tasks.list(TaskQuery(instance_id=instance.id))
        again.tasks.complete(task.id, {"score": 10})
        assert again.runtime.get_instance(instance.id).status == "completed"
