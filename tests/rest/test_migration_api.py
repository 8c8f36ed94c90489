"""POST /migration/generate, /validate and /execute against Camunda 7's REST reference, with the
real bpmn/unit_evaluation.bpmn: running unit instances move to a changed version, all or none.

Plain HTTP over the Flask test client: pycamunda's Validate reads only Camunda's instruction
reports, not the instance reports this test is about (test_migration_rules.py drives pycamunda).
Every test runs on SQLite and PostgreSQL (the `engine` fixture).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine import TaskQuery
from tests.rest.test_refusals import row_counts
from tests.rest.test_variables_api import call
from workflows.document_register import DocumentRegister
from workflows.handlers import register_handlers

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
R = "/engine-rest"
ADMIN = "root"
VARIABLES = {
    "unit": "tong_hop", "unitName": "Phòng Tổng hợp", "headGroup": "unit_head", "planNumber": "05/KH-VPUB",
    "campaignName": "Đợt thi đua đặc biệt", "guidanceDate": "2025-06-30", "unitReportDate": "2025-08-08",
    "appraisalDate": "2025-08-10", "campaignEndsAt": "2025-08-05T23:59:59+07:00",
}
COLLECTIVE = {"id": "nom-tong_hop", "kind": "collective", "userId": None, "fullName": "Phòng Tổng hợp",
              "award": "giay_khen", "achievements": "Tập thể hoàn thành tốt nhiệm vụ"}

LAN = {"id": "nom-lan", "kind": "individual", "userId": "lan", "fullName": "Nguyễn Thị Lan", "award": "bang_khen",
       "achievements": "Hoàn thành xuất sắc nhiệm vụ"}
NO_FACTS = dict.fromkeys(("yearsAtOffice", "yearsSinceDiscipline", "worstRatingLast10", "missingRatingYears",
                          "pendingCase", "pendingCaseText", "sameAwardInCampaign"))
LAN_FACTS = {"yearsAtOffice": 12, "worstRatingLast10": "good"}


def version_two() -> list[tuple[str, bytes]]:
    """The changed model: the plan's deployment step is replaced by an announcement step (a new
    element id), the nomination step is renamed, and the eligibility table gives a new reason text."""
    bpmn = (BPMN_DIR / "unit_evaluation.bpmn").read_text(encoding="utf-8")
    bpmn = bpmn.replace("Task_deploy_plan", "Task_announce_plan").replace(
        'name="Bình xét, đề xuất khen thưởng"', 'name="Bình xét, đề xuất khen thưởng (sửa đổi)"')
    dmn = (BPMN_DIR / "eligibility.dmn").read_text(encoding="utf-8").replace('"Đủ điều kiện"', '"Đủ điều kiện (2)"')
    return [("unit_evaluation.bpmn", bpmn.encode()), ("eligibility.dmn", dmn.encode())]


@pytest.fixture
def unit_office(office):
    engine = office.engine
    engine.identity.ensure_group("admin", "admin", "role")
    engine.identity.create_user(ADMIN, "Quản trị", password="mật-khẩu-2025", groups=["admin"])
    register_handlers(engine.handlers, register=DocumentRegister(engine.context.db))
    engine.handlers.register("staff_facts", lambda ctx: {**NO_FACTS, **(
        LAN_FACTS if ctx.variables["nominee"].get("userId") == "lan" else {})})
    first = engine.repository.deploy([("unit_evaluation.bpmn", (BPMN_DIR / "unit_evaluation.bpmn").read_bytes()),
                                      ("eligibility.dmn", (BPMN_DIR / "eligibility.dmn").read_bytes())])
    office.v1 = first.processes[0].id
    return office


def only_task(engine, instance_id: str):
    [task] = engine.tasks.list(TaskQuery(instance_id=instance_id))
    return task


def to_nomination(engine, instance_id: str) -> None:
    """The plan is deployed to the staff; the campaign period has ended (its date is past), so the
    timer fires as soon as it is reached."""
    engine.tasks.complete(only_task(engine, instance_id).id, {"deployedOn": "2025-06-10"}, actor="head_a")
    assert only_task(engine, instance_id).element_id == "Task_nominate"


def snapshot(engine, ids: list[str]) -> dict:
    instances = {i: engine.runtime.get_instance(i) for i in ids}
    tasks = {t.instance_id: (t.id, t.element_id, t.definition_id, t.assignee, t.due_at, t.name)
             for t in engine.tasks.list(TaskQuery(instance_ids=ids, limit=None))}
    return {i: (row.definition_id, row.revision, row.state, tasks.get(i)) for i, row in instances.items()}


def post(office, path: str, body: dict, user: str = ADMIN):
    return call(office, "post", path, user, json=body)


def test_a_hundred_unit_instances_move_to_the_new_version_all_or_none(unit_office):
    office, engine = unit_office, unit_office.engine
    ids = [engine.runtime.start_process_by_key("unit_evaluation", VARIABLES, business_key=f"KH-{n}",
                                               actor="head_a").id for n in range(100)]
    late = ids[0]  # still deploying the plan: its step is gone from the new version
    for instance_id in ids[1:]:
        to_nomination(engine, instance_id)
    for instance_id in ids:
        engine.tasks.claim(only_task(engine, instance_id).id, "head_a")
    v2 = engine.repository.deploy(version_two(), actor="designer").processes[0].id

    generated = post(office, "/migration/generate", {"sourceProcessDefinitionId": office.v1,
                                                     "targetProcessDefinitionId": v2, "updateEventTriggers": False})
    assert generated.status_code == 200, generated.json
    plan = generated.json
    assert (plan["sourceProcessDefinitionId"], plan["targetProcessDefinitionId"]) == (office.v1, v2)
    mapped = {i["sourceActivityIds"][0]: i["targetActivityIds"] for i in plan["instructions"]}
    assert mapped["Task_nominate"] == ["Task_nominate"] and mapped["Timer_campaign_end"] == ["Timer_campaign_end"]
    assert mapped["Task_achievement_report"] == ["Task_achievement_report"]  # inside the subprocess
    assert "Task_deploy_plan" not in mapped
    assert all(i["updateEventTrigger"] is False for i in plan["instructions"])

    report = post(office, "/migration/validate", {**plan, "processInstanceIds": ids})
    assert report.status_code == 200
    assert report.json["instructionReports"] == [] and report.json["variableReports"] == {}
    [refusal] = report.json["instanceReports"]
    assert refusal["processInstanceId"] == late
    assert refusal["failures"] == [f"active element 'Task_deploy_plan' (ready) of process instance {late} has no "
                                   f"target in {v2}: map it with an instruction"]

    before, counts = snapshot(engine, ids), row_counts(engine)
    refused = post(office, "/migration/execute", {"migrationPlan": plan, "processInstanceIds": ids,
                                                  "skipCustomListeners": False, "skipIoMappings": False})
    assert refused.status_code == 400
    assert refused.json["type"] == "MigratingProcessInstanceValidationException"
    assert "Task_deploy_plan" in refused.json["message"]
    assert refused.json["validationReport"]["instanceReports"] == [refusal]
    assert snapshot(engine, ids) == before and row_counts(engine) == counts

    fixed = {**plan, "instructions": [*plan["instructions"], {
        "sourceActivityIds": ["Task_deploy_plan"], "targetActivityIds": ["Task_announce_plan"]}]}
    assert post(office, "/migration/validate", {**fixed, "processInstanceIds": ids}).json == {
        "instructionReports": [], "variableReports": {}, "instanceReports": []}
    done = post(office, "/migration/execute", {"migrationPlan": fixed, "processInstanceIds": ids})
    assert done.status_code == 204, done.json

    after = snapshot(engine, ids)
    for instance_id in ids:
        definition, _, _, (task_id, element, task_definition, assignee, due, name) = after[instance_id]
        old_task_id, old_element, _, old_assignee, old_due, _ = before[instance_id][3]
        assert (definition, task_definition) == (v2, v2)
        assert (task_id, assignee, due) == (old_task_id, old_assignee, old_due) and assignee == "head_a"
        assert element == ("Task_announce_plan" if instance_id == late else old_element)
    assert after[ids[1]][3][5] == "Bình xét, đề xuất khen thưởng (sửa đổi)"
    [event] = engine.history.events(instance_id=late, event_types=["migrate"])
    assert event.actor == ADMIN and json.loads(event.data_json)["from"] == office.v1
    assert json.loads(event.data_json)["to"] == v2

    # On the new version: the late unit announces its plan, every unit nominates, and the new
    # version's eligibility table decides.
    to_nomination(engine, late)
    for instance_id in ids:
        task = only_task(engine, instance_id)
        engine.tasks.complete(task.id, {"nominees": [COLLECTIVE], "unitResults": "Hoàn thành tốt"}, actor="head_a")
        assert only_task(engine, instance_id).element_id == "Task_submit"
        [checked] = engine.runtime.get_variables(instance_id)["checkedNominees"]
        assert checked["reason"] == "Đủ điều kiện (2)"


def test_report_tasks_inside_the_nominees_subprocess_move_and_complete_on_the_new_version(unit_office):
    office, engine = unit_office, unit_office.engine
    ids = [engine.runtime.start_process_by_key("unit_evaluation", VARIABLES, actor="head_a").id for _ in range(5)]
    reports = {}
    for instance_id in ids:
        to_nomination(engine, instance_id)
        engine.tasks.complete(only_task(engine, instance_id).id, {"nominees": [LAN, COLLECTIVE],
                                                                  "unitResults": "Hoàn thành tốt"}, actor="head_a")
        reports[instance_id] = only_task(engine, instance_id)
        assert (reports[instance_id].element_id, reports[instance_id].assignee) == ("Task_achievement_report", "lan")
    v2 = engine.repository.deploy(version_two()).processes[0].id
    plan = post(office, "/migration/generate", {"sourceProcessDefinitionId": office.v1,
                                                "targetProcessDefinitionId": v2}).json
    assert post(office, "/migration/execute", {"migrationPlan": plan, "processInstanceIds": ids}).status_code == 204
    for instance_id in ids:
        moved = only_task(engine, instance_id)
        before = reports[instance_id]
        assert (moved.id, moved.assignee, moved.due_at, moved.definition_id) == (before.id, "lan", before.due_at, v2)
        engine.tasks.complete(moved.id, {"achievementReport": "Báo cáo thành tích"}, actor="lan")
        assert only_task(engine, instance_id).element_id == "Task_submit"
        lan, unit = engine.runtime.get_variables(instance_id)["checkedNominees"]
        assert (lan["userId"], lan["achievementReport"], unit["kind"]) == ("lan", "Báo cáo thành tích", "collective")
