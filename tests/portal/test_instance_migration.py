"""A campaign's unit instances moved to a changed unit_evaluation: the campaign that called them
stays on its version (a plan moves the instances it names), the instance page's history shows
the move with who made it, and the unit's open task keeps its id and holder."""
from __future__ import annotations

from engine import TaskQuery
from engine.runtime import MigrationInstruction
from tests.portal.conftest import UNIT_A, UNIT_B
from tests.portal.test_instance_page import history
from tests.rest.test_migration_api import version_two


def test_unit_instances_of_a_campaign_move_and_the_history_says_so(portal):
    engine = portal.engine
    units = [portal.units[UNIT_A], portal.units[UNIT_B]]
    campaign_version = engine.runtime.get_instance(portal.campaign_id).definition_id
    v1 = engine.runtime.get_instance(units[0]).definition_id
    before = {t.instance_id: t for t in engine.tasks.list(TaskQuery(instance_ids=units))}
    v2 = engine.repository.deploy(version_two()).processes[0].id

    plan = engine.migration.generate_migration_plan(v1, v2)
    plan = type(plan)(plan.source_definition_id, plan.target_definition_id, (*plan.instructions, MigrationInstruction(
        ("Task_deploy_plan",), ("Task_announce_plan",))), plan.variables)
    assert engine.migration.execute_migration(plan, units, actor="chief") == 2

    assert engine.runtime.get_instance(portal.campaign_id).definition_id == campaign_version
    for task in engine.tasks.list(TaskQuery(instance_ids=units)):
        assert (task.id, task.element_id, task.definition_id) == (before[task.instance_id].id, "Task_announce_plan", v2)
        assert task.candidate_groups == before[task.instance_id].candidate_groups
    rows = history(portal.login("officer").get(f"/instances/{units[0]}").get_data(as_text=True))
    assert "Chuyển sang phiên bản mô hình mới" in rows and f"{v1} → {v2}" in rows and "Trần Bình Minh" in rows
