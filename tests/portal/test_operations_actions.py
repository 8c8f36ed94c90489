"""Vận hành's actions on an instance: retry an incident, suspend and activate, move to a step,
delete with the caller chain. Each asks to confirm, runs as the administrator, and a bad value
changes nothing."""
from __future__ import annotations

import pytest

from engine.runtime import IncidentQuery, InstanceQuery
from tests.portal.conftest import UNIT_A

FAILING = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D_fail"
                  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="score_fail" name="T\xc3\xadnh \xc4\x91i\xe1\xbb\x83m" isExecutable="true">
    <bpmn:startEvent id="Start_1"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start_1" targetRef="Script_score" />
    <bpmn:scriptTask id="Script_score" name="T\xc3\xadnh \xc4\x91i\xe1\xbb\x83m" scriptFormat="python">
      <bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
      <bpmn:script>score = base * 2</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Script_score" targetRef="Task_check" />
    <bpmn:userTask id="Task_check" name="Ki\xe1\xbb\x83m tra" camunda:candidateGroups="admin"
                   xmlns:camunda="http://camunda.org/schema/1.0/bpmn">
      <bpmn:incoming>F2</bpmn:incoming><bpmn:outgoing>F3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F3" sourceRef="Task_check" targetRef="End_1" />
    <bpmn:endEvent id="End_1"><bpmn:incoming>F3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def failed_instance(portal) -> tuple[str, object]:
    portal.engine.repository.deploy([("score_fail.bpmn", FAILING)])
    instance = portal.engine.runtime.start_process_by_key("score_fail", {}, actor="admin")
    [incident] = portal.engine.runtime.list_incidents(IncidentQuery(instance_id=instance.id))
    return instance.id, incident


def last_event(portal, instance_id, event_type):
    events = portal.engine.history.events(instance_id=instance_id, event_types=[event_type])
    assert events, event_type
    return events[-1]


def test_incidents_are_listed_with_their_stack_trace_and_a_retry_that_asks_to_confirm(portal_any_db):
    portal = portal_any_db
    instance_id, incident = failed_instance(portal)
    client = portal.login("admin")
    page = client.get("/operations/").get_data(as_text=True)
    assert f'data-incident="{incident.id}"' in page and "Tính điểm" in page and "<details" in page
    assert "NameError" in page and "Thử lại" in page
    assert f"/operations/instances/{instance_id}" in page
    instance_page = client.get(f"/operations/instances/{instance_id}").get_data(as_text=True)
    assert f'data-incident="{incident.id}"' in instance_page

    asked = client.post(f"/operations/instances/{instance_id}/retry", {"incident": incident.id})
    assert asked.status_code == 200 and 'data-action="retry"' in asked.get_data(as_text=True)
    assert portal.engine.runtime.count_incidents(IncidentQuery(instance_id=instance_id)) == 1  # not yet

    portal.engine.runtime.set_variables(instance_id, {"base": 21}, actor="admin")
    done = client.post(f"/operations/instances/{instance_id}/retry", {"incident": incident.id, "confirmed": "1"})
    assert done.status_code == 302
    assert portal.engine.runtime.count_incidents(IncidentQuery(instance_id=instance_id)) == 0
    assert portal.engine.runtime.get_variables(instance_id)["score"] == 42
    assert last_event(portal, instance_id, "job_retries").actor == "admin"


@pytest.mark.parametrize("incident", ["", "no-such-incident", "other-instance"])
def test_a_retry_of_an_incident_that_is_not_this_instances_is_refused(portal, incident):
    instance_id, found = failed_instance(portal)
    client = portal.login("admin")
    target = portal.units[UNIT_A] if incident == "other-instance" else instance_id
    sent = found.id if incident == "other-instance" else incident
    refused = client.post(f"/operations/instances/{target}/retry", {"incident": sent, "confirmed": "1"})
    assert refused.status_code == 400
    assert "Không có sự cố đang mở nào như vậy" in refused.get_data(as_text=True)
    assert portal.engine.runtime.count_incidents(IncidentQuery(instance_id=instance_id)) == 1


def test_suspending_and_activating_ask_to_confirm_and_are_in_the_history(portal_any_db):
    portal = portal_any_db
    client = portal.login("admin")
    instance_id = portal.units[UNIT_A]
    page = client.get(f"/operations/instances/{instance_id}").get_data(as_text=True)
    assert "Tạm dừng…" in page
    asked = client.post(f"/operations/instances/{instance_id}/suspend")
    assert asked.status_code == 200 and 'data-action="suspend"' in asked.get_data(as_text=True)
    assert not portal.engine.runtime.get_instance(instance_id).suspended

    assert client.post(f"/operations/instances/{instance_id}/suspend", {"confirmed": "1"}).status_code == 302
    assert portal.engine.runtime.get_instance(instance_id).suspended
    again = client.post(f"/operations/instances/{instance_id}/suspend", {"confirmed": "1"})
    assert again.status_code == 400 and "đang tạm dừng rồi" in again.get_data(as_text=True)
    page = client.get(f"/operations/instances/{instance_id}").get_data(as_text=True)
    assert 'id="operations-suspended"' in page and "Tiếp tục…" in page

    assert client.post(f"/operations/instances/{instance_id}/activate", {"confirmed": "1"}).status_code == 302
    assert not portal.engine.runtime.get_instance(instance_id).suspended
    refused = client.post(f"/operations/instances/{instance_id}/activate", {"confirmed": "1"})
    assert refused.status_code == 400 and "không ở trạng thái tạm dừng" in refused.get_data(as_text=True)
    events = portal.engine.history.events(instance_id=instance_id)
    assert [(e.event_type, e.actor) for e in events if e.event_type in ("suspend", "activate")] == [
        ("suspend", "admin"), ("activate", "admin")]


def test_moving_to_a_step_cancels_the_active_ones_and_starts_before_the_chosen_one(portal_any_db):
    portal = portal_any_db
    client = portal.login("admin")
    instance_id = portal.units[UNIT_A]
    page = client.get(f"/operations/instances/{instance_id}").get_data(as_text=True)
    assert '<option value="Task_nominate"' in page and "Bình xét, đề xuất khen thưởng" in page
    assert '<option value="Gateway_to_check"' not in page  # gateways and events are no steps

    asked = client.post(f"/operations/instances/{instance_id}/move", {"activity": "Task_nominate"})
    text = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Triển khai kế hoạch đến cán bộ, công chức" in text
    assert [a.element_id for a in portal.engine.runtime.progress(instance_id).active] == ["Task_deploy_plan"]

    done = client.post(f"/operations/instances/{instance_id}/move",
                       {"activity": "Task_nominate", "annotation": "Bỏ qua bước triển khai", "confirmed": "1"})
    assert done.status_code == 302
    assert [a.element_id for a in portal.engine.runtime.progress(instance_id).active] == ["Task_nominate"]
    assert last_event(portal, instance_id, "modification").actor == "admin"


@pytest.mark.parametrize("activity", ["", "Gateway_to_check", "Task_nowhere"])
def test_moving_to_something_that_is_no_step_of_the_process_is_refused(portal, activity):
    client = portal.login("admin")
    instance_id = portal.units[UNIT_A]
    refused = client.post(f"/operations/instances/{instance_id}/move", {"activity": activity, "confirmed": "1"})
    assert refused.status_code == 400 and "Hãy chọn một bước" in refused.get_data(as_text=True)
    assert [a.element_id for a in portal.engine.runtime.progress(instance_id).active] == ["Task_deploy_plan"]


def test_deleting_a_unit_with_cascade_says_so_and_takes_the_campaign_along(portal):
    client = portal.login("admin")
    instance_id = portal.units[UNIT_A]
    plain = client.post(f"/operations/instances/{instance_id}/delete", {"reason": "Nhầm"}).get_data(as_text=True)
    assert "sẽ dừng do sự cố" in plain and "quy trình cha" not in plain
    asked = client.post(f"/operations/instances/{instance_id}/delete", {"reason": "Nhầm", "cascade": "1"})
    text = asked.get_data(as_text=True)
    assert "quy trình cha" in text and 'name="cascade" value="1"' in text
    done = client.post(f"/operations/instances/{instance_id}/delete",
                       {"reason": "Nhầm", "cascade": "1", "confirmed": "1"})
    assert done.status_code == 302
    left = {i.id for i in portal.engine.runtime.list_instances(InstanceQuery(limit=None))}
    assert instance_id not in left and portal.campaign_id not in left


def test_deleting_a_unit_without_cascade_leaves_the_campaign_in_an_incident(portal):
    client = portal.login("admin")
    instance_id = portal.units[UNIT_A]
    done = client.post(f"/operations/instances/{instance_id}/delete", {"reason": "Nhầm", "confirmed": "1"})
    assert done.status_code == 302
    assert portal.engine.runtime.count_incidents(IncidentQuery(instance_id=portal.campaign_id)) == 1


@pytest.mark.parametrize("user", ["designer", "officer", "head_a", "chief"])
def test_non_admins_cannot_retry_suspend_or_move(portal, user):
    instance_id, incident = failed_instance(portal)
    client = portal.login(user)
    unit = portal.units[UNIT_A]
    assert client.post(f"/operations/instances/{instance_id}/retry",
                       {"incident": incident.id, "confirmed": "1"}).status_code == 403
    assert client.post(f"/operations/instances/{unit}/suspend", {"confirmed": "1"}).status_code == 403
    assert client.post(f"/operations/instances/{unit}/move",
                       {"activity": "Task_nominate", "confirmed": "1"}).status_code == 403
    assert portal.engine.runtime.count_incidents(IncidentQuery(instance_id=instance_id)) == 1
    assert not portal.engine.runtime.get_instance(unit).suspended
    assert [a.element_id for a in portal.engine.runtime.progress(unit).active] == ["Task_deploy_plan"]


def test_an_incident_annotation_asks_to_confirm_and_is_in_the_history(portal):
    instance_id, incident = failed_instance(portal)
    client = portal.login("admin")
    asked = client.post(f"/operations/instances/{instance_id}/annotate",
                        {"incident": incident.id, "annotation": "Chờ phòng TCHCQT bổ sung điểm gốc"})
    assert asked.status_code == 200 and 'data-action="annotate"' in asked.get_data(as_text=True)
    assert portal.engine.runtime.get_incident(incident.id).annotation is None
    done = client.post(f"/operations/instances/{instance_id}/annotate",
                       {"incident": incident.id, "annotation": "Chờ phòng TCHCQT bổ sung điểm gốc", "confirmed": "1"})
    assert done.status_code == 302
    assert portal.engine.runtime.get_incident(incident.id).annotation == "Chờ phòng TCHCQT bổ sung điểm gốc"
    assert last_event(portal, instance_id, "incident_annotation").actor == "admin"
    assert "Chờ phòng TCHCQT bổ sung điểm gốc" in client.get("/operations/").get_data(as_text=True)

    too_long = client.post(f"/operations/instances/{instance_id}/annotate",
                           {"incident": incident.id, "annotation": "x" * 4001, "confirmed": "1"})
    assert too_long.status_code == 400 and "tối đa 4000 ký tự" in too_long.get_data(as_text=True)
    assert portal.engine.runtime.get_incident(incident.id).annotation == "Chờ phòng TCHCQT bổ sung điểm gốc"


def test_moving_an_instance_past_its_failed_step_ends_the_incident(portal):
    """The failed step counts as active (the failed job's activity, as in Camunda): moving on to
    the next task skips it, resolves its incident and is in the history under the admin's name."""
    instance_id, incident = failed_instance(portal)
    client = portal.login("admin")
    done = client.post(f"/operations/instances/{instance_id}/move", {"activity": "Task_check", "confirmed": "1"})
    assert done.status_code == 302, done.get_data(as_text=True)
    assert [a.element_id for a in portal.engine.runtime.progress(instance_id).active] == ["Task_check"]
    assert portal.engine.runtime.list_incidents(IncidentQuery(instance_id=instance_id)) == []
    assert portal.engine.runtime.get_instance(instance_id).status == "active"
    assert last_event(portal, instance_id, "modification").actor == "admin"
