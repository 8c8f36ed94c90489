"""External workers: fetch and lock by topic, complete, fail with retries, incident when none are left."""
from __future__ import annotations

import pytest

from engine import TaskQuery
from engine.errors import InvalidStateError
from engine.runtime.external_tasks import TopicRequest
from tests.conftest import fixture_bytes

ELIGIBLE = {"referenceYear": 2025, "startYear": 2000, "rating": "excellent"}


def start_full(engine):
    engine.repository.deploy([("full_cycle.bpmn", fixture_bytes("full_cycle.bpmn")),
                              ("rules_check.dmn", fixture_bytes("rules_check.dmn"))])
    return engine.runtime.start_process_by_key("full_cycle", ELIGIBLE)


def test_fetch_lock_complete(engine):
    instance = start_full(engine)
    [locked] = engine.external_tasks.fetch_and_lock("w1", 5, [TopicRequest("notify", 60_000)])
    assert locked.task.topic == "notify" and locked.variables["reason"] == "Đủ điều kiện"
    # Locked: another worker gets nothing, and cannot complete it.
    assert engine.external_tasks.fetch_and_lock("w2", 5, [TopicRequest("notify", 60_000)]) == []
    with pytest.raises(InvalidStateError):
        engine.external_tasks.complete(locked.task.id, "w2", {})
    engine.external_tasks.complete(locked.task.id, "w1", {"sent": True})
    assert engine.external_tasks.list() == []
    after = engine.runtime.get_instance(instance.id)
    assert after.status == "active" and after.next_timer_at is not None
    assert engine.runtime.get_variables(instance.id)["sent"] is True


def test_only_requested_variables_and_other_topics(engine):
    start_full(engine)
    assert engine.external_tasks.fetch_and_lock("w1", 5, [TopicRequest("other", 1000)]) == []
    [locked] = engine.external_tasks.fetch_and_lock("w1", 5, [TopicRequest("notify", 1000, ("rating",))])
    assert locked.variables == {"rating": "excellent"}


def test_failure_with_retries_then_incident(engine):
    instance = start_full(engine)
    [locked] = engine.external_tasks.fetch_and_lock("w1", 1, [TopicRequest("notify", 60_000)])
    engine.external_tasks.handle_failure(locked.task.id, "w1", "SMTP down", retries=1, retry_timeout_ms=0)
    assert engine.runtime.get_instance(instance.id).status == "active"
    [again] = engine.external_tasks.fetch_and_lock("w1", 1, [TopicRequest("notify", 60_000)])
    engine.external_tasks.handle_failure(again.task.id, "w1", "SMTP still down", retries=0)
    stopped = engine.runtime.get_instance(instance.id)
    assert stopped.status == "incident" and "SMTP still down" in stopped.incident_message
    assert engine.external_tasks.fetch_and_lock("w1", 1, [TopicRequest("notify", 60_000)]) == []
    assert engine.tasks.count(TaskQuery(instance_id=instance.id)) == 0
