"""An instance stopped by an incident migrates like a running one: the failed step must have a
target, and the instance stays stopped at it (the new version's step runs when it is retried)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine import EngineConfig, ProcessEngine, TaskQuery
from engine.runtime import MigrationInstruction, MigrationPlan, MigrationValidationError
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
