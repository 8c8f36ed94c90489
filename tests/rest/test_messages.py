"""POST /message as Camunda 7 answers it, driven by pycamunda (its message correlation) and plain HTTP,
on the models as Camunda Modeler draws them (bpmn:message with a name, messageRef, BPMN DI).

message_events waits, in turn, at an intermediate catch event (bo_sung), a receive task (xac_nhan)
with an interrupting boundary event (huy_ho_so), a user task with a non-interrupting one
(nhac_viec), then at an event-based gateway (duyet / tu_choi). message_start starts at a message.
"""
from __future__ import annotations

import pycamunda
import pycamunda.message
import pytest

from tests.rest.events_support import deploy_event_models, open_tasks, post, progress, subscriptions, waiting_at
from tests.rest.test_real_clients import as_user

NO_MATCH = ("org.camunda.bpm.engine.MismatchingMessageCorrelationException: Cannot correlate message '{}': "
            "No process definition or execution matches the parameters")


def correlate(base_url: str, name: str, user: str = "officer", *, all_: bool = False, business_key=None,
              instance_id=None, keys=None, variables=None):
    """pycamunda's correlation with results (it reads the body of every answer)."""
    cls = pycamunda.message.CorrelateAll if all_ else pycamunda.message.CorrelateSingle
    request = cls(url=base_url, message_name=name, business_key=business_key, process_instance_id=instance_id,
                  result_enabled=True)
    for key, (value, type_) in (keys or {}).items():
        request.add_correlation_key(key, value, type_=type_)
    for key, (value, type_) in (variables or {}).items():
        request.add_process_variable(key, value, type_=type_)
    return as_user(request, user)()


@pytest.fixture
def waiting(office):
    """Two message_events instances of the tchcqt unit, A and B, both at the catch event bo_sung."""
    deploy_event_models(office.engine, "message_events.bpmn", "message_start.bpmn")
    start = office.engine.runtime.start_process_by_key
    return {key: start("message_events", {"ma": key, "unit": "tchcqt"}, business_key=key, actor="officer").id
            for key in ("A", "B")}


def test_a_message_walks_an_instance_through_every_kind_of_catching_element(office, live_server, waiting):
    a, b = waiting["A"], waiting["B"]
    assert subscriptions(office, eventType="message", eventName="bo_sung") == sorted([
        ("message", "bo_sung", "Catch_bo_sung", a), ("message", "bo_sung", "Catch_bo_sung", b)])

    # Correlation keys are process variables that must equal; processVariables land on the instance.
    [result] = correlate(live_server, "bo_sung", keys={"ma": ("A", "String")},
                         variables={"so_ho_so": (42, "Integer"), "ghi_chu": ("đủ hồ sơ", "String")})
    assert result.result_type is pycamunda.message.ResultType.execution
    assert result.execution.process_instance_id == a and result.execution.ended is False
    assert office.engine.runtime.get_variables(a) | {} == {"ma": "A", "unit": "tchcqt", "so_ho_so": 42,
                                                          "ghi_chu": "đủ hồ sơ"}
    assert subscriptions(office, processInstanceId=a) == [
        ("message", "huy_ho_so", "Boundary_huy", a), ("message", "xac_nhan", "Receive_xac_nhan", a)]

    # The receive task, by business key; the interrupting boundary event on it goes with it.
    correlate(live_server, "xac_nhan", business_key="A")
    assert open_tasks(office.engine, a) == ["Task_tham_dinh"]
    assert subscriptions(office, processInstanceId=a) == [("message", "nhac_viec", "Boundary_nhac", a)]

    # The non-interrupting boundary event runs its own path; the user task stays open, and the
    # event waits again while it does (as in Camunda).
    for _ in range(2):
        correlate(live_server, "nhac_viec", instance_id=a)
        assert open_tasks(office.engine, a) == ["Task_tham_dinh"]
        assert subscriptions(office, processInstanceId=a) == [("message", "nhac_viec", "Boundary_nhac", a)]
    assert "End_nhac" in progress(office.engine, a)[2]
    reminders = office.engine.history.events(instance_id=a, event_types=["message"], limit=None)
    assert [e.element_id for e in reminders].count("Boundary_nhac") == 2

    [task] = [t for t in office.engine.tasks.list() if t.row.instance_id == a]
    office.engine.tasks.complete(task.id, actor="officer")
    assert subscriptions(office, processInstanceId=a) == [("message", "duyet", "Catch_duyet", a),
                                                          ("message", "tu_choi", "Catch_tu_choi", a)]
    # The event-based gateway: the first message decides, the other event is dropped.
    [result] = correlate(live_server, "tu_choi", business_key="A")
    assert result.execution.ended is True
    status, _, done = progress(office.engine, a)
    assert status == "completed" and "End_tu_choi" in done and "End_duyet" not in done
    assert subscriptions(office, processInstanceId=a) == []
    assert waiting_at(office, b) == ["Catch_bo_sung"]  # B never moved


def test_interrupting_boundary_event_cancels_the_receive_task(office, waiting):
    b = waiting["B"]
    assert post(office, "message", {"messageName": "bo_sung", "businessKey": "B"}).status_code == 204
    response = post(office, "message", {"messageName": "huy_ho_so", "processInstanceId": b})
    assert response.status_code == 204 and response.get_data() == b""
    status, _, done = progress(office.engine, b)
    assert status == "completed" and "End_huy" in done and "Receive_xac_nhan" not in done
    assert subscriptions(office, processInstanceId=b) == []


def test_message_start_event_starts_the_latest_version_with_business_key_and_variables(office, live_server):
    deploy_event_models(office.engine, "message_start.bpmn")
    [result] = correlate(live_server, "nop_ho_so", business_key="HS-01",
                         variables={"nguoi_nop": ("Nguyễn Văn An", "String")})
    assert result.result_type is pycamunda.message.ResultType.process_definition
    instance = result.process_instance
    assert instance.business_key == "HS-01" and instance.definition_id.startswith("message_start:1:")
    assert office.engine.runtime.get_variables(instance.id_) == {"nguoi_nop": "Nguyễn Văn An"}
    assert open_tasks(office.engine, instance.id_) == ["Task_xu_ly"]
    # The start event is the definition's subscription, not the instance's.
    assert subscriptions(office, eventName="nop_ho_so") == [("message", "nop_ho_so", "Start_nop_ho_so", None)]
    assert subscriptions(office, processInstanceId=instance.id_) == []

    # A new version takes the message over; the answer without resultEnabled is 204.
    xml = office.engine.repository.definition_xml(instance.definition_id).replace(b"Xong", b"Xong v2")
    office.engine.repository.deploy([("message_start.bpmn", xml)])
    assert post(office, "message", {"messageName": "nop_ho_so"}).status_code == 204
    response = post(office, "message", {"messageName": "nop_ho_so", "resultEnabled": True})
    [body] = response.get_json()
    assert body["resultType"] == "ProcessDefinition" and body["execution"] is None
    assert body["processInstance"]["definitionId"].startswith("message_start:2:")
    assert body["processInstance"]["ended"] is False


def test_no_match_and_two_matches_answer_camundas_400(office, waiting):
    response = post(office, "message", {"messageName": "khong_ai_cho"})
    assert response.status_code == 400
    assert response.get_json() == {"type": "RestException", "message": NO_MATCH.format("khong_ai_cho")}
    # A correlation key no instance has, or a value that differs, is no match either.
    for keys in ({"ma": {"value": "C", "type": "String"}}, {"khong_co": {"value": 1, "type": "Integer"}}):
        response = post(office, "message", {"messageName": "bo_sung", "correlationKeys": keys})
        assert response.get_json()["message"] == NO_MATCH.format("bo_sung")

    response = post(office, "message", {"messageName": "bo_sung"})
    assert response.status_code == 400
    body = response.get_json()
    assert body["type"] == "RestException"
    assert body["message"].startswith(
        "org.camunda.bpm.engine.MismatchingMessageCorrelationException: Cannot correlate a message with name "
        "'bo_sung' to a single execution. 2 executions match the correlation keys: CorrelationSet [")
    assert [waiting_at(office, i) for i in waiting.values()] == [["Catch_bo_sung"], ["Catch_bo_sung"]]

    # `all` delivers it to both.
    response = post(office, "message", {"messageName": "bo_sung", "all": True, "resultEnabled": True})
    assert response.status_code == 200
    assert sorted(r["execution"]["processInstanceId"] for r in response.get_json()) == sorted(waiting.values())
    assert all(r["resultType"] == "Execution" and r["processInstance"] is None for r in response.get_json())


@pytest.mark.parametrize("body, message", [
    ({}, "No message name supplied"),
    ({"messageName": ""}, "No message name supplied"),
    ({"messageName": "bo_sung", "localCorrelationKeys": {"ma": {"value": "A", "type": "String"}}},
     "localCorrelationKeys is not supported"),
    ({"messageName": "bo_sung", "all": "yes"}, "all must be true or false"),
    ({"messageName": "bo_sung", "correlationKeys": {"ma": {"value": "x", "type": "Integer"}}}, None),
])
def test_bad_requests_change_nothing(office, waiting, body, message):
    response = post(office, "message", body)
    assert response.status_code == 400
    assert response.get_json()["type"] == "InvalidRequestException"
    if message:
        assert response.get_json()["message"].startswith(message)
    assert [waiting_at(office, i) for i in waiting.values()] == [["Catch_bo_sung"], ["Catch_bo_sung"]]


def test_a_unit_reaches_only_the_instances_it_sees(office, waiting):
    # head_a belongs to tong_hop; the waiting instances are tchcqt's: as if nobody waited.
    response = post(office, "message", {"messageName": "bo_sung", "businessKey": "A"}, user="head_a")
    assert response.status_code == 400
    assert response.get_json()["message"] == NO_MATCH.format("bo_sung")
    assert subscriptions(office, "head_a", eventType="message") == [
        ("message", "nop_ho_so", "Start_nop_ho_so", None)]
    # ...but may start a process at its message start event, as it may start one by key.
    response = post(office, "message", {"messageName": "nop_ho_so", "resultEnabled": True}, user="head_a")
    assert response.status_code == 200 and response.get_json()[0]["resultType"] == "ProcessDefinition"
    assert post(office, "message", {"messageName": "bo_sung", "businessKey": "A"}).status_code == 204


MESSAGE_MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_{key}"
                  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{key}" isExecutable="true">
    <bpmn:startEvent id="Start_1"><bpmn:outgoing>Flow_1</bpmn:outgoing>
      <bpmn:messageEventDefinition id="Def_1" messageRef="Message_1" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start_1" targetRef="End_1" />
    <bpmn:endEvent id="End_1"><bpmn:incoming>Flow_1</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
  <bpmn:message id="Message_1" name="{name}" />
</bpmn:definitions>"""


def deploy_xml(office, key: str, name: str):
    xml = MESSAGE_MODEL.format(key=key, name=name).encode()
    return office.client.post("/engine-rest/deployment/create", headers=office.auth("designer"),
                              data={"data": (__import__("io").BytesIO(xml), f"{key}.bpmn")},
                              content_type="multipart/form-data")


def test_deployment_refuses_expression_names_and_a_second_process_for_one_start_message(office):
    response = deploy_xml(office, "msg_expression", "${tenHoSo}")
    assert response.status_code == 400
    assert "is an expression; only fixed message names are supported" in response.get_json()["message"]
    assert deploy_xml(office, "msg_first", "mo_dot").status_code == 200
    response = deploy_xml(office, "msg_second", "mo_dot")
    assert response.status_code == 400
    assert "there already is a message start event for the message with name 'mo_dot'" in \
        response.get_json()["message"]
    # The first one's new version keeps the message.
    assert deploy_xml(office, "msg_first", "mo_dot").status_code == 200


def test_a_process_whose_only_start_is_a_message_starts_by_key_through_it(office):
    deploy_event_models(office.engine, "message_start.bpmn")
    response = office.client.post("/engine-rest/process-definition/key/message_start/start",
                                  json={"businessKey": "HS-02"}, headers=office.auth("officer"))
    assert response.status_code == 200
    assert open_tasks(office.engine, response.get_json()["id"]) == ["Task_xu_ly"]


def test_a_message_starts_only_its_own_start_event_and_a_start_by_key_only_the_plain_one(office):
    deploy_event_models(office.engine, "two_starts.bpmn")
    response = post(office, "message", {"messageName": "nop_truc_tuyen", "resultEnabled": True})
    by_message = response.get_json()[0]["processInstance"]["id"]
    assert open_tasks(office.engine, by_message) == ["Task_kiem_tra"]
    response = office.client.post("/engine-rest/process-definition/key/two_starts/start", json={},
                                  headers=office.auth("officer"))
    by_key = response.get_json()["id"]
    assert open_tasks(office.engine, by_key) == ["Task_nhap"]
    assert subscriptions(office, processInstanceId=by_key) == []  # the start event is the definition's
    for instance in (by_message, by_key):
        [task] = [t for t in office.engine.tasks.list() if t.row.instance_id == instance]
        office.engine.tasks.complete(task.id, actor="officer")
        assert progress(office.engine, instance)[0] == "completed"


def test_the_index_goes_with_the_instance_and_the_deployment(office, waiting):
    office.engine.runtime.delete_instance(waiting["A"], actor="officer")
    assert [i for *_, i in subscriptions(office, eventType="message") if i] == [waiting["B"]]
    deployment_id = office.engine.repository.latest_definition("message_start").deployment_id
    office.engine.repository.delete_deployment(deployment_id, cascade=True)
    assert subscriptions(office, eventName="nop_ho_so") == []
