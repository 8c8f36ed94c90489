"""Incidents, failed jobs and retries over /engine-rest, in Camunda 7's shapes.

A retry runs the failed step again and only it: the handlers count their calls, and a script
fails after a user task that stays completed.
"""
from __future__ import annotations

import pycamunda
import pycamunda.externaltask
import pycamunda.incident
import pytest

from engine.runtime import TopicRequest
from tests.conftest import fixture_bytes
from tests.rest.conftest import PASSWORD
from tests.rest.test_real_clients import as_user

R = "/engine-rest"
ADMIN = "quan_tri"


@pytest.fixture
def ops(office, handlers):
    """The office with an administrator, and handlers that count their calls (one fails 3 times)."""
    office.engine.identity.ensure_group("admin", "admin", "role")
    office.engine.identity.create_user(ADMIN, "Quản trị", password=PASSWORD, groups=["admin"])
    calls = {"count_once": 0, "flaky": 0}
    failures = {"flaky": 3}  # the calls of `flaky` that fail

    def count_once(context):
        calls["count_once"] += 1
        return {"counted": calls["count_once"]}

    def flaky(context):
        calls["flaky"] += 1
        if calls["flaky"] <= failures["flaky"]:
            raise ConnectionError("SMTP down")
        return {"sent": True}

    handlers.register("count_once", count_once)
    handlers.register("flaky", flaky)
    office.engine.repository.deploy([("retry_steps.bpmn", fixture_bytes("retry_steps.bpmn")),
                                     ("bad_timer.bpmn", fixture_bytes("bad_timer.bpmn"))])
    office.calls, office.failures = calls, failures
    return office


def call(office, method: str, path: str, user: str = ADMIN, **kwargs):
    return office.client.open(R + path, method=method, headers=office.auth(user), **kwargs)


def start_and_review(office) -> str:
    """Starts retry_steps and completes its user task: the script after it fails (no `base`)."""
    instance = office.engine.runtime.start_process_by_key("retry_steps", {}, actor="officer")
    [task] = call(office, "GET", f"/task?processInstanceId={instance.id}", "officer").get_json()
    assert call(office, "POST", f"/task/{task['id']}/complete", "officer", json={}).status_code == 204
    return instance.id


def incidents(office, **params) -> list[dict]:
    response = call(office, "GET", "/incident", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_failed_script_is_an_incident_with_job_and_stack_trace(ops):
    instance_id = start_and_review(ops)
    [incident] = incidents(ops)
    assert incident["incidentType"] == "failedJob" and incident["activityId"] == "Script_score"
    assert incident["processInstanceId"] == instance_id == incident["executionId"]
    assert "base" in incident["incidentMessage"] and incident["annotation"] is None
    assert ops.engine.runtime.get_instance(instance_id).status == "incident"  # the portal still reads this
    job_id = incident["configuration"]
    job = call(ops, "GET", f"/job/{job_id}").get_json()
    assert job["id"] == job_id and job["retries"] == 0 and job["processInstanceId"] == instance_id
    assert job["exceptionMessage"] == incident["incidentMessage"] and job["suspended"] is False
    assert call(ops, "GET", "/job").get_json() == [job]
    trace = call(ops, "GET", f"/job/{job_id}/stacktrace")
    assert trace.status_code == 200 and trace.mimetype == "text/plain"
    assert "Traceback" in trace.get_data(as_text=True) and "NameError" in trace.get_data(as_text=True)
    assert call(ops, "GET", f"/incident/{incident['id']}").get_json() == incident


def test_filters_count_and_sorting(ops):
    first, second = start_and_review(ops), start_and_review(ops)
    assert call(ops, "GET", "/incident/count").get_json() == {"count": 2}
    assert [i["processInstanceId"] for i in incidents(ops, processInstanceId=second)] == [second]
    assert incidents(ops, incidentType="failedExternalTask") == []
    assert len(incidents(ops, incidentType="failedJob", activityId="Script_score")) == 2
    assert incidents(ops, activityId="Task_review") == []
    job = incidents(ops, processInstanceId=first)[0]["configuration"]
    assert [i["processInstanceId"] for i in incidents(ops, configuration=job)] == [first]
    ordered = [i["id"] for i in incidents(ops, sortBy="incidentId", sortOrder="asc")]
    assert ordered == sorted(ordered)
    assert [i["id"] for i in incidents(ops, sortBy="incidentId", sortOrder="desc")] == ordered[::-1]
    assert len(incidents(ops, firstResult=1, maxResults=5)) == 1
    count = call(ops, "GET", "/incident/count", query_string={"processDefinitionId": "nope"}).get_json()
    assert count == {"count": 0}
    bad = call(ops, "GET", "/incident", query_string={"sortBy": "color"})
    assert bad.status_code == 400 and bad.get_json()["type"] == "InvalidRequestException"


def test_retry_runs_only_the_failed_step(ops):
    instance_id = start_and_review(ops)
    [script] = incidents(ops)
    assert ops.calls == {"count_once": 1, "flaky": 0}
    # The operator fixes the missing variable, then retries: the script runs, the next service
    # task's handler fails its three attempts: a new incident there.
    fixed = call(ops, "POST", f"/process-instance/{instance_id}/variables", "officer",
                 json={"modifications": {"base": {"value": 5, "type": "Integer"}}})
    assert fixed.status_code == 204
    assert call(ops, "PUT", f"/job/{script['configuration']}/retries", json={"retries": 1}).status_code == 204
    [handler] = incidents(ops)
    assert handler["activityId"] == "Service_flaky" and "SMTP down" in handler["incidentMessage"]
    assert handler["id"] != script["id"]
    assert call(ops, "GET", f"/incident/{script['id']}").status_code == 404  # resolved
    assert ops.calls == {"count_once": 1, "flaky": 3}
    assert call(ops, "PUT", f"/job/{handler['configuration']}/retries", json={"retries": 2}).status_code == 204
    assert ops.calls == {"count_once": 1, "flaky": 4}  # nothing before the failed step ran again
    assert incidents(ops) == [] and call(ops, "GET", "/job").get_json() == []
    instance = ops.engine.runtime.get_instance(instance_id)
    assert instance.status == "active" and instance.incident_message is None
    variables = ops.engine.runtime.get_variables(instance_id)
    assert variables["score"] == 10 and variables["counted"] == 1 and variables["sent"] is True
    [task] = call(ops, "GET", f"/task?processInstanceId={instance_id}", "officer").get_json()
    assert task["taskDefinitionKey"] == "Task_after"
    completions = ops.engine.history.events(instance_id=instance_id, event_types=["complete"])
    assert [e.element_id for e in completions] == ["Task_review"]  # the user task was not reopened
    retries = ops.engine.history.events(instance_id=instance_id, event_types=["job_retries"])
    assert [(e.actor, e.element_id) for e in retries] == [(ADMIN, "Script_score"), (ADMIN, "Service_flaky")]


def test_a_handler_gets_as_many_attempts_as_the_retries_given(ops):
    ops.failures["flaky"] = 6
    instance_id = start_and_review(ops)
    ops.engine.runtime.set_variables(instance_id, {"base": 1}, actor="officer")
    [script] = incidents(ops)
    assert call(ops, "PUT", f"/job/{script['configuration']}/retries", json={"retries": 1}).status_code == 204
    assert ops.calls["flaky"] == 3  # the service's default attempts
    [handler] = incidents(ops)
    for retries, calls_after in ((2, 5), (1, 6)):
        assert call(ops, "PUT", f"/job/{handler['configuration']}/retries",
                    json={"retries": retries}).status_code == 204
        assert ops.calls["flaky"] == calls_after
        [handler] = incidents(ops)
    assert call(ops, "PUT", f"/job/{handler['configuration']}/retries", json={"retries": 5}).status_code == 204
    assert ops.calls == {"count_once": 1, "flaky": 7} and incidents(ops) == []


def test_retry_that_fails_again_opens_a_new_incident(ops):
    instance_id = start_and_review(ops)
    [first] = incidents(ops)
    assert call(ops, "PUT", f"/job/{first['configuration']}/retries", json={"retries": 1}).status_code == 204
    [again] = incidents(ops)
    assert again["id"] != first["id"] and again["activityId"] == "Script_score"
    assert again["configuration"] == first["configuration"]  # the same job, as in Camunda
    assert ops.calls["count_once"] == 1
    assert ops.engine.runtime.get_instance(instance_id).status == "incident"


def test_timer_that_cannot_be_evaluated_is_an_incident_until_fixed(ops):
    instance = ops.engine.runtime.start_process_by_key("bad_timer", {}, actor="officer")
    [task] = call(ops, "GET", f"/task?processInstanceId={instance.id}", "officer").get_json()
    assert call(ops, "POST", f"/task/{task['id']}/complete", "officer", json={}).status_code == 204
    [incident] = incidents(ops)
    assert incident["activityId"] == "Timer_wait" and incident["incidentType"] == "failedJob"
    assert "waitFor" in incident["incidentMessage"]
    ops.engine.runtime.set_variables(instance.id, {"waitFor": "PT1H"}, actor="officer")
    assert call(ops, "PUT", f"/job/{incident['configuration']}/retries", json={"retries": 1}).status_code == 204
    row = ops.engine.runtime.get_instance(instance.id)
    assert row.status == "active" and row.next_timer_at is not None and incidents(ops) == []
    # The completed task stays completed: nothing is open until the timer fires.
    assert call(ops, "GET", f"/task?processInstanceId={instance.id}", "officer").get_json() == []


def test_annotation_and_resolve_as_camunda(ops):
    start_and_review(ops)
    [incident] = incidents(ops)
    path = f"/incident/{incident['id']}"
    assert call(ops, "PUT", path + "/annotation", json={"annotation": "chờ đơn vị bổ sung"}).status_code == 204
    assert call(ops, "GET", path).get_json()["annotation"] == "chờ đơn vị bổ sung"
    assert call(ops, "DELETE", path + "/annotation").status_code == 204
    assert call(ops, "GET", path).get_json()["annotation"] is None
    notes = ops.engine.history.events(instance_id=incident["processInstanceId"], event_types=["incident_annotation"])
    assert [e.actor for e in notes] == [ADMIN, ADMIN]
    refused = call(ops, "DELETE", path)
    assert refused.status_code == 400
    assert refused.get_json() == {"type": "InvalidRequestException",
                                  "message": "Cannot resolve an incident of type failedJob"}
    assert incidents(ops) == [incident]


def test_unknown_ids_and_bad_retries(ops):
    start_and_review(ops)
    [incident] = incidents(ops)
    for method, path in (("GET", "/incident/nope"), ("DELETE", "/incident/nope"),
                         ("PUT", "/incident/nope/annotation"), ("GET", "/job/nope"),
                         ("GET", "/job/nope/stacktrace"), ("PUT", "/job/nope/retries"),
                         ("PUT", "/external-task/nope/retries")):
        response = call(ops, method, path, json={"retries": 1, "annotation": "x"})
        assert response.status_code == 404, (method, path)
        assert response.get_json()["type"] == "InvalidRequestException"
    # Camunda's own messages for a missing incident and job.
    assert call(ops, "GET", "/incident/nope").get_json()["message"] == "No matching incident with id nope"
    assert call(ops, "GET", "/job/nope").get_json()["message"] == "Job with id nope does not exist"
    for body in ({"retries": -1}, {"retries": "2"}, {}, {"retries": True}):
        response = call(ops, "PUT", f"/job/{incident['configuration']}/retries", json=body)
        assert response.status_code == 400 and response.get_json()["type"] == "InvalidRequestException", body
    assert incidents(ops) == [incident]  # nothing changed
    bad = call(ops, "PUT", f"/incident/{incident['id']}/annotation", json={"annotation": 5})
    assert bad.status_code == 400


@pytest.mark.parametrize("user", ["officer", "staff_b", "designer", "worker", "head_a"])
def test_only_administrators(ops, user):
    start_and_review(ops)
    [incident] = incidents(ops)
    for method, path in (("GET", "/incident"), ("GET", "/incident/count"), ("GET", f"/incident/{incident['id']}"),
                         ("PUT", f"/incident/{incident['id']}/annotation"), ("GET", "/job"),
                         ("PUT", f"/job/{incident['configuration']}/retries")):
        response = call(ops, method, path, user, json={"retries": 1, "annotation": "x"})
        assert response.status_code == 403, (user, method, path)
        assert response.get_json()["type"] == "AuthorizationException"
    assert incidents(ops) == [incident]


def test_external_task_out_of_retries_is_retried_with_pycamunda(ops, live_server):
    ops.engine.repository.deploy([("full_cycle.bpmn", fixture_bytes("full_cycle.bpmn")),
                                  ("rules_check.dmn", fixture_bytes("rules_check.dmn"))])
    instance = ops.engine.runtime.start_process_by_key(
        "full_cycle", {"referenceYear": 2025, "startYear": 2000, "rating": "excellent"})
    [locked] = ops.engine.external_tasks.fetch_and_lock("w1", 1, [TopicRequest("notify", 60_000)])
    ops.engine.external_tasks.handle_failure(locked.task.id, "w1", "SMTP down", details="smtplib: 421",
                                             retries=0)
    [incident] = as_user(pycamunda.incident.GetList(live_server, incident_type="failedExternalTask"), ADMIN)()
    assert incident.configuration == locked.task.id and incident.activity_id == "Service_notify"
    assert incident.incident_type == pycamunda.incident.IncidentType.failed_external_task
    assert as_user(pycamunda.incident.Get(live_server, incident.id_), ADMIN)().id_ == incident.id_
    with pytest.raises(pycamunda.BadRequest, match="Cannot resolve an incident of type failedExternalTask"):
        as_user(pycamunda.incident.Resolve(live_server, incident.id_), ADMIN)()
    assert ops.engine.external_tasks.fetch_and_lock("w1", 1, [TopicRequest("notify", 60_000)]) == []
    as_user(pycamunda.externaltask.SetRetries(live_server, locked.task.id, 2), ADMIN)()
    assert as_user(pycamunda.incident.GetList(live_server), ADMIN)() == ()
    assert ops.engine.runtime.get_instance(instance.id).status == "active"
    [again] = ops.engine.external_tasks.fetch_and_lock("w2", 1, [TopicRequest("notify", 60_000)])
    assert again.task.id == locked.task.id and again.task.retries == 2
    ops.engine.external_tasks.complete(again.task.id, "w2", {"sent": True})
    events = ops.engine.history.events(instance_id=instance.id, event_types=["external_task_retries"])
    assert [e.actor for e in events] == [ADMIN]


def test_timer_failing_after_an_external_task_is_an_incident(ops):
    """A worker's completion sets off the timer: the completion stands, the timer is the incident."""
    xml = fixture_bytes("bad_timer.bpmn").decode().replace(
        '<bpmn:userTask id="Task_first" name="Bước đầu" camunda:candidateGroups="tchcqt">',
        '<bpmn:serviceTask id="Task_first" name="Bước đầu" camunda:type="external" camunda:topic="first">'
    ).replace("</bpmn:userTask>\n    <bpmn:sequenceFlow id=\"F2\"", "</bpmn:serviceTask>\n    <bpmn:sequenceFlow id=\"F2\"")
    ops.engine.repository.deploy([("bad_timer_external.bpmn", xml.encode())])
    instance = ops.engine.runtime.start_process_by_key("bad_timer", {})
    [locked] = ops.engine.external_tasks.fetch_and_lock("w1", 1, [TopicRequest("first", 60_000)])
    completed = call(ops, "POST", f"/external-task/{locked.task.id}/complete", "worker", json={"workerId": "w1"})
    assert completed.status_code == 204
    [incident] = incidents(ops)
    assert incident["activityId"] == "Timer_wait" and incident["processInstanceId"] == instance.id
    assert ops.engine.external_tasks.list() == []


def test_moving_an_instance_away_from_its_failed_step_ends_the_incident(ops):
    instance_id = start_and_review(ops)
    [incident] = incidents(ops, processInstanceId=instance_id)
    moved = call(ops, "POST", f"/process-instance/{instance_id}/modification", json={"instructions": [
        {"type": "cancel", "activityId": incident["activityId"]},
        {"type": "startBeforeActivity", "activityId": "Task_review"}], "annotation": "làm lại bước xem xét"})
    assert moved.status_code == 204, moved.get_json()
    assert ops.engine.runtime.get_instance(instance_id).status == "active"
    assert incidents(ops, processInstanceId=instance_id) == []
    [task] = call(ops, "GET", f"/task?processInstanceId={instance_id}", "officer").get_json()
    assert task["taskDefinitionKey"] == "Task_review"
    assert ops.calls["count_once"] == 1  # nothing ran on the way back
