"""camunda:initiator (Camunda 7): the start event's attribute names a variable that gets the id of
the user who started the instance, over REST or by hand; null when no user started it (a timer)."""
from __future__ import annotations

import pytest

from engine import TaskQuery
from engine.errors import DeploymentError, NotFoundError

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Definitions_initiator" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="initiated" name="Đề nghị của người khởi tạo" isExecutable="true">
    <bpmn:startEvent id="StartEvent_1" camunda:initiator="{variable}">
      <bpmn:outgoing>Flow_1</bpmn:outgoing>{timer}
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Task_fill" />
    <bpmn:userTask id="Task_fill" name="Hoàn thiện hồ sơ" camunda:assignee="${{{variable}}}">
      <bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_fill" targetRef="EndEvent_1" />
    <bpmn:endEvent id="EndEvent_1">
      <bpmn:incoming>Flow_2</bpmn:incoming>
    </bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""
PAST_DATE_TIMER = """
      <bpmn:timerEventDefinition>
        <bpmn:timeDate>2020-01-01T00:00:00+07:00</bpmn:timeDate>
      </bpmn:timerEventDefinition>"""


def deploy(office, variable: str = "initiator", timer: str = "") -> None:
    office.engine.repository.deploy([("initiated.bpmn", MODEL.format(variable=variable, timer=timer).encode())])


def first_task(office, instance_id: str):
    [task] = office.engine.tasks.list(TaskQuery(instance_id=instance_id))
    assert task.element_id == "Task_fill"
    return task


@pytest.mark.parametrize("user", ["designer", "head_a"])
def test_started_over_rest_by_key_the_user_is_the_initiator(office, user):
    deploy(office)
    response = office.client.post("/engine-rest/process-definition/key/initiated/start", json={},
                                  headers=office.auth(user))
    assert response.status_code == 200, response.get_json()
    instance_id = response.get_json()["id"]
    task = first_task(office, instance_id)
    assert task.assignee == user and office.engine.runtime.get_instance(instance_id).status == "active"
    variables = office.client.get(f"/engine-rest/process-instance/{instance_id}/variables",
                                  headers=office.auth(user))
    assert variables.status_code == 200, variables.get_json()
    assert variables.get_json()["initiator"]["value"] == user
    assert variables.get_json()["initiator"]["type"] == "String"


def test_started_over_rest_by_id_with_another_variable_name(office):
    deploy(office, variable="nguoiKhoiTao")
    definition = office.engine.repository.latest_definition("initiated")
    response = office.client.post(f"/engine-rest/process-definition/{definition.id}/start",
                                  json={"variables": {"nguoiKhoiTao": {"value": "someone_else", "type": "String"}}},
                                  headers=office.auth("head_a"))
    assert response.status_code == 200, response.get_json()
    instance_id = response.get_json()["id"]
    # The authenticated user wins over a variable of the same name, as in Camunda.
    assert first_task(office, instance_id).assignee == "head_a"
    assert office.engine.runtime.get_variables(instance_id)["nguoiKhoiTao"] == "head_a"


def test_started_without_a_user_the_initiator_is_null_and_the_task_unassigned(office):
    deploy(office)
    instance = office.engine.runtime.start_process_by_key("initiated")
    assert instance.status == "active"
    assert first_task(office, instance.id).assignee is None
    variables = office.engine.runtime.get_variables(instance.id)
    assert "initiator" in variables and variables["initiator"] is None
    rest = office.client.get(f"/engine-rest/process-instance/{instance.id}/variables",
                             headers=office.auth("officer")).get_json()
    assert rest["initiator"]["value"] is None and rest["initiator"]["type"] == "Null"


def test_started_by_hand_with_an_actor(office):
    deploy(office)
    instance = office.engine.runtime.start_process_by_key("initiated", actor="officer")
    assert first_task(office, instance.id).assignee == "officer"


def test_started_by_a_timer_the_initiator_is_null(office):
    deploy(office, timer=PAST_DATE_TIMER)
    assert office.engine.runtime.fire_due_timer_starts() == 1
    [instance] = [i for i in office.engine.runtime.list_instances() if i.definition_key == "initiated"]
    assert instance.status == "active"
    assert first_task(office, instance.id).assignee is None
    assert office.engine.runtime.get_variables(instance.id)["initiator"] is None


def test_an_initiator_that_is_no_variable_name_is_refused(office):
    with pytest.raises(DeploymentError) as refused:
        deploy(office, variable="người khởi tạo")
    assert "camunda:initiator" in str(refused.value) and "StartEvent_1" in str(refused.value)
    with pytest.raises(NotFoundError):
        office.engine.repository.latest_definition("initiated")
