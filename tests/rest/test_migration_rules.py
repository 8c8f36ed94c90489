"""The rules of /migration beyond the unit evaluation: the new version's flows after a migrated
task, required variables, called instances, refused plans and refused users (Camunda 7's status
codes and exception types). pycamunda's Generate, Validate and Execute over a live socket; plain HTTP
for what pycamunda does not read (the instance and variable reports, error bodies); SQLite and PostgreSQL.
"""
from __future__ import annotations

import pycamunda.migration
import pytest

from engine import TaskQuery
from tests.conftest import fixture_bytes
from tests.rest.test_real_clients import as_user
from tests.rest.test_refusals import row_counts
from tests.rest.test_variables_api import call

ADMIN = "root"
V3_SIGNER = ('<bpmn:userTask id="Task_sign" name="Ký quyết định" camunda:candidateGroups="chief">',
             '<bpmn:userTask id="Task_sign" name="Ký quyết định" camunda:candidateGroups="${signerGroup}">')


@pytest.fixture
def admin_office(office):
    office.engine.identity.ensure_group("admin", "admin", "role")
    office.engine.identity.create_user(ADMIN, "Quản trị", password="mật-khẩu-2025", groups=["admin"])
    return office


def deploy(office, name: str, xml: bytes) -> str:
    return office.engine.repository.deploy([(name, xml)]).processes[0].id


def approval_versions(office) -> tuple[str, str]:
    return (deploy(office, "approval.bpmn", fixture_bytes("approval.bpmn")),
            deploy(office, "approval.bpmn", fixture_bytes("approval_v2.bpmn")))


def start_approval(office) -> str:
    return office.engine.runtime.start_process_by_key("approval", {"reviewDue": "2025-08-08"}, actor="officer").id


def tasks_of(office, instance_id: str):
    return office.engine.tasks.list(TaskQuery(instance_id=instance_id))


def post(office, path: str, body: dict, user: str = ADMIN):
    return call(office, "post", path, user, json=body)


def generated(office, source: str, target: str, **extra) -> dict:
    response = post(office, "/migration/generate", {"sourceProcessDefinitionId": source,
                                                    "targetProcessDefinitionId": target, **extra})
    assert response.status_code == 200, response.json
    return response.json


def test_a_migrated_task_continues_on_the_new_versions_flow(admin_office):
    office = admin_office
    instance_id = None
    v1 = deploy(office, "approval.bpmn", fixture_bytes("approval.bpmn"))
    instance_id = start_approval(office)
    v2 = deploy(office, "approval.bpmn", fixture_bytes("approval_v2.bpmn"))
    [review] = tasks_of(office, instance_id)
    response = post(office, "/migration/execute", {"migrationPlan": generated(office, v1, v2),
                                                   "processInstanceIds": [instance_id]})
    assert response.status_code == 204
    [moved] = tasks_of(office, instance_id)
    assert (moved.id, moved.definition_id, moved.due_at) == (review.id, v2, review.due_at)
    assert set(moved.candidate_groups) == set(review.candidate_groups)
    office.engine.tasks.complete(moved.id, {"approved": True, "score": 80}, actor="officer")
    # Version 1 ended after the review; version 2 asks for a signature.
    assert [t.element_id for t in tasks_of(office, instance_id)] == ["Task_sign"]


def test_a_variable_the_new_version_requires_is_reported_then_given_in_the_plan(admin_office):
    office = admin_office
    v1 = deploy(office, "approval.bpmn", fixture_bytes("approval.bpmn"))
    instance_id = start_approval(office)
    v3 = deploy(office, "approval.bpmn", fixture_bytes("approval_v2.bpmn").replace(*[s.encode() for s in V3_SIGNER]))
    plan = generated(office, v1, v3)
    report = post(office, "/migration/validate", plan).json  # every running instance of v1
    assert report["instanceReports"] == [] and report["instructionReports"] == []
    assert report["variableReports"] == {"signerGroup": {"failures": [
        f"process instance {instance_id} lacks the variable 'signerGroup' (read by an expression the new version "
        f"added in {v3}); give it in the plan's variables"]}}
    counts = row_counts(office.engine)
    refused = post(office, "/migration/execute", {"migrationPlan": plan, "processInstanceIds": [instance_id]})
    assert (refused.status_code, refused.json["type"]) == (400, "MigratingProcessInstanceValidationException")
    assert "signerGroup" in refused.json["message"] and row_counts(office.engine) == counts
    assert office.engine.runtime.get_instance(instance_id).definition_id == v1

    given = {**plan, "variables": {"signerGroup": {"value": "chief", "type": "String"}}}
    assert post(office, "/migration/validate", given).json["variableReports"] == {}
    assert post(office, "/migration/execute", {"migrationPlan": given, "processInstanceIds": [instance_id]}
                ).status_code == 204
    assert office.engine.runtime.get_variables(instance_id)["signerGroup"] == "chief"
    [review] = tasks_of(office, instance_id)
    office.engine.tasks.complete(review.id, {"approved": True, "score": 80}, actor="officer")
    [sign] = tasks_of(office, instance_id)
    assert (sign.element_id, sign.candidate_groups) == ("Task_sign", ("chief",))


def test_called_instances_migrate_with_their_own_plan(admin_office):
    office, engine = admin_office, admin_office.engine
    approval_v1 = deploy(office, "approval.bpmn", fixture_bytes("approval.bpmn"))
    caller_xml = fixture_bytes("parent_call.bpmn")
    caller_v1 = deploy(office, "parent_call.bpmn", caller_xml)
    caller = engine.runtime.start_process_by_key(
        "parent_call", {"units": ["tong_hop", "kinh_te"], "reviewDue": "2025-08-08"}, actor="officer").id
    called = [i.id for i in engine.runtime.list_instances() if i.parent_instance_id == caller]
    assert len(called) == 2
    approval_v2 = deploy(office, "approval.bpmn", fixture_bytes("approval_v2.bpmn"))
    caller_v2 = deploy(office, "parent_call.bpmn", caller_xml.replace("Tổng hợp".encode(), "Tổng hợp kết quả".encode()))

    # The caller's plan moves the caller only; its called instances keep their version.
    assert post(office, "/migration/execute", {"migrationPlan": generated(office, caller_v1, caller_v2),
                                               "processInstanceIds": [caller]}).status_code == 204
    assert engine.runtime.get_instance(caller).definition_id == caller_v2
    assert {engine.runtime.get_instance(i).definition_id for i in called} == {approval_v1}
    # Their own plan moves them; they end on version 2 (with its signature) and the caller goes on.
    assert post(office, "/migration/execute", {"migrationPlan": generated(office, approval_v1, approval_v2),
                                               "processInstanceQuery": {"processDefinitionId": approval_v1}}
                ).status_code == 204
    for instance_id in called:
        [review] = tasks_of(office, instance_id)
        engine.tasks.complete(review.id, {"approved": True, "score": 80}, actor="officer")
        [sign] = tasks_of(office, instance_id)
        assert sign.element_id == "Task_sign"
        engine.tasks.complete(sign.id, {}, actor="chief")
    [consolidate] = tasks_of(office, caller)
    assert (consolidate.element_id, consolidate.name) == ("Task_consolidate", "Tổng hợp kết quả")


def test_pycamunda_generates_validates_and_executes(admin_office, live_server):
    office = admin_office
    v1 = deploy(office, "approval.bpmn", fixture_bytes("approval.bpmn"))
    instance_id = start_approval(office)
    v2 = deploy(office, "approval.bpmn", fixture_bytes("approval_v2.bpmn"))
    plan = as_user(pycamunda.migration.Generate(live_server, v1, v2), ADMIN)()
    assert (plan.source_process_definition_id, plan.target_process_definition_id) == (v1, v2)
    assert ["Task_review"] in [list(i.source_activity_ids) for i in plan.instructions]
    assert as_user(pycamunda.migration.Validate.from_migration_plan(live_server, plan), ADMIN)() == ()
    execute = pycamunda.migration.Execute.from_migration_plan(live_server, plan, [instance_id])
    assert as_user(execute, ADMIN)() is None  # 204
    assert office.engine.runtime.get_instance(instance_id).definition_id == v2
    with pytest.raises(pycamunda.PyCamundaException, match="only administrators"):
        as_user(pycamunda.migration.Generate(live_server, v1, v2), "officer")()


def test_an_unknown_instance_is_reported_and_nothing_moves(admin_office):
    office = admin_office
    v1, v2 = approval_versions(office)
    instance_id = office.engine.runtime.start_process_by_id(v1, {"reviewDue": "2025-08-08"}).id
    refused = post(office, "/migration/execute", {"migrationPlan": generated(office, v1, v2),
                                                  "processInstanceIds": [instance_id, "no-such-instance"]})
    assert (refused.status_code, refused.json["type"]) == (400, "MigratingProcessInstanceValidationException")
    assert refused.json["validationReport"]["instanceReports"] == [{
        "processInstanceId": "no-such-instance", "failures": ["process instance 'no-such-instance' does not exist"]}]
    assert office.engine.runtime.get_instance(instance_id).definition_id == v1


def test_a_plan_with_unknown_elements_is_refused_with_camundas_report(admin_office):
    office = admin_office
    v1, v2 = approval_versions(office)
    instance_id = office.engine.runtime.start_process_by_id(v1, {"reviewDue": "2025-08-08"}).id
    plan = {"sourceProcessDefinitionId": v1, "targetProcessDefinitionId": v2, "instructions": [
        {"sourceActivityIds": ["Task_review"], "targetActivityIds": ["Task_missing"]},
        {"sourceActivityIds": ["Task_review"], "targetActivityIds": ["EndEvent_1"]}]}
    report = post(office, "/migration/validate", plan).json
    assert [r["failures"] for r in report["instructionReports"]] == [
        [f"target activity 'Task_missing' does not exist in {v2}"],
        ["source activity 'Task_review' (UserTask) and target activity 'EndEvent_1' (EndEvent) are not of the "
         "same type", "there are several instructions for the source activity 'Task_review'"]]
    counts = row_counts(office.engine)
    refused = post(office, "/migration/execute", {"migrationPlan": plan, "processInstanceIds": [instance_id]})
    assert (refused.status_code, refused.json["type"]) == (400, "MigrationPlanValidationException")
    assert refused.json["validationReport"]["instructionReports"] == report["instructionReports"]
    assert row_counts(office.engine) == counts


@pytest.mark.parametrize("path, body, status, error", [
    ("/migration/generate", {"sourceProcessDefinitionId": "nope:1:x", "targetProcessDefinitionId": "nope:1:x"},
     404, "InvalidRequestException"),
    ("/migration/generate", {"targetProcessDefinitionId": "x"}, 400, "InvalidRequestException"),
    ("/migration/validate", {"sourceProcessDefinitionId": "a", "targetProcessDefinitionId": "b",
                             "instructions": "all"}, 400, "InvalidRequestException"),
    ("/migration/execute", {"migrationPlan": "plan"}, 400, "InvalidRequestException"),
    ("/migration/execute", {"migrationPlan": {"sourceProcessDefinitionId": "a", "targetProcessDefinitionId": "b"},
                            "processInstanceIds": []}, 400, "InvalidRequestException"),
    ("/migration/execute", {"migrationPlan": {"sourceProcessDefinitionId": "a", "targetProcessDefinitionId": "b"},
                            "processInstanceQuery": {"suspended": True}}, 400, "InvalidRequestException"),
    ("/migration/validate", {"sourceProcessDefinitionId": "a", "targetProcessDefinitionId": "b", "instructions": [
        {"sourceActivityIds": "Task_review", "targetActivityIds": ["Task_review"]}]}, 400, "InvalidRequestException"),
    ("/migration/validate", {"sourceProcessDefinitionId": "a", "targetProcessDefinitionId": "b", "instructions": [
        {"sourceActivityIds": [1], "targetActivityIds": [None]}]}, 400, "InvalidRequestException"),
    ("/migration/validate", {"sourceProcessDefinitionId": "a", "targetProcessDefinitionId": "b",
                             "variables": {"x": {"value": "abc", "type": "Integer"}}}, 400, "InvalidRequestException"),
    ("/migration/execute", {"migrationPlan": {"sourceProcessDefinitionId": "a", "targetProcessDefinitionId": "b"},
                            "processInstanceIds": ["x"], "skipIoMappings": "yes"}, 400, "InvalidRequestException"),
    ("/migration/generate", {"sourceProcessDefinitionId": "a", "targetProcessDefinitionId": "b",
                             "updateEventTriggers": "true"}, 400, "InvalidRequestException"),
])
def test_bad_requests_are_camundas_errors_and_change_nothing(admin_office, path, body, status, error):
    counts = row_counts(admin_office.engine)
    response = post(admin_office, path, body)
    assert (response.status_code, response.json["type"]) == (status, error), response.json
    assert row_counts(admin_office.engine) == counts


@pytest.mark.parametrize("user", ["designer", "officer", "head_a"])
def test_only_administrators_migrate(admin_office, user):
    office = admin_office
    v1, v2 = approval_versions(office)
    instance_id = office.engine.runtime.start_process_by_id(v1, {"reviewDue": "2025-08-08"}).id
    plan = generated(office, v1, v2)
    counts = row_counts(office.engine)
    for path, body in (("/migration/generate", {"sourceProcessDefinitionId": v1, "targetProcessDefinitionId": v2}),
                       ("/migration/validate", plan),
                       ("/migration/execute", {"migrationPlan": plan, "processInstanceIds": [instance_id]})):
        response = post(office, path, body, user=user)
        assert (response.status_code, response.json["type"]) == (403, "AuthorizationException")
    assert row_counts(office.engine) == counts
    assert office.engine.runtime.get_instance(instance_id).definition_id == v1


def model(process_id: str, elements: str) -> str:
    """A BPMN file of one executable process made of `elements`."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions '
            'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
            f'id="Definitions_{process_id}" targetNamespace="http://bpmn.io/schema/bpmn">\n'
            f'<bpmn:process id="{process_id}" isExecutable="true">\n{elements}</bpmn:process>\n</bpmn:definitions>\n')


TIMER_BPMN = model("wait_then_act", """
    <bpmn:startEvent id="Start_wait"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start_wait" targetRef="Timer_wait" />
    <bpmn:intermediateCatchEvent id="Timer_wait" name="Chờ">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDate xsi:type="bpmn:tFormalExpression">WHEN</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F2" sourceRef="Timer_wait" targetRef="Task_act" />
    <bpmn:userTask id="Task_act" name="Làm" camunda:candidateGroups="tchcqt">
      <bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>F3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Task_act" targetRef="End_wait" />
    <bpmn:endEvent id="End_wait"><bpmn:incoming>F3</bpmn:incoming></bpmn:endEvent>
""")


@pytest.mark.parametrize("update, due", [(False, "2040-01-01T00:00:00+00:00"), (True, "2041-01-01T00:00:00+00:00")])
def test_a_waiting_timer_keeps_its_time_unless_the_trigger_is_updated(admin_office, update, due):
    office, engine = admin_office, admin_office.engine
    v1 = deploy(office, "wait.bpmn", TIMER_BPMN.replace("WHEN", "2040-01-01T00:00:00+00:00").encode())
    instance_id = engine.runtime.start_process_by_key("wait_then_act", {}).id
    v2 = deploy(office, "wait.bpmn", TIMER_BPMN.replace("WHEN", "2041-01-01T00:00:00+00:00").encode())
    plan = generated(office, v1, v2, updateEventTriggers=update)
    assert [i["updateEventTrigger"] for i in plan["instructions"] if i["sourceActivityIds"] == ["Timer_wait"]] \
        == [update]
    assert post(office, "/migration/execute", {"migrationPlan": plan, "processInstanceIds": [instance_id]}
                ).status_code == 204
    instance = engine.runtime.get_instance(instance_id)
    assert (instance.definition_id, instance.next_timer_at.isoformat()) == (v2, due)
    assert tasks_of(office, instance_id) == []


BOUNDARY_BPMN = model("check_in_time", """
    <bpmn:startEvent id="Start_check"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start_check" targetRef="TASK" />
    <bpmn:userTask id="TASK" name="Kiểm tra" camunda:assignee="officer"><bpmn:incoming>F1</bpmn:incoming>
      <bpmn:outgoing>F2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="Timer_late" attachedToRef="TASK"><bpmn:outgoing>F3</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P30D</bpmn:timeDuration>
      </bpmn:timerEventDefinition></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="F2" sourceRef="TASK" targetRef="NEXT" />
    NEXT_ELEMENTS
    <bpmn:sequenceFlow id="F3" sourceRef="Timer_late" targetRef="End_late" />
    <bpmn:endEvent id="End_late"><bpmn:incoming>F3</bpmn:incoming></bpmn:endEvent>
""")
ENDS = '<bpmn:endEvent id="End_check"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>'
SIGNS = ('<bpmn:userTask id="Task_sign_check" name="Ký" camunda:candidateGroups="chief">'
         '<bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>F4</bpmn:outgoing></bpmn:userTask>'
         '<bpmn:sequenceFlow id="F4" sourceRef="Task_sign_check" '
         'targetRef="End_check" /><bpmn:endEvent id="End_check"><bpmn:incoming>F4</bpmn:incoming></bpmn:endEvent>')


def boundary_model(task: str, after: str, next_id: str) -> bytes:
    xml = BOUNDARY_BPMN.replace("TASK", task).replace("NEXT_ELEMENTS", after)
    return xml.replace('"NEXT"', f'"{next_id}"').encode()


def test_a_task_with_a_boundary_timer_moves_to_its_replacement_and_keeps_the_timer(admin_office):
    office, engine = admin_office, admin_office.engine
    v1 = deploy(office, "check.bpmn", boundary_model("Task_check", ENDS, "End_check"))
    instance_id = engine.runtime.start_process_by_key("check_in_time", {}).id
    [task] = tasks_of(office, instance_id)
    due = engine.runtime.get_instance(instance_id).next_timer_at
    v2 = deploy(office, "check.bpmn", boundary_model("Task_verify", SIGNS, "Task_sign_check"))
    plan = generated(office, v1, v2)
    assert [i["sourceActivityIds"] for i in plan["instructions"] if i["sourceActivityIds"] == ["Timer_late"]]
    report = post(office, "/migration/validate", plan).json
    assert [f.split(" of process")[0] for f in report["instanceReports"][0]["failures"]] == [
        "active element 'Task_check' (ready)"]
    plan["instructions"].append({"sourceActivityIds": ["Task_check"], "targetActivityIds": ["Task_verify"]})
    assert post(office, "/migration/execute", {"migrationPlan": plan, "processInstanceIds": [instance_id]}
                ).status_code == 204
    [moved] = tasks_of(office, instance_id)
    assert (moved.id, moved.element_id, moved.assignee) == (task.id, "Task_verify", "officer")
    assert engine.runtime.get_instance(instance_id).next_timer_at == due
    engine.tasks.complete(moved.id, {}, actor="officer")
    assert [t.element_id for t in tasks_of(office, instance_id)] == ["Task_sign_check"]


EXTERNAL_BPMN = model("send_out", """
    <bpmn:startEvent id="Start_send"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start_send" targetRef="SERVICE" />
    <bpmn:serviceTask id="SERVICE" camunda:type="external" camunda:topic="TOPIC">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:sequenceFlow id="F2" sourceRef="SERVICE" targetRef="End_send" />
    <bpmn:endEvent id="End_send"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
""")


def test_a_waiting_external_task_is_offered_under_the_new_element_and_topic(admin_office):
    office, engine = admin_office, admin_office.engine
    v1 = deploy(office, "send.bpmn", EXTERNAL_BPMN.replace("SERVICE", "Service_mail").replace(
        "TOPIC", "mail_v1").encode())
    instance_id = engine.runtime.start_process_by_key("send_out", {}).id
    [waiting] = engine.external_tasks.list(instance_id=instance_id)
    v2 = deploy(office, "send.bpmn", EXTERNAL_BPMN.replace("SERVICE", "Service_send").replace(
        "TOPIC", "mail_v2").encode())
    plan = generated(office, v1, v2)
    plan["instructions"].append({"sourceActivityIds": ["Service_mail"], "targetActivityIds": ["Service_send"]})
    assert post(office, "/migration/execute", {"migrationPlan": plan, "processInstanceIds": [instance_id]}
                ).status_code == 204
    [moved] = engine.external_tasks.list(instance_id=instance_id)
    assert (moved.id, moved.element_id, moved.topic) == (waiting.id, "Service_send", "mail_v2")
