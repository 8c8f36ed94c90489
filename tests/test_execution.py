"""JUEL conditions, a bare PT1S timer, FEEL decision tables, service tasks, incidents, the sandbox."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from engine import EngineConfig, ProcessEngine, TaskQuery
from engine.errors import DeploymentError, InvalidStateError
from tests.conftest import FakeClock, fixture_bytes


def deploy_full(engine):
    return engine.repository.deploy([("full_cycle.bpmn", fixture_bytes("full_cycle.bpmn")),
                                     ("rules_check.dmn", fixture_bytes("rules_check.dmn"))])


def test_full_cycle_runs_to_the_end(engine, handlers):
    notified = []
    handlers.register("notify", lambda ctx: notified.append((ctx.instance_id, ctx.variables["reason"]))
                      or {"notifiedAt": "2025-08-10"})
    result = deploy_full(engine)
    assert {d.key for d in result.processes} == {"full_cycle"} and {d.key for d in result.decisions} == {"rules_check"}

    instance = engine.runtime.start_process_by_key(
        "full_cycle", {"referenceYear": 2025, "startYear": 2012, "rating": "good"})
    assert instance.status == "active"
    assert notified == [(instance.id, "Đủ điều kiện")]
    assert instance.next_timer_at is not None
    # The timer is one second long: nothing fires before it is due.
    assert engine.runtime.fire_due_timers(now=instance.next_timer_at - timedelta(milliseconds=500)) == 0
    time.sleep(max(0.0, (instance.next_timer_at - engine.context.now()).total_seconds()) + 0.05)
    assert engine.runtime.fire_due_timers() == 1
    done = engine.runtime.get_instance(instance.id)
    assert done.status == "completed"
    variables = engine.runtime.get_variables(instance.id)
    assert variables["yearsAtOffice"] == 13 and variables["eligible"] is True
    assert variables["notifiedAt"] == "2025-08-10"
    assert "timer" in [e.event_type for e in engine.history.events(instance_id=instance.id)]
    assert engine.runtime.fire_due_timers() == 0


@pytest.mark.parametrize("start_year, rating, reason", [
    (2020, "excellent", "Chưa đủ 10 năm"),
    (2010, "completed", "Xếp loại chưa đạt"),
])
def test_ineligible_goes_to_discretion_with_reason(engine, handlers, start_year, rating, reason):
    handlers.register("notify", lambda ctx: pytest.fail("an ineligible nominee must not be notified"))
    deploy_full(engine)
    instance = engine.runtime.start_process_by_key(
        "full_cycle", {"referenceYear": 2025, "startYear": start_year, "rating": rating})
    [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
    assert task.element_id == "Task_discretion" and task.candidate_groups == ("chairman",)
    assert engine.runtime.get_variables(instance.id)["reason"] == reason


def test_failing_handler_retries_then_incident(engine, handlers):
    calls = []

    def flaky(ctx):
        calls.append(1)
        raise ConnectionError("mail server down")

    handlers.register("notify", flaky)
    deploy_full(engine)
    instance = engine.runtime.start_process_by_key(
        "full_cycle", {"referenceYear": 2025, "startYear": 2000, "rating": "excellent"})
    assert len(calls) == engine.context.config.service_task_attempts == 3
    assert instance.status == "incident"
    assert instance.incident_element_id == "Service_notify"
    assert "failed 3 times" in instance.incident_message and "mail server down" in instance.incident_message
    history = [e.event_type for e in engine.history.events(instance_id=instance.id)]
    assert history.count("service_task_failed") == 3 and history[-1] == "incident"


def test_handler_that_recovers_on_retry(engine, handlers):
    attempts = []

    def second_time_lucky(ctx):
        attempts.append(1)
        if len(attempts) < 2:
            raise TimeoutError("slow")
        return {"sent": True}

    handlers.register("notify", second_time_lucky)
    deploy_full(engine)
    instance = engine.runtime.start_process_by_key(
        "full_cycle", {"referenceYear": 2025, "startYear": 2000, "rating": "excellent"})
    assert instance.status == "active" and len(attempts) == 2


def test_service_task_without_handler_waits_for_a_worker(engine):
    deploy_full(engine)
    instance = engine.runtime.start_process_by_key(
        "full_cycle", {"referenceYear": 2025, "startYear": 2000, "rating": "excellent"})
    assert instance.status == "active" and instance.next_timer_at is None
    from engine.persistence.models import ExternalTask
    with engine.context.sessions() as session:
        [external] = session.query(ExternalTask).all()
    assert (external.topic, external.element_id, external.instance_id) == ("notify", "Service_notify", instance.id)


def test_unmatched_condition_is_an_incident_not_a_crash(engine):
    deploy_full(engine)
    # startYear missing: the script fails at run time; the instance records why.
    instance = engine.runtime.start_process_by_key("full_cycle", {"referenceYear": 2025, "rating": "good"})
    assert instance.status == "incident" and instance.incident_element_id == "Script_years"
    assert "startYear" in instance.incident_message


# Refused when deployed: the sandbox's compile-time policy would refuse them in every instance.
STATIC_ATTACKS = [
    "x = ().__class__.__base__.__subclasses__()",
    "import os\nos.system('touch MARKER')",
    "__import__('os').system('touch MARKER')",
]
# Only running shows them: stopped there, as an incident.
ATTACKS = [
    "x = getattr((), '__cla' + 'ss__')",
    "open('MARKER', 'w').write('owned')",
]


def escape_model(attack: str, marker) -> bytes:
    script = attack.replace("MARKER", str(marker))
    xml = fixture_bytes("script_escape.bpmn").decode().replace("SCRIPT", script.replace("&", "&amp;").replace("<", "&lt;"))
    return xml.encode()


@pytest.mark.parametrize("attack", STATIC_ATTACKS)
def test_static_script_escape_is_refused_at_deployment(engine, tmp_path, attack):
    with pytest.raises(DeploymentError) as refused:
        engine.repository.deploy([("script_escape.bpmn", escape_model(attack, tmp_path / "owned"))])
    [problem] = refused.value.problems
    assert problem.element_id == "Script_attack" and "not allowed in the sandbox" in problem.message
    assert engine.repository.list_deployments() == []


@pytest.mark.parametrize("attack", ATTACKS)
def test_script_escape_is_an_incident_and_nothing_runs(engine, tmp_path, attack):
    marker = tmp_path / "owned"
    engine.repository.deploy([("script_escape.bpmn", escape_model(attack, marker))])
    instance = engine.runtime.start_process_by_key("script_escape", {})
    assert instance.status == "incident" and instance.incident_element_id == "Script_attack"
    assert not marker.exists()
    events = engine.history.events(instance_id=instance.id, event_types=["incident"])
    assert len(events) == 1


def test_incident_blocks_task_completion(engine):
    engine.repository.deploy([("approval.bpmn", fixture_bytes("approval.bpmn"))])
    # dueDate refers to a variable that was never given: an incident at task creation.
    instance = engine.runtime.start_process_by_key("approval", {})
    assert instance.status == "incident" and "reviewDue" in instance.incident_message
    assert engine.tasks.count(TaskQuery(instance_id=instance.id)) == 0


def test_task_of_an_instance_with_incident_cannot_be_completed(database_url, handlers):
    clock = FakeClock(datetime(2025, 6, 5, 8, 0, tzinfo=timezone.utc))
    with ProcessEngine(EngineConfig(database_url=database_url, clock=clock), handlers=handlers) as engine:
        engine.repository.deploy([("incident_branch.bpmn", fixture_bytes("incident_branch.bpmn"))])
        instance = engine.runtime.start_process_by_key("incident_branch", {"divisor": 0})
        [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
        assert instance.status == "active"
        assert instance.next_timer_at == datetime(2025, 6, 5, 9, 0, tzinfo=timezone.utc)
        clock.now += timedelta(minutes=59)
        assert engine.runtime.fire_due_timers() == 0
        clock.now += timedelta(minutes=2)
        assert engine.runtime.fire_due_timers() == 1
        stopped = engine.runtime.get_instance(instance.id)
        assert stopped.status == "incident" and stopped.incident_element_id == "Script_b"
        assert "division by zero" in stopped.incident_message
        assert engine.tasks.get(task.id).id == task.id  # still visible to the unit
        with pytest.raises(InvalidStateError, match="incident"):
            engine.tasks.complete(task.id, {})
        assert engine.runtime.fire_due_timers() == 0




def test_a_timer_fires_at_exactly_its_due_time(database_url, handlers):
    """A scheduler wakes at the due time itself: the timer is due then, not a moment later."""
    clock = FakeClock(datetime(2025, 6, 5, 8, 0, tzinfo=timezone.utc))
    with ProcessEngine(EngineConfig(database_url=database_url, clock=clock), handlers=handlers) as engine:
        engine.repository.deploy([("incident_branch.bpmn", fixture_bytes("incident_branch.bpmn"))])
        instance = engine.runtime.start_process_by_key("incident_branch", {"divisor": 2})
        clock.now = instance.next_timer_at - timedelta(microseconds=1)
        assert engine.runtime.fire_due_timers() == 0
        clock.now = instance.next_timer_at
        assert engine.runtime.fire_due_timers() == 1
        fired = engine.runtime.get_instance(instance.id)
        assert fired.next_timer_at != instance.next_timer_at
        assert [e.event_type for e in engine.history.events(instance_id=instance.id)].count("timer") == 1
