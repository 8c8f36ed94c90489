"""GET /history/detail and its count, compared with Camunda 7's REST reference: the variable updates
of a process instance (its start variables, a completed task's values, an operator's changes and
deletions), oldest first, with revisions, filters, sorting, paging and what a unit may see."""
from __future__ import annotations

from engine import TaskQuery
from tests.conftest import fixture_bytes

R = "/engine-rest"


def get(office, url: str, user: str = "officer"):
    response = office.client.get(R + url, headers=office.auth(user))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def started(office):
    office.engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    instance = office.engine.runtime.start_process_by_key("approval", {"reviewDue": "2025-08-08", "unit": "kinh_te"},
                                                          actor="staff_b")
    [task] = office.engine.tasks.list(TaskQuery(instance_id=instance.id))
    office.engine.tasks.claim(task.id, "officer")
    office.engine.tasks.complete(task.id, {"score": 90}, actor="officer")
    return instance, task


def test_variable_updates_of_an_instance(office):
    instance, task = started(office)
    details = get(office, f"/history/detail?processInstanceId={instance.id}&variableUpdates=true")
    # The start's variables, then the task form's values (its defaults filled in).
    assert [(d["variableName"], d["value"], d["revision"]) for d in details] == [
        ("reviewDue", "2025-08-08", 0), ("unit", "kinh_te", 0), ("approved", False, 0), ("comment", None, 0),
        ("score", 90, 0)]
    first, score = details[0], details[-1]
    assert first["type"] == "variableUpdate" and first["variableType"] == "String"
    assert first["processDefinitionKey"] == "approval" and first["processInstanceId"] == instance.id
    assert first["activityInstanceId"] == instance.id and first["taskId"] is None
    assert first["variableInstanceId"] == f"{instance.id}:reviewDue" and first["removalTime"] is None
    assert first["userOperationId"] is None and first["valueInfo"] == {} and first["userId"] == "staff_b"
    assert score["taskId"] == task.id and score["activityInstanceId"].endswith(f":{task.id}")
    assert score["variableType"] == "Integer" and score["userId"] == "officer"
    assert get(office, f"/history/detail/count?processInstanceId={instance.id}") == {"count": 5}
    assert [d["variableName"] for d in get(office, f"/history/detail?taskId={task.id}")] == [
        "approved", "comment", "score"]
    assert get(office, "/history/detail?occurredBefore=2000-01-01T00:00:00.000%2B0000") == []


def test_operator_changes_and_filters(office):
    office.engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    instance = office.engine.runtime.start_process_by_key("approval", {"reviewDue": "2025-08-08", "unit": "kinh_te"},
                                                          actor="staff_b")
    headers = office.auth("officer")
    assert office.client.put(R + f"/process-instance/{instance.id}/variables/reviewDue", headers=headers,
                             json={"value": "2025-09-01", "type": "String"}).status_code == 204
    assert office.client.delete(R + f"/process-instance/{instance.id}/variables/unit",
                                headers=headers).status_code == 204
    details = get(office, f"/history/detail?processInstanceId={instance.id}&variableInstanceId="
                          f"{instance.id}:reviewDue")
    assert [(d["value"], d["revision"], d["userId"]) for d in details] == [
        ("2025-08-08", 0, "staff_b"), ("2025-09-01", 1, "officer")]
    [removed] = get(office, f"/history/detail?processInstanceId={instance.id}&variableInstanceId={instance.id}:unit"
                            "&sortBy=variableRevision&sortOrder=desc&maxResults=1")
    assert removed["revision"] == 1 and removed["value"] is None and removed["variableType"] == "Null"
    # A time filter leaves the revisions as counted over the whole history.
    later = get(office, f"/history/detail?processInstanceId={instance.id}&occurredAfter="
                        f"{removed['time'].replace('+', '%2B')}&sortBy=variableName&sortOrder=asc")
    assert [(d["variableName"], d["revision"]) for d in later][-1] == ("unit", 1)
    by_name = get(office, f"/history/detail?processInstanceId={instance.id}&sortBy=variableName&sortOrder=asc")
    assert [d["variableName"] for d in by_name] == ["reviewDue", "reviewDue", "unit", "unit"]
    assert len(get(office, f"/history/detail?processInstanceId={instance.id}&firstResult=3")) == 1
    assert get(office, f"/history/detail?processInstanceId={instance.id}&formFields=true") == []


def test_what_a_unit_sees_and_bad_queries(office):
    instance, _ = started(office)
    assert get(office, "/history/detail/count", user="staff_b") == {"count": 5}
    assert get(office, f"/history/detail?processInstanceId={instance.id}", user="head_a") == []
    for query in ("sortBy=time", "sortBy=nonsense&sortOrder=asc", "occurredAfter=later", "firstResult=-2",
                  "variableUpdates=perhaps"):
        response = office.client.get(R + f"/history/detail?{query}", headers=office.auth("officer"))
        assert response.status_code == 400, query
        assert response.get_json()["type"] == "InvalidRequestException"
