"""Shared by the message and signal tests: the Modeler-drawn models and a few HTTP helpers."""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState

from engine import TaskQuery
from tests.conftest import fixture_bytes

EVENT_MODELS = ("message_events.bpmn", "message_start.bpmn", "signal_catch.bpmn", "signal_boundary.bpmn",
                "signal_start.bpmn", "signal_throw.bpmn")


def deploy_event_models(engine, *names: str) -> None:
    engine.repository.deploy([(name, fixture_bytes(f"events/{name}")) for name in names or EVENT_MODELS])


def open_tasks(engine, instance_id: str) -> list[str]:
    return sorted(t.row.element_id for t in engine.tasks.list(TaskQuery(instance_id=instance_id)))


def subscriptions(office, user: str = "officer", **params) -> list[tuple]:
    response = office.client.get("/engine-rest/event-subscription", query_string=params, headers=office.auth(user))
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted((s["eventType"], s["eventName"], s["activityId"], s["processInstanceId"]) for s in response.get_json())


def post(office, path: str, body: dict, user: str = "officer"):
    return office.client.post(f"/engine-rest/{path}", json=body, headers=office.auth(user))


def progress(engine, instance_id: str) -> tuple[str, list[str], set[str]]:
    """(status, elements active now, elements that ran to their end) of an instance."""
    seen = engine.runtime.progress(instance_id)
    with engine.context.db.connect() as conn:
        workflow = engine.context.load(conn, instance_id).workflow
    done = {t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED) if t.task_spec.bpmn_id}
    return seen.status, seen.active_ids, done


def waiting_at(office, instance_id: str) -> list[str]:
    """The elements the instance waits at for a message or signal."""
    return [activity for _, _, activity, _ in subscriptions(office, processInstanceId=instance_id)]
