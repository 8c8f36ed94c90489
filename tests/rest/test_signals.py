"""POST /signal as Camunda 7 answers it, driven by pycamunda (its signal call) and plain HTTP, and signal
throw events inside a process, on models as Camunda Modeler draws them (bpmn:signal, signalRef, DI).

One signal, ket_thuc_dot, is caught by an intermediate event (signal_catch), interrupts a user task
through a boundary event (signal_boundary), starts signal_start, and is thrown by signal_throw.
"""
from __future__ import annotations

import pycamunda.signal

from tests.rest.events_support import deploy_event_models, open_tasks, post, progress, subscriptions, waiting_at
from tests.rest.test_real_clients import as_user

SIGNAL = "ket_thuc_dot"


def started(engine, key: str) -> list[str]:
    return [i.id for i in engine.runtime.list_instances() if i.definition_key == key]


def waiting_instances(office):
    deploy_event_models(office.engine, "signal_catch.bpmn", "signal_boundary.bpmn", "signal_start.bpmn",
                        "signal_throw.bpmn")
    start = office.engine.runtime.start_process_by_key
    catching = [start("signal_catch", {"unit": "tchcqt"}, actor="officer").id for _ in range(2)]
    boundary = start("signal_boundary", {"unit": "tchcqt"}, actor="officer").id
    return catching, boundary


def test_a_signal_reaches_every_waiting_instance_and_starts_its_processes(office, live_server):
    catching, boundary = waiting_instances(office)
    assert sorted(a for _, _, a, _ in subscriptions(office, eventType="signal")) == [
        "Boundary_dong", "Catch_ket_thuc", "Catch_ket_thuc", "Start_ket_thuc"]

    request = pycamunda.signal.EventAll(url=live_server, name=SIGNAL)
    request.add_variable("dot", "2025", type_="String")
    assert as_user(request, "officer")() is None  # 204, no body

    for instance in catching:
        assert open_tasks(office.engine, instance) == ["Task_tong_hop"]
        assert office.engine.runtime.get_variables(instance)["dot"] == "2025"
    status, _, done = progress(office.engine, boundary)
    assert status == "completed" and "End_qua_han" in done and "Task_nop" not in done
    [new] = started(office.engine, "signal_start")
    assert open_tasks(office.engine, new) == ["Task_bao_cao"]
    assert office.engine.runtime.get_variables(new) == {"dot": "2025"}
    # Only the start event still listens.
    assert subscriptions(office, eventType="signal") == [("signal", SIGNAL, "Start_ket_thuc", None)]


def test_a_signal_thrown_inside_a_process_reaches_the_others_in_the_same_step(office):
    catching, boundary = waiting_instances(office)
    thrower = office.engine.runtime.start_process_by_key("signal_throw", {"unit": "tchcqt"}, actor="officer").id
    [task] = [t for t in office.engine.tasks.list() if t.row.instance_id == thrower]
    office.engine.tasks.complete(task.id, actor="officer")

    assert progress(office.engine, thrower)[0] == "completed"
    assert [open_tasks(office.engine, i) for i in catching] == [["Task_tong_hop"], ["Task_tong_hop"]]
    assert progress(office.engine, boundary)[0] == "completed"
    assert len(started(office.engine, "signal_start")) == 1
    # The throw passes none of the thrower's variables, as in Camunda.
    assert "unit" not in office.engine.runtime.get_variables(started(office.engine, "signal_start")[0])
    events = office.engine.history.events(instance_id=catching[0], event_types=["signal"], limit=None)
    assert [(e.element_id, e.actor) for e in events] == [("Catch_ket_thuc", "officer")]


def test_a_signal_nobody_waits_for_is_no_error(office):
    response = post(office, "signal", {"name": "khong_ai_cho"})
    assert response.status_code == 204 and response.get_data() == b""


def test_bad_signal_requests_change_nothing(office):
    catching, _ = waiting_instances(office)
    for body, message in (({}, "No signal name given"), ({"name": ""}, "No signal name given"),
                          ({"name": SIGNAL, "executionId": "x"}, "executionId is not supported"),
                          ({"name": SIGNAL, "variables": {"dot": {"value": "x", "type": "Integer"}}}, None)):
        response = post(office, "signal", body)
        assert response.status_code == 400, body
        assert response.get_json()["type"] == "InvalidRequestException"
        if message:
            assert response.get_json()["message"].startswith(message)
    assert [waiting_at(office, i) for i in catching] == [["Catch_ket_thuc"], ["Catch_ket_thuc"]]
    assert started(office.engine, "signal_start") == []


def test_a_unit_signals_only_the_instances_it_sees(office):
    catching, boundary = waiting_instances(office)
    # head_a (tong_hop) does not see the tchcqt instances; the start event is theirs to fire.
    assert post(office, "signal", {"name": SIGNAL}, user="head_a").status_code == 204
    assert [waiting_at(office, i) for i in catching] == [["Catch_ket_thuc"], ["Catch_ket_thuc"]]
    assert waiting_at(office, boundary) == ["Boundary_dong"]
    assert len(started(office.engine, "signal_start")) == 1
    assert subscriptions(office, "head_a", eventType="signal") == [("signal", SIGNAL, "Start_ket_thuc", None)]
    response = office.client.get("/engine-rest/event-subscription/count", headers=office.auth("officer"),
                                 query_string={"eventType": "signal"})
    assert response.get_json() == {"count": 4}
    response = office.client.get("/engine-rest/event-subscription", headers=office.auth("officer"),
                                 query_string={"eventType": "compensate"})
    assert response.status_code == 400


def test_a_signal_that_keeps_starting_its_own_thrower_is_refused_and_changes_nothing(office):
    deploy_event_models(office.engine, "signal_loop.bpmn")
    response = post(office, "signal", {"name": "vong_lap"})
    assert response.status_code == 409
    body = response.get_json()
    assert body["type"] == "ProcessEngineException" and "keeps being thrown" in body["message"]
    assert started(office.engine, "signal_loop") == []
    assert office.engine.history.events(event_types=["start"], limit=None) == []
