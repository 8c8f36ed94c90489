"""Wrong requests get the right status and Camunda's error body, and change nothing."""
from __future__ import annotations

import base64
import io
import json

from sqlalchemy import func, select

from engine import TaskQuery
from engine.persistence.models import Base
from tests.conftest import fixture_bytes
from tests.test_task_checks import checked_model
from workflows.handlers import register_checks


def row_counts(engine) -> dict[str, int]:
    with engine.context.sessions() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def unit_instances(office):
    office.engine.repository.deploy([("units_multi.bpmn", fixture_bytes("units_multi.bpmn"))])
    a = office.engine.runtime.start_process_by_key("units_multi", {"units": ["unit:tong_hop"], "unit": "tong_hop"})
    b = office.engine.runtime.start_process_by_key("units_multi", {"units": ["unit:kinh_te"], "unit": "kinh_te"})
    [task_a] = office.engine.tasks.list(TaskQuery(instance_id=a.id))
    return a, b, task_a


def refused(office, method: str, url: str, user: str, status: int, error_type: str, **kwargs):
    before = row_counts(office.engine)
    response = getattr(office.client, method)(url, headers=office.auth(user), **kwargs)
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert body["type"] == error_type and body["message"]
    assert row_counts(office.engine) == before
    return body


def test_deploy_by_a_non_designer(office):
    body = refused(office, "post", "/engine-rest/deployment/create", "head_a", 403, "AuthorizationException",
                   content_type="multipart/form-data",
                   data={"deployment-name": "x", "approval.bpmn": (io.BytesIO(fixture_bytes("approval.bpmn")),
                                                                   "approval.bpmn")})
    assert "only designers deploy" in body["message"]


def test_unknown_key_and_unknown_ids(office):
    refused(office, "post", "/engine-rest/process-definition/key/khong-co/start", "designer", 404,
            "InvalidRequestException", json={})
    refused(office, "get", "/engine-rest/process-definition/khong-co:1:x", "designer", 404, "InvalidRequestException")
    refused(office, "get", "/engine-rest/task/khong-co", "designer", 404, "InvalidRequestException")


def test_wrong_variable_types(office):
    office.engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    body = refused(office, "post", "/engine-rest/process-definition/key/approval/start", "designer", 400,
                   "InvalidRequestException",
                   json={"variables": {"reviewDue": {"value": "ngày mai", "type": "Integer"}}})
    assert "reviewDue" in body["message"]
    refused(office, "post", "/engine-rest/process-definition/key/approval/start", "designer", 400,
            "InvalidRequestException", json={"variables": {"x": {"value": 1, "type": "Bytes"}}})
    refused(office, "post", "/engine-rest/process-definition/key/approval/start", "designer", 400,
            "InvalidRequestException", data="not json", content_type="application/json")


def test_task_of_another_unit(office):
    a, b, task_a = unit_instances(office)
    # staff of kinh_te: the task of tong_hop does not exist for them, nor its instance.
    refused(office, "get", f"/engine-rest/task/{task_a.id}", "staff_b", 404, "InvalidRequestException")
    refused(office, "post", f"/engine-rest/task/{task_a.id}/complete", "staff_b", 404, "InvalidRequestException",
            json={})
    refused(office, "post", f"/engine-rest/task/{task_a.id}/claim", "staff_b", 404, "InvalidRequestException",
            json={"userId": "staff_b"})
    refused(office, "get", f"/engine-rest/process-instance/{a.id}", "staff_b", 404, "InvalidRequestException")
    refused(office, "get", f"/engine-rest/process-instance/{a.id}/variables", "staff_b", 404,
            "InvalidRequestException")
    listed = office.client.get("/engine-rest/task", headers=office.auth("staff_b")).get_json()
    assert [t["processInstanceId"] for t in listed] == [b.id]
    instances = office.client.get("/engine-rest/process-instance", headers=office.auth("staff_b")).get_json()
    assert [i["id"] for i in instances] == [b.id]
    # The unit's own head sees and completes it; TCHCQT follows both units.
    assert office.client.get(f"/engine-rest/task/{task_a.id}", headers=office.auth("head_a")).status_code == 200
    assert len(office.client.get("/engine-rest/task", headers=office.auth("officer")).get_json()) == 2


def test_claim_for_someone_else_and_complete_someone_elses_task(office):
    a, b, task_a = unit_instances(office)
    refused(office, "post", f"/engine-rest/task/{task_a.id}/claim", "head_a", 403, "AuthorizationException",
            json={"userId": "staff_b"})
    ok = office.client.post(f"/engine-rest/task/{task_a.id}/claim", headers=office.auth("head_a"),
                            json={"userId": "head_a"})
    assert ok.status_code == 204
    # TCHCQT sees the task but may not complete a unit's work held by its head.
    refused(office, "post", f"/engine-rest/task/{task_a.id}/complete", "officer", 403, "AuthorizationException",
            json={})
    done = office.client.post(f"/engine-rest/task/{task_a.id}/complete", headers=office.auth("head_a"), json={})
    assert done.status_code == 204
    assert office.engine.runtime.get_instance(a.id).status == "completed"


def test_form_errors_are_400_and_keep_the_task(office):
    office.engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    instance = office.engine.runtime.start_process_by_key("approval", {"reviewDue": "2025-08-08"})
    [task] = office.engine.tasks.list(TaskQuery(instance_id=instance.id))
    body = refused(office, "post", f"/engine-rest/task/{task.id}/complete", "officer", 400,
                   "FormFieldValidationException",
                   json={"variables": {"score": {"value": 500, "type": "Integer"}}})
    assert "score" in body["message"]
    assert office.engine.tasks.get(task.id).id == task.id


def test_probes_that_once_crashed_the_server_are_400(office):
    """Cases schemathesis and hand probes found: huge numbers, NUL characters, wrong body types."""
    office.engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    instance = office.engine.runtime.start_process_by_key("approval", {"reviewDue": "2025-08-08"})
    [task] = office.engine.tasks.list(TaskQuery(instance_id=instance.id))
    probes = [
        ("get", "/engine-rest/task?firstResult=9223372036854775808", {}),
        ("get", "/engine-rest/process-instance?maxResults=9223372036854775808", {}),
        ("get", "/engine-rest/process-instance?businessKey=%00", {}),
        ("get", "/engine-rest/task/%00", {}),
        ("post", f"/engine-rest/task/{task.id}/claim", {"json": {"userId": {}}}),
        ("post", f"/engine-rest/task/{task.id}/claim", {"json": {"userId": False}}),
        ("post", "/engine-rest/process-definition/key/approval/start", {"json": {"businessKey": "x" * 256}}),
        ("post", "/engine-rest/process-definition/key/approval/start",
         {"json": {"variables": {"note": {"value": "a\u0000b", "type": "String"}}}}),
        ("post", "/engine-rest/external-task/fetchAndLock", {"json": {
            "workerId": "w", "maxTasks": 1, "topics": [{"topicName": "notify", "lockDuration": 10**20}]}}),
        ("post", "/engine-rest/external-task/fetchAndLock", {"json": {
            "workerId": "w", "maxTasks": 1, "topics": [{"topicName": "notify", "lockDuration": 1000,
                                                         "processDefinitionKey": [None]}]}}),
    ]
    for method, url, kwargs in probes:
        user = "worker" if "external-task" in url else "officer" if "/task" in url else "designer"
        refused(office, method, url, user, 400, "InvalidRequestException", **kwargs)


def test_basic_auth_shares_the_portal_sign_in_limit(office):
    """Ten wrong passwords through the API block the name, even for the right password, as the portal does."""
    wrong = {"Authorization": "Basic " + base64.b64encode("head_a:sai-mat-khau".encode()).decode()}
    statuses = [office.client.get("/engine-rest/task", headers=wrong).status_code for _ in range(10)]
    assert statuses == [401] * 9 + [429]  # the tenth starts the block
    blocked = office.client.get("/engine-rest/task", headers=office.auth("head_a"))
    assert blocked.status_code == 429
    assert blocked.json["type"] == "AuthenticationException" and "blocked until" in blocked.json["message"]
    assert office.client.get("/engine-rest/task", headers=office.auth("designer")).status_code == 200


def test_a_campaign_check_refuses_over_rest_in_both_languages(office, handlers):
    """The per-nominee appraisal (workflows/appraisal.py): a return without its reason is refused
    through the API as on the page, in both languages, and nothing is written."""
    register_checks(handlers)
    # No camunda:formData: the task's list is posted whole, as the thidua:appraisal page does.
    model = checked_model("appraisal", "", "tchcqt").replace(b"<camunda:formData></camunda:formData>", b"")
    office.engine.repository.deploy([("checked.bpmn", model)])
    instance = office.engine.runtime.start_process_by_key("checked", {"checkedNominees": [
        {"id": "nom-lan", "kind": "individual", "fullName": "Nguyễn Thị Lan"}]})
    [task] = office.engine.tasks.list(TaskQuery(instance_id=instance.id))
    returned = json.dumps([{"nomineeId": "nom-lan", "decision": "return", "note": " "}])
    body = refused(office, "post", f"/engine-rest/task/{task.id}/complete", "officer", 400,
                   "FormFieldValidationException",
                   json={"variables": {"appraisals": {"value": returned, "type": "Json"}}})
    assert "Ghi lý do trả lại đề nghị của Nguyễn Thị Lan" in body["message"]
    assert "Give the reason for returning Nguyễn Thị Lan" in body["message"]
    assert office.engine.tasks.get(task.id).id == task.id
    assert "appraisals" not in office.engine.runtime.get_variables(instance.id)
