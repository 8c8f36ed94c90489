"""Suspension across call activities: a suspended caller waits for its called instance's result,
and a suspended called process is not started (the call activity opens an incident)."""
from __future__ import annotations

import pytest

from engine import TaskQuery
from engine.errors import SuspendedEntityError
from tests.conftest import fixture_bytes
from tests.test_called_instances import children_of, start_campaign


def test_a_called_instance_cannot_end_into_a_suspended_caller_until_it_is_activated(engine):
    parent = start_campaign(engine, ["tong_hop"])
    [child] = children_of(engine, parent.id)
    [task] = engine.tasks.list(TaskQuery(instance_id=child.id))
    engine.runtime.suspend_instance(parent.id, actor="admin")
    with pytest.raises(SuspendedEntityError, match="is suspended"):
        engine.tasks.complete(task.id, {"score": 90}, actor="officer")
    assert engine.runtime.get_instance(child.id).status == "active"
    assert engine.tasks.list(TaskQuery(instance_id=parent.id)) == []

    engine.runtime.activate_instance(parent.id, actor="admin")
    engine.tasks.complete(task.id, {"score": 90}, actor="officer")
    assert engine.runtime.get_instance(child.id).status == "completed"
    assert [t.element_id for t in engine.tasks.list(TaskQuery(instance_id=parent.id))] == ["Task_consolidate"]


def test_a_call_activity_of_a_suspended_process_is_an_incident(engine):
    engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn")),
                              ("parent_call.bpmn", fixture_bytes("parent_call.bpmn"))])
    engine.repository.suspend_definitions_by_key("approval", actor="admin")
    parent = engine.runtime.start_process_by_key("parent_call", {"units": ["a"], "reviewDue": "2025-08-08"})
    assert parent.status == "incident" and parent.incident_element_id == "Call_units"
    assert "is suspended" in parent.incident_message


def test_messages_and_signals_pass_a_suspended_instance_and_definition_by(engine):
    from engine.runtime import MessageCorrelationError
    engine.repository.deploy([("signal_catch.bpmn", fixture_bytes("events/signal_catch.bpmn")),
                              ("signal_start.bpmn", fixture_bytes("events/signal_start.bpmn")),
                              ("message_events.bpmn", fixture_bytes("events/message_events.bpmn"))])
    waiting = engine.runtime.start_process_by_key("signal_catch", {})
    on_message = engine.runtime.start_process_by_key("message_events", {}, business_key="HS-01")
    engine.runtime.suspend_instance(waiting.id, actor="admin")
    engine.runtime.suspend_instance(on_message.id, actor="admin")
    engine.repository.suspend_definitions_by_key("signal_start", actor="admin")

    assert engine.runtime.broadcast_signal("ket_thuc_dot", actor="chief") == 0
    with pytest.raises(MessageCorrelationError):
        engine.runtime.correlate_message("bo_sung", business_key="HS-01", actor="chief")
    revision = engine.runtime.get_instance(waiting.id).revision

    engine.runtime.activate_instance(waiting.id, actor="admin")
    engine.repository.activate_definitions_by_key("signal_start", actor="admin")
    assert engine.runtime.broadcast_signal("ket_thuc_dot", actor="chief") == 2
    assert engine.runtime.get_instance(waiting.id).revision > revision + 1
