"""Modification where SpiffWorkflow's task tree is not a straight line: a multi-instance step
started again, and one branch of a parallel split cancelled while the other goes on."""
from __future__ import annotations

from engine import TaskQuery
from tests.conftest import fixture_bytes

# The second step has a (non-interrupting) boundary timer: it belongs to the step, and ends with it.
BOUNDED = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D_b" targetNamespace="t">
  <bpmn:process id="bounded" isExecutable="true">
    <bpmn:startEvent id="Start_1"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start_1" targetRef="Task_first" />
    <bpmn:userTask id="Task_first"><bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Task_first" targetRef="Task_second" />
    <bpmn:userTask id="Task_second"><bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>F3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Task_second" targetRef="End_1" />
    <bpmn:endEvent id="End_1"><bpmn:incoming>F3</bpmn:incoming></bpmn:endEvent>
    <bpmn:boundaryEvent id="Timer_late" attachedToRef="Task_second" cancelActivity="false">
      <bpmn:outgoing>F4</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="F4" sourceRef="Timer_late" targetRef="End_late" />
    <bpmn:endEvent id="End_late"><bpmn:incoming>F4</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def open_tasks(engine, instance_id: str) -> list:
    return engine.tasks.list(TaskQuery(instance_id=instance_id))


def test_a_multi_instance_step_starts_again_for_every_unit(engine):
    engine.repository.deploy([("units_multi.bpmn", fixture_bytes("units_multi.bpmn"))])
    instance = engine.runtime.start_process_by_key("units_multi", {"units": ["unit:a", "unit:b"], "unit": "a"})
    before = open_tasks(engine, instance.id)
    engine.tasks.complete(before[0].id, {}, actor="head_a")
    engine.runtime.modify_instance(instance.id, [{"type": "cancel", "activityId": "Task_unit"},
                                                 {"type": "startBeforeActivity", "activityId": "Task_unit"}],
                                   actor="admin", annotation="làm lại cho mọi đơn vị")
    after = open_tasks(engine, instance.id)
    assert sorted(t.candidate_groups for t in after) == [("unit:a",), ("unit:b",)]
    assert not {t.id for t in after} & {t.id for t in before}
    for task in after:
        engine.tasks.complete(task.id, {}, actor="head_a")
    assert engine.runtime.get_instance(instance.id).status == "completed"


def test_cancelling_one_branch_of_a_parallel_split_lets_the_other_end_the_instance(engine):
    engine.repository.deploy([("incident_branch.bpmn", fixture_bytes("incident_branch.bpmn"))])
    instance = engine.runtime.start_process_by_key("incident_branch", {})
    assert engine.runtime.get_instance(instance.id).next_timer_at is not None
    engine.runtime.modify_instance(instance.id, [{"type": "cancel", "activityId": "Timer_b"}], actor="admin")
    assert engine.runtime.get_instance(instance.id).next_timer_at is None  # nothing waits for that timer
    [task] = open_tasks(engine, instance.id)
    engine.tasks.complete(task.id, {}, actor="head_a")
    assert engine.runtime.get_instance(instance.id).status == "completed"


def test_moving_forward_past_a_gateway_takes_the_branch_asked_for(engine):
    engine.repository.deploy([("variable_gateway.bpmn", fixture_bytes("variable_gateway.bpmn"))])
    instance = engine.runtime.start_process_by_key("variable_gateway", {"amount": 50, "unit": "tong_hop"})
    # 50 would take the small branch; the operator sends it to the council's branch instead.
    engine.runtime.modify_instance(instance.id, [{"type": "cancel", "activityId": "Task_check"},
                                                 {"type": "startBeforeActivity", "activityId": "Task_big"}],
                                   actor="admin")
    [task] = open_tasks(engine, instance.id)
    assert task.element_id == "Task_big"
    engine.tasks.complete(task.id, {}, actor="officer")
    assert engine.runtime.get_instance(instance.id).status == "completed"


def bounded_at_second_step(engine):
    engine.repository.deploy([("bounded.bpmn", BOUNDED)])
    instance = engine.runtime.start_process_by_key("bounded", {})
    [first] = open_tasks(engine, instance.id)
    engine.tasks.complete(first.id, {}, actor="officer")
    assert engine.runtime.get_instance(instance.id).next_timer_at is not None  # the boundary timer waits
    return instance


def test_moving_back_from_a_step_with_a_boundary_timer_takes_the_timer_along(engine):
    instance = bounded_at_second_step(engine)
    engine.runtime.modify_instance(instance.id, [{"type": "cancel", "activityId": "Task_second"},
                                                 {"type": "startBeforeActivity", "activityId": "Task_first"}],
                                   actor="admin")
    assert engine.runtime.get_instance(instance.id).next_timer_at is None
    [first] = open_tasks(engine, instance.id)
    engine.tasks.complete(first.id, {}, actor="officer")
    assert engine.runtime.get_instance(instance.id).next_timer_at is not None  # armed again with the step


def test_skipping_a_step_with_a_boundary_timer_ends_its_timer(engine):
    instance = bounded_at_second_step(engine)
    engine.runtime.modify_instance(instance.id, [{"type": "cancel", "activityId": "Task_second"},
                                                 {"type": "startAfterActivity", "activityId": "Task_second"}],
                                   actor="admin")
    row = engine.runtime.get_instance(instance.id)
    assert row.status == "completed" and row.next_timer_at is None
