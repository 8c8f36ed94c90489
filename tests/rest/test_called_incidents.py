"""Call activities and incidents: a called process not deployed yet, a called instance deleted.

The caller is never left waiting: it stops in a failedJob incident that a retry resolves (the
called process starts again), or with `cascade=true` it is deleted too.
"""
from __future__ import annotations

import io

import pytest

from engine import TaskQuery
from engine.runtime import InstanceQuery
from tests.conftest import fixture_bytes
from tests.rest.conftest import PASSWORD

R = "/engine-rest"
ADMIN = "quan_tri"
UNITS = ["tong_hop", "kinh_te"]


@pytest.fixture
def ops(office):
    office.engine.identity.ensure_group("admin", "admin", "role")
    office.engine.identity.create_user(ADMIN, "Quản trị", password=PASSWORD, groups=["admin"])
    return office


def call(office, method: str, path: str, user: str = ADMIN, **kwargs):
    return office.client.open(R + path, method=method, headers=office.auth(user), **kwargs)


def deploy(office, name: str) -> dict:
    response = call(office, "POST", "/deployment/create", "designer", content_type="multipart/form-data",
                    data={"deployment-name": name, name: (io.BytesIO(fixture_bytes(name)), name)})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def start_campaign(office) -> str:
    return office.engine.runtime.start_process_by_key(
        "parent_call", {"units": UNITS, "reviewDue": "2025-08-08"}, business_key="KH-05", actor="officer").id


def children_of(office, parent_id: str) -> list:
    return office.engine.runtime.list_instances(InstanceQuery(parent_instance_id=parent_id, limit=None))


def incident_of(office, instance_id: str) -> dict:
    [incident] = call(office, "GET", "/incident", query_string={"processInstanceId": instance_id}).get_json()
    return incident


def finish_children(office, parent_id: str) -> None:
    for score, child in enumerate(children_of(office, parent_id), start=60):
        for task in office.engine.tasks.list(TaskQuery(instance_id=child.id)):
            office.engine.tasks.complete(task.id, {"score": score, "approved": True}, actor="officer")


def test_call_to_a_process_not_deployed_yet(ops):
    deployment = deploy(ops, "parent_call.bpmn")
    assert [d["key"] for d in deployment["deployedProcessDefinitions"].values()] == ["parent_call"]
    [warning] = deployment["warnings"]
    assert (warning["elementId"], warning["calledElement"], warning["file"]) == ("Call_units", "approval",
                                                                                 "parent_call.bpmn")
    assert "approval" in warning["message"] and "not deployed" in warning["message"]
    parent_id = start_campaign(ops)
    assert ops.engine.runtime.get_instance(parent_id).status == "incident"
    incident = incident_of(ops, parent_id)
    assert incident["incidentType"] == "failedJob" and incident["activityId"] == "Call_units"
    assert "'approval'" in incident["incidentMessage"] and "not deployed" in incident["incidentMessage"]
    # Retrying before the process is deployed fails the same way: a new incident, same job.
    job = incident["configuration"]
    assert call(ops, "PUT", f"/job/{job}/retries", json={"retries": 1}).status_code == 204
    again = incident_of(ops, parent_id)
    assert again["id"] != incident["id"] and again["configuration"] == job
    assert "warnings" not in deploy(ops, "approval.bpmn")  # a clean deployment answers Camunda's keys only
    assert call(ops, "PUT", f"/job/{job}/retries", json={"retries": 1}).status_code == 204
    assert ops.engine.runtime.get_instance(parent_id).status == "active"
    assert call(ops, "GET", "/incident/count").get_json() == {"count": 0}
    assert sorted(c.unit for c in children_of(ops, parent_id)) == sorted(UNITS)
    finish_children(ops, parent_id)
    [consolidate] = ops.engine.tasks.list(TaskQuery(instance_id=parent_id))
    assert consolidate.element_id == "Task_consolidate"


def test_deleting_a_called_instance_stops_the_caller_in_an_incident(ops):
    ops.engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    ops.engine.repository.deploy([("parent_call.bpmn", fixture_bytes("parent_call.bpmn"))])
    parent_id = start_campaign(ops)
    doomed = next(c for c in children_of(ops, parent_id) if c.unit == "kinh_te")
    assert call(ops, "DELETE", f"/process-instance/{doomed.id}", "officer").status_code == 204
    assert call(ops, "GET", f"/process-instance/{doomed.id}", "officer").status_code == 404
    assert ops.engine.runtime.get_instance(parent_id).status == "incident"
    incident = incident_of(ops, parent_id)
    assert incident["activityId"] == "Call_units" and doomed.id in incident["incidentMessage"]
    assert "deleted" in incident["incidentMessage"]
    # The other unit's instance runs on; retrying starts the deleted unit's instance again.
    assert call(ops, "PUT", f"/job/{incident['configuration']}/retries", json={"retries": 1}).status_code == 204
    children = children_of(ops, parent_id)
    assert sorted(c.unit for c in children) == sorted(UNITS) and doomed.id not in {c.id for c in children}
    assert ops.engine.runtime.get_instance(parent_id).status == "active"
    finish_children(ops, parent_id)
    [consolidate] = ops.engine.tasks.list(TaskQuery(instance_id=parent_id))
    assert consolidate.element_id == "Task_consolidate"


def test_cascade_deletes_the_caller_too(ops):
    ops.engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    ops.engine.repository.deploy([("parent_call.bpmn", fixture_bytes("parent_call.bpmn"))])
    parent_id = start_campaign(ops)
    children = children_of(ops, parent_id)
    response = call(ops, "DELETE", f"/process-instance/{children[0].id}", "officer",
                    query_string={"cascade": "true", "deleteReason": "kế hoạch bị hủy"})
    assert response.status_code == 204
    for instance_id in [parent_id, *(c.id for c in children)]:
        assert call(ops, "GET", f"/process-instance/{instance_id}", "officer").status_code == 404
    assert call(ops, "GET", "/incident/count").get_json() == {"count": 0}
    [deleted] = ops.engine.history.events(instance_id=parent_id, event_types=["delete"])
    assert deleted.actor == "officer"
    assert call(ops, "DELETE", f"/process-instance/{children[1].id}", "officer").status_code == 404


def test_deleting_the_caller_deletes_what_it_called(ops):
    ops.engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    ops.engine.repository.deploy([("parent_call.bpmn", fixture_bytes("parent_call.bpmn"))])
    parent_id = start_campaign(ops)
    children = children_of(ops, parent_id)
    assert call(ops, "DELETE", f"/process-instance/{parent_id}", "officer").status_code == 204
    assert ops.engine.runtime.count_instances(InstanceQuery(instance_ids=[c.id for c in children])) == 0
