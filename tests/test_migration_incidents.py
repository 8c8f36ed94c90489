"""An instance stopped by an incident migrates like a running one: the failed step must have a
target, and the instance stays stopped at it; its incident names the new version, and a retry
runs the new version's step. An instance waiting for a message waits under the new version."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine import EngineConfig, ProcessEngine, TaskQuery
from engine.runtime import EventSubscriptionQuery, IncidentQuery, MigrationInstruction, MigrationPlan, \
    MigrationValidationError
from tests.conftest import FakeClock, fixture_bytes

FIXED = ("ratio = 1 / divisor", "ratio = 1 / (divisor or 1)")


def test_an_instance_with_an_incident_migrates_and_stays_stopped_at_the_failed_step(database_url, handlers):
    clock = FakeClock(datetime(2025, 6, 5, 8, 0, tzinfo=timezone.utc))
    with ProcessEngine(EngineConfig(database_url=database_url, clock=clock), handlers=handlers) as engine:
        model = fixture_bytes("incident_branch.bpmn").decode()
        v1 = engine.repository.deploy([("incident_branch.bpmn", model.encode())]).processes[0].id
        instance = engine.runtime.start_process_by_key("incident_branch", {"divisor": 0})
        [task] = engine.tasks.list(TaskQuery(instance_id=instance.id))
        clock.now += timedelta(hours=2)
        assert engine.runtime.fire_due_timers() == 1
        assert engine.runtime.get_instance(instance.id).status == "incident"

        renamed = model.replace(*FIXED).replace("Script_b", "Script_ratio")
        v2 = engine.repository.deploy([("incident_branch.bpmn", renamed.encode())]).processes[0].id
        plan = engine.migration.generate_migration_plan(v1, v2)
        with pytest.raises(MigrationValidationError) as refused:
            engine.migration.execute_migration(plan, [instance.id], actor="admin")
        assert refused.value.kind == "MigratingProcessInstanceValidationException"
        assert [f.split(" of process")[0] for f in refused.value.report.instance_reports[0].failures] == [
            "active element 'Script_b' (error)"]

        fixed = MigrationPlan(v1, v2, (*plan.instructions, MigrationInstruction(("Script_b",), ("Script_ratio",))))
        assert engine.migration.execute_migration(fixed, [instance.id], actor="admin") == 1
        moved = engine.runtime.get_instance(instance.id)
        assert (moved.definition_id, moved.status, moved.incident_element_id) == (v2, "incident", "Script_ratio")
        [kept] = engine.tasks.list(TaskQuery(instance_id=instance.id))
        assert (kept.id, kept.definition_id) == (task.id, v2)
        [incident] = engine.runtime.list_incidents(IncidentQuery(instance_id=instance.id))
        assert (incident.definition_id, incident.activity_id) == (v2, "Script_ratio")
        # The fixed script of version 2 runs when the failed step is retried.
        engine.runtime.set_job_retries(incident.configuration, 1, actor="admin")
        assert engine.runtime.get_instance(instance.id).status == "active"
        assert engine.runtime.get_variables(instance.id)["ratio"] == 1


WAITING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_reply"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:message id="Message_reply" name="reply" />
  <bpmn:process id="await_reply" isExecutable="true">
    <bpmn:startEvent id="Start_reply"><bpmn:outgoing>F1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="F1" sourceRef="Start_reply" targetRef="CATCH" />
    <bpmn:intermediateCatchEvent id="CATCH"><bpmn:incoming>F1</bpmn:incoming><bpmn:outgoing>F2</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="Message_reply" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="F2" sourceRef="CATCH" targetRef="AFTER" />
    <bpmn:userTask id="AFTER" /><bpmn:sequenceFlow id="F3" sourceRef="AFTER" targetRef="End_reply" />
    <bpmn:endEvent id="End_reply"><bpmn:incoming>F3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def waiting_model(catch: str, after: str) -> bytes:
    xml = WAITING.replace("CATCH", catch).replace('"AFTER"', f'"{after}"')
    return xml.replace("<bpmn:userTask id=\"AFTER\" />", f'<bpmn:userTask id="{after}"><bpmn:incoming>F2'
                       f'</bpmn:incoming><bpmn:outgoing>F3</bpmn:outgoing></bpmn:userTask>').encode()


def test_an_instance_waiting_for_a_message_waits_under_the_new_version(engine):
    v1 = engine.repository.deploy([("reply.bpmn", waiting_model("Catch_reply", "Task_read"))]).processes[0].id
    instance = engine.runtime.start_process_by_key("await_reply", {})
    v2 = engine.repository.deploy([("reply.bpmn", waiting_model("Catch_answer", "Task_file"))]).processes[0].id
    plan = engine.migration.generate_migration_plan(v1, v2)
    plan = MigrationPlan(v1, v2, (*plan.instructions, MigrationInstruction(("Catch_reply",), ("Catch_answer",))))
    engine.migration.execute_migration(plan, [instance.id], actor="admin")
    [waiting] = engine.runtime.list_event_subscriptions(EventSubscriptionQuery(instance_id=instance.id))
    assert (waiting.definition_id, waiting.activity_id, waiting.event_name) == (v2, "Catch_answer", "reply")
    [result] = engine.runtime.correlate_message("reply", instance_id=instance.id)
    assert [t.element_id for t in engine.tasks.list(TaskQuery(instance_id=instance.id))] == ["Task_file"]
