"""Suspending and activating process instances and definitions, against Camunda 7's REST reference.

pycamunda drives the calls it has (processinst.Suspend / Activate / Get, processdef.Suspend /
Activate / GetList) over a live socket; the refusals go over the Flask test client with the whole
database counted before and after. The engine runs on a clock the tests move, so that a timer
falls due while its instance is suspended. Every test runs on SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pycamunda.processdef
import pycamunda.processinst
import pycamunda.task
import pytest
import requests

from engine import EngineConfig, ProcessEngine, TaskQuery
from engine.runtime import TopicRequest
from tests.conftest import FakeClock, fixture_bytes
from tests.reliability.authorization_seed import EXTERNAL_BPMN
from tests.rest.test_real_clients import as_user, basic
from tests.rest.test_refusals import refused, row_counts
from tests.test_task_checks import checked_model

R = "/engine-rest"
ADMIN = "quan_tri"
SUSPENDED = "SuspendedEntityInteractionException"
START = datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def engine(database_url, handlers, clock):
    """The suite's engine on a clock the test moves."""
    process_engine = ProcessEngine(EngineConfig(database_url=database_url, clock=clock), handlers=handlers)
    yield process_engine
    process_engine.close()


@pytest.fixture
def admin(office) -> str:
    from tests.rest.conftest import PASSWORD
    office.engine.identity.ensure_group("admin", "admin", "role")
    office.engine.identity.create_user(ADMIN, "Quản trị hệ thống", password=PASSWORD, groups=["admin"])
    return ADMIN


def call(office, method: str, path: str, user: str = ADMIN, **kwargs):
    return getattr(office.client, method)(R + path, headers=office.auth(user), **kwargs)


def unit_instance(office):
    """An instance of the tong_hop unit at its first step, and that step's task."""
    office.engine.repository.deploy([("unit_steps.bpmn", fixture_bytes("unit_steps.bpmn"))])
    instance = office.engine.runtime.start_process_by_key("unit_steps", {"submissions": 0, "unit": "tong_hop"},
                                                          actor="officer")
    [task] = office.engine.tasks.list(TaskQuery(instance_id=instance.id))
    return instance, task


def events(office, instance_id: str, *types: str) -> list[tuple]:
    return [(e.event_type, e.actor) for e in office.engine.history.events(instance_id=instance_id,
                                                                         event_types=list(types))]


def test_a_suspended_instance_refuses_completion_and_claim_until_activated(office, admin, live_server):
    instance, task = unit_instance(office)
    assert as_user(pycamunda.processinst.Suspend(url=live_server, id_=instance.id), admin)() is None  # 204

    got = as_user(pycamunda.processinst.Get(url=live_server, id_=instance.id), "officer")()
    assert got.suspended is True
    assert as_user(pycamunda.task.Get(url=live_server, id_=task.id), "head_a")().suspended is True
    other = office.engine.runtime.start_process_by_key("unit_steps", {"submissions": 0, "unit": "tong_hop"})
    listed = as_user(pycamunda.processinst.GetList(url=live_server, suspended=True), "officer")()
    assert [i.id_ for i in listed] == [instance.id]
    assert [i["id"] for i in call(office, "get", "/process-instance?active=true").get_json()] == [other.id]
    assert [t["id"] for t in call(office, "get", "/task?suspended=true").get_json()] == [task.id]
    assert [t["processInstanceId"] for t in call(office, "get", "/task?active=true").get_json()] == [other.id]
    assert call(office, "get", "/task/count?suspended=true&active=true").status_code == 400
    body = refused(office, "post", f"{R}/task/{task.id}/complete", "head_a", 400, SUSPENDED, json={})
    assert body["message"] == (f"completing task '{task.id}' is refused: process instance '{instance.id}' "
                               "is suspended")
    body = refused(office, "post", f"{R}/task/{task.id}/claim", "head_a", 400, SUSPENDED,
                   json={"userId": "head_a"})
    assert "suspended" in body["message"]
    # Suspending again changes nothing and is no error, as in Camunda.
    assert call(office, "put", f"/process-instance/{instance.id}/suspended", json={"suspended": True}).status_code \
        == 204

    assert as_user(pycamunda.processinst.Activate(url=live_server, id_=instance.id), admin)() is None
    assert as_user(pycamunda.processinst.Get(url=live_server, id_=instance.id), "officer")().suspended is False
    assert call(office, "post", f"/task/{task.id}/claim", "head_a", json={"userId": "head_a"}).status_code == 204
    assert call(office, "post", f"/task/{task.id}/complete", "head_a", json={}).status_code == 204
    assert [t.element_id for t in office.engine.tasks.list(TaskQuery(instance_id=instance.id))] == ["Task_review"]
    assert events(office, instance.id, "suspend", "activate") == [("suspend", ADMIN), ("activate", ADMIN)]


def test_the_task_service_refuses_too(office, admin):
    instance, task = unit_instance(office)
    office.engine.runtime.suspend_instance(instance.id, actor=admin)
    from engine.errors import SuspendedEntityError
    with pytest.raises(SuspendedEntityError):
        office.engine.tasks.complete(task.id, {}, actor="head_a")
    with pytest.raises(SuspendedEntityError):
        office.engine.tasks.claim(task.id, "head_a")
    assert office.engine.tasks.get(task.id).suspended
    office.engine.runtime.activate_instance(instance.id, actor=admin)
    office.engine.tasks.complete(task.id, {}, actor="head_a")


def test_timers_wait_while_suspended_and_an_overdue_one_fires_after_activation(office, admin, clock):
    instance, task = unit_instance(office)
    office.engine.tasks.complete(task.id, {}, actor="head_a")
    [review] = office.engine.tasks.list(TaskQuery(instance_id=instance.id))
    office.engine.tasks.complete(review.id, {}, actor="head_a")
    due = office.engine.runtime.get_instance(instance.id).next_timer_at
    assert due == START + timedelta(hours=1)
    assert call(office, "put", f"/process-instance/{instance.id}/suspended", json={"suspended": True}).status_code \
        == 204

    clock.now = START + timedelta(hours=3)
    assert office.engine.runtime.fire_due_timers() == 0
    assert office.engine.tasks.list(TaskQuery(instance_id=instance.id)) == []
    assert call(office, "put", f"/process-instance/{instance.id}/suspended", json={"suspended": False}).status_code \
        == 204
    assert office.engine.runtime.fire_due_timers() == 1
    assert [t.element_id for t in office.engine.tasks.list(TaskQuery(instance_id=instance.id))] == ["Task_approve"]


def test_external_tasks_of_a_suspended_instance_are_not_fetched(office, admin):
    office.engine.repository.deploy([("matrix_external.bpmn", EXTERNAL_BPMN)])
    instance = office.engine.runtime.start_process_by_key("matrix_external", {})
    office.engine.runtime.suspend_instance(instance.id, actor=admin)
    request = [TopicRequest("matrix", 60_000)]
    assert office.engine.external_tasks.fetch_and_lock("w", 5, request) == []
    office.engine.runtime.activate_instance(instance.id, actor=admin)
    [locked] = office.engine.external_tasks.fetch_and_lock("w", 5, request)
    assert locked.task.instance_id == instance.id


def test_reminders_wait_while_suspended(office, admin):
    office.engine.identity.create_user("nhac_viec", "Người nhận nhắc", email="nhac@example.vn", groups=["tchcqt"])
    office.engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    instance = office.engine.runtime.start_process_by_key("approval", {"reviewDue": "2026-03-20"})
    at = datetime(2026, 3, 19, 9, 0, tzinfo=timezone.utc)  # a day before the deadline
    assert office.engine.reminders.dry_run(at)
    office.engine.runtime.suspend_instance(instance.id, actor=admin)
    assert office.engine.reminders.dry_run(at) == []
    office.engine.runtime.activate_instance(instance.id, actor=admin)
    assert office.engine.reminders.dry_run(at)


def test_a_suspension_while_a_completion_is_under_way_makes_the_completion_409(office, admin, handlers,
                                                                               live_server):
    def admin_suspends(ctx):
        # Inside the completion's transaction, after it read the instance: a real second request.
        answer = requests.put(f"{live_server}/process-instance/{ctx.instance_id}/suspended",
                              json={"suspended": True}, auth=basic(admin), timeout=10)
        assert answer.status_code == 204, answer.text

    handlers.register_check("admin_suspends", admin_suspends)
    office.engine.repository.deploy([("checked.bpmn", checked_model("admin_suspends", "", "tchcqt"))])
    instance = office.engine.runtime.start_process_by_key("checked", {"limit": 1})
    [task] = office.engine.tasks.list(TaskQuery(instance_id=instance.id))
    response = call(office, "post", f"/task/{task.id}/complete", "officer", json={})
    assert response.status_code == 409 and response.get_json()["type"] == "OptimisticLockingException"
    assert office.engine.runtime.get_instance(instance.id).suspended
    assert [t.id for t in office.engine.tasks.list(TaskQuery(instance_id=instance.id))] == [task.id]


# -- definitions ---------------------------------------------------------------------------------

def test_a_suspended_definition_starts_nothing_and_can_take_its_instances_along(office, admin, live_server):
    instance, _ = unit_instance(office)
    suspend = pycamunda.processdef.Suspend(url=live_server, key="unit_steps", include_process_instances=True)
    assert as_user(suspend, admin)() is None
    [definition] = as_user(pycamunda.processdef.GetList(url=live_server, key="unit_steps"), "officer")()
    assert definition.suspended is True
    assert office.engine.runtime.get_instance(instance.id).suspended
    body = refused(office, "post", f"{R}/process-definition/key/unit_steps/start", "officer", 400, SUSPENDED,
                   json={"variables": {"submissions": {"value": 0, "type": "Integer"}}})
    assert body["message"] == (f"process definition '{definition.id_}' is suspended: it starts no instance "
                               "until it is activated")

    # Activating the definition alone leaves its instances suspended, as Camunda does.
    assert as_user(pycamunda.processdef.Activate(url=live_server, id_=definition.id_), admin)() is None
    assert office.engine.runtime.get_instance(instance.id).suspended
    started = call(office, "post", "/process-definition/key/unit_steps/start", "officer",
                   json={"variables": {"submissions": {"value": 0, "type": "Integer"}}})
    assert started.status_code == 200 and started.get_json()["suspended"] is False
    assert call(office, "put", f"/process-definition/{definition.id_}/suspended",
                json={"suspended": False, "includeProcessInstances": True}).status_code == 204
    assert not office.engine.runtime.get_instance(instance.id).suspended
    kinds = [e.event_type for e in office.engine.history.events(event_types=[
        "definition_suspend", "definition_activate", "suspend", "activate"])]
    assert kinds == ["suspend", "definition_suspend", "definition_activate", "activate", "definition_activate"]


TIMER_START = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D_hourly" targetNamespace="t">
  <bpmn:process id="hourly_report" isExecutable="true">
    <bpmn:startEvent id="Start_hourly"><bpmn:outgoing>F1</bpmn:outgoing>
      <bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start_hourly" targetRef="Task_read" />
    <bpmn:userTask id="Task_read"><bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Task_read" targetRef="End_1" />
    <bpmn:endEvent id="End_1"><bpmn:incoming>F2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_suspended_definitions_timer_start_waits(office, admin, clock):
    office.engine.repository.deploy([("hourly_report.bpmn", TIMER_START)])
    assert call(office, "put", "/process-definition/key/hourly_report/suspended",
                json={"suspended": True}).status_code == 204
    clock.now = START + timedelta(hours=5)
    assert office.engine.runtime.fire_due_timer_starts() == 0
    office.engine.repository.activate_definitions_by_key("hourly_report", actor=admin)
    # The hours missed while suspended are folded into one start, as after a stop of the service.
    assert office.engine.runtime.fire_due_timer_starts() == 1
    assert office.engine.runtime.fire_due_timer_starts() == 0


# -- refusals ------------------------------------------------------------------------------------

def test_only_administrators_and_only_what_they_see(office, admin):
    instance, _ = unit_instance(office)
    body = refused(office, "put", f"{R}/process-instance/{instance.id}/suspended", "officer", 403,
                   "AuthorizationException", json={"suspended": True})
    assert "only administrators" in body["message"]
    refused(office, "put", f"{R}/process-instance/{instance.id}/suspended", "staff_b", 404,
            "InvalidRequestException", json={"suspended": True})
    refused(office, "put", f"{R}/process-definition/key/unit_steps/suspended", "designer", 403,
            "AuthorizationException", json={"suspended": True})


@pytest.mark.parametrize("path, body", [
    ("/process-instance/{id}/suspended", {}),
    ("/process-instance/{id}/suspended", {"suspended": "yes"}),
    ("/process-definition/key/unit_steps/suspended",
     {"suspended": True, "executionDate": "2026-03-05T08:00:00.000+0700"}),
    ("/process-definition/key/unit_steps/suspended", {"suspended": True, "includeProcessInstances": 1}),
], ids=["no-flag", "text-flag", "execution-date", "include-not-boolean"])
def test_bad_bodies_are_400_and_change_nothing(office, admin, path, body):
    instance, _ = unit_instance(office)
    refused(office, "put", R + path.format(id=instance.id), admin, 400, "InvalidRequestException", json=body)


def test_unknown_and_ended_objects_are_404(office, admin):
    office.engine.repository.deploy([("units_multi.bpmn", fixture_bytes("units_multi.bpmn"))])
    ended = office.engine.runtime.start_process_by_key("units_multi", {"units": []})
    assert office.engine.runtime.get_instance(ended.id).status == "completed"
    before = row_counts(office.engine)
    for path in (f"/process-instance/{ended.id}/suspended", "/process-instance/khong-co/suspended",
                 "/process-definition/khong-co:1:x/suspended", "/process-definition/key/khong-co/suspended"):
        response = call(office, "put", path, json={"suspended": True})
        assert response.status_code == 404, (path, response.get_json())
        assert response.get_json()["type"] == "InvalidRequestException"
    assert row_counts(office.engine) == before
