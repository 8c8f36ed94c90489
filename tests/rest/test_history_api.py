"""What /history shows of a finished instance, and where Camunda Modeler finds the web apps."""
from __future__ import annotations

from engine import TaskQuery
from tests.conftest import fixture_bytes


def test_history_of_a_finished_instance(office):
    office.engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    instance = office.engine.runtime.start_process_by_key("approval", {"reviewDue": "2025-08-08"},
                                                          business_key="KH-05", actor="designer")
    [task] = office.engine.tasks.list(TaskQuery(instance_id=instance.id))
    office.engine.tasks.claim(task.id, "officer")
    office.engine.tasks.complete(task.id, {"score": 90}, actor="officer")

    headers = office.auth("officer")
    [historic] = office.client.get(f"/engine-rest/history/process-instance?processInstanceId={instance.id}",
                                   headers=headers).get_json()
    assert historic["state"] == "COMPLETED" and historic["businessKey"] == "KH-05"
    assert historic["processDefinitionKey"] == "approval" and historic["endTime"] is not None
    [historic_task] = office.client.get(f"/engine-rest/history/task?processInstanceId={instance.id}",
                                        headers=headers).get_json()
    assert historic_task["assignee"] == "officer" and historic_task["taskDefinitionKey"] == "Task_review"
    assert historic_task["endTime"] is not None and historic_task["deleteReason"] == "completed"
    activities = office.client.get(f"/engine-rest/history/activity-instance?processInstanceId={instance.id}",
                                   headers=headers).get_json()
    [user_task] = [a for a in activities if a["activityType"] == "userTask"]
    assert user_task["activityId"] == "Task_review" and user_task["taskId"] == task.id
    assert user_task["assignee"] == "officer" and user_task["endTime"] is not None
    # Another unit's member does not see this history at all.
    assert office.client.get(f"/engine-rest/history/task?processInstanceId={instance.id}",
                             headers=office.auth("staff_b")).get_json() == []


def test_webapps_discovery(office):
    response = office.client.get("/.well-known/camunda-automation-platform/webapps")
    assert response.status_code == 200
    body = response.get_json()
    assert body["tasklist"].startswith("http://localhost") and body["cockpit"] == body["tasklist"]
