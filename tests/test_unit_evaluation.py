"""bpmn/unit_evaluation.bpmn: one unit's evaluation, driven through real instances.

The campaign calls this process once per unit; here it is started directly with the variables the
campaign's camunda:in mappings pass. The engine runs on a clock the test moves, so the timer
"Hết thời gian thi đua" (campaignEndsAt) is passed the way the scheduler passes it.
"""
from __future__ import annotations

import json
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine import EngineConfig, ProcessEngine, TaskQuery
from engine.forms.submission import FormValidationError
from workflows.appraisal import decisions
from workflows.document_register import DocumentRegister
from workflows.handlers import register_handlers
from tests.conftest import FakeClock

BPMN_DIR = Path(__file__).resolve().parents[1] / "bpmn"
MODEL = BPMN_DIR / "unit_evaluation.bpmn"
OFFICE_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HEAD = "head:tong_hop"

VARIABLES = {
    "unit": "tong_hop",
    "unitName": "Phòng Tổng hợp",
    "headGroup": HEAD,
    "planNumber": "05/KH-VPUB",
    "campaignName": "Đợt thi đua đặc biệt chào mừng 80 năm Ngày truyền thống Văn phòng",
    "guidanceDate": "2025-06-30",
    "unitReportDate": "2025-08-08",
    "appraisalDate": "2025-08-10",
    "campaignEndsAt": "2025-08-05T23:59:59+07:00",
}
CAMPAIGN_ENDS = datetime(2025, 8, 5, 23, 59, 59, tzinfo=OFFICE_TZ)

# userId -> (yearsAtOffice, yearsSinceDiscipline, worstRatingLast10), as the staff register would say.
STAFF_FACTS = {
    "lan": (12, None, "good"),
    "minh": (8, None, "excellent"),
}


def end_of_day(day: str) -> datetime:
    """A date-only due date is the end of that day in the office's time zone."""
    return datetime.combine(datetime.fromisoformat(day).date(), datetime.max.time().replace(microsecond=0),
                            OFFICE_TZ)


def individual(user_id: str, full_name: str, award: str = "bang_khen") -> dict:
    return {"id": f"nom-{user_id}", "kind": "individual", "userId": user_id, "fullName": full_name,
            "award": award, "achievements": "Hoàn thành xuất sắc nhiệm vụ tham mưu tổng hợp"}


def collective(award: str = "giay_khen") -> dict:
    return {"id": "nom-tong_hop", "kind": "collective", "userId": None, "fullName": "Phòng Tổng hợp",
            "award": award, "achievements": "Tập thể đoàn kết, hoàn thành tốt các nhiệm vụ của đợt thi đua"}




@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2025, 6, 6, 8, 0, tzinfo=OFFICE_TZ))


@pytest.fixture
def looked_up() -> list:
    return []


@pytest.fixture
def unit_engine(database_url, handlers, clock, looked_up):
    def staff_facts(ctx):
        nominee = ctx.variables["nominee"]
        looked_up.append(nominee.get("userId"))
        if nominee.get("userId") is None:
            return {"yearsAtOffice": None, "yearsSinceDiscipline": None, "worstRatingLast10": None,
                    "missingRatingYears": None, "pendingCase": None, "pendingCaseText": None,
                    "sameAwardInCampaign": None}
        years, discipline, rating = STAFF_FACTS[nominee["userId"]]
        return {"yearsAtOffice": years, "yearsSinceDiscipline": discipline, "worstRatingLast10": rating,
                "missingRatingYears": None, "pendingCase": None, "pendingCaseText": None, "sameAwardInCampaign": None}

    handlers.register("staff_facts", staff_facts)
    with ProcessEngine(EngineConfig(database_url=database_url, clock=clock), handlers=handlers) as engine:
        # The checks, and issue_document (the unit's tờ trình and reports) on the real register.
        register_handlers(handlers, register=DocumentRegister(engine.context.db))
        engine.repository.deploy([("unit_evaluation.bpmn", MODEL.read_bytes()),
                                  ("eligibility.dmn", (BPMN_DIR / "eligibility.dmn").read_bytes())])
        yield engine


def open_tasks(engine, instance_id):
    return engine.tasks.list(TaskQuery(instance_id=instance_id))


def only_task(engine, instance_id, element_id):
    tasks = open_tasks(engine, instance_id)
    assert [t.element_id for t in tasks] == [element_id], [t.element_id for t in tasks]
    return tasks[0]


def start(engine):
    instance = engine.runtime.start_process_by_key("unit_evaluation", VARIABLES, business_key="05/KH-VPUB",
                                                   actor="chief")
    assert instance.status == "active", instance.incident_message
    assert instance.unit == "tong_hop" and instance.business_key == "05/KH-VPUB"
    return instance


def run_to_nominations(engine, clock, instance) -> None:
    """The unit deploys the plan, the campaign period runs out, the nominations task opens."""
    deploy = only_task(engine, instance.id, "Task_deploy_plan")
    engine.tasks.complete(deploy.id, {"deployedOn": "2025-06-10", "deploymentNote": "Họp phòng ngày 10/6"},
                          actor="lan")
    # Waiting for the end of the campaign: nothing to do yet.
    assert open_tasks(engine, instance.id) == []
    waiting = engine.runtime.get_instance(instance.id)
    assert waiting.status == "active" and waiting.next_timer_at == CAMPAIGN_ENDS
    clock.now = CAMPAIGN_ENDS - timedelta(minutes=1)
    assert engine.runtime.fire_due_timers() == 0
    assert open_tasks(engine, instance.id) == []
    clock.now = CAMPAIGN_ENDS + timedelta(seconds=1)
    assert engine.runtime.fire_due_timers() == 1
    only_task(engine, instance.id, "Task_nominate")


def nominate(engine, instance, nominees) -> None:
    task = only_task(engine, instance.id, "Task_nominate")
    engine.tasks.complete(task.id, {"nominees": nominees, "unitResults": "Phòng hoàn thành xuất sắc nhiệm vụ"},
                          actor="lan")


def write_reports(engine, instance, user_ids) -> None:
    for user_id in user_ids:
        report = only_task(engine, instance.id, "Task_achievement_report")
        assert report.assignee == user_id
        engine.tasks.complete(report.id, {"achievementReport": f"Báo cáo thành tích của {user_id}"}, actor=user_id)


def submit(engine, instance) -> None:
    task = only_task(engine, instance.id, "Task_submit")
    engine.tasks.complete(task.id, {"reportedOn": "2025-08-07"}, actor="lan")


def appraise(engine, instance, returns: dict | None = None, notes: dict | None = None) -> None:
    """TCHCQT decides on each checked nominee: accepted unless `returns` gives its reason."""
    task = only_task(engine, instance.id, "Task_appraise")
    checked = engine.runtime.get_variables(instance.id)["checkedNominees"]
    engine.tasks.complete(task.id, decisions(checked, returns, notes), actor="hoa")


# --- scenarios ------------------------------------------------------------------------------

def test_two_nominees_accepted(unit_engine, clock, looked_up):
    engine = unit_engine
    instance = start(engine)
    run_to_nominations(engine, clock, instance)
    nominate(engine, instance, [individual("lan", "Nguyễn Thị Lan"), collective()])
    # The collective needs no report: only the individual's report task opens, assigned to her.
    write_reports(engine, instance, ["lan"])
    assert looked_up == ["lan", None]
    submit(engine, instance)
    appraise(engine, instance)

    done = engine.runtime.get_instance(instance.id)
    assert done.status == "completed", done.incident_message
    variables = engine.runtime.get_variables(instance.id)
    result = variables["unitResult"]
    assert (result["unit"], result["unitName"]) == ("tong_hop", "Phòng Tổng hợp")
    assert result["unitResults"] == "Phòng hoàn thành xuất sắc nhiệm vụ"
    lan, unit = result["nominees"]
    assert lan == {**individual("lan", "Nguyễn Thị Lan"), "eligible": True, "route": "council", "reasonCode": "ok",
                   "reason": "Đủ điều kiện", "achievementReport": "Báo cáo thành tích của lan",
                   "appraisalNote": None}
    assert unit == {**collective(), "eligible": True, "route": "council", "reasonCode": "ok",
                    "reason": "Đủ điều kiện", "appraisalNote": None}
    # Only the collected results leave the loop, not one iteration's working variables.
    for leaked in ("nominee", "checked", "nomineeKind", "award", "eligible", "route", "yearsAtOffice", "byId",
                   "decided", "returned"):
        assert leaked not in variables
    assert [e.event_type for e in engine.history.events(instance_id=instance.id, event_types=["end"])] == ["end"]


def test_bang_khen_under_ten_years_goes_to_the_chairman_with_the_reason(unit_engine, clock):
    engine = unit_engine
    instance = start(engine)
    run_to_nominations(engine, clock, instance)
    nominate(engine, instance, [individual("minh", "Trần Văn Minh")])
    write_reports(engine, instance, ["minh"])
    submit(engine, instance)
    appraise(engine, instance)

    assert engine.runtime.get_instance(instance.id).status == "completed"
    [minh] = engine.runtime.get_variables(instance.id)["unitResult"]["nominees"]
    assert (minh["eligible"], minh["route"], minh["reasonCode"]) == (False, "chairman_discretion", "years_below_10")
    assert minh["reason"] == "Chưa đủ 10 năm công tác tại Văn phòng"
    assert unicodedata.is_normalized("NFC", minh["reason"])


def test_appraisal_returns_the_dossier_and_the_unit_corrects_it(unit_engine, clock):
    engine = unit_engine
    instance = start(engine)
    run_to_nominations(engine, clock, instance)
    nominate(engine, instance, [collective("buc_truong")])
    write_reports(engine, instance, [])
    submit(engine, instance)
    appraise(engine, instance, {"nom-tong_hop": "Thiếu biên bản họp bình xét"})

    correct = only_task(engine, instance.id, "Task_correct")
    with pytest.raises(FormValidationError):
        engine.tasks.complete(correct.id, {})  # the correction note is required
    engine.tasks.complete(correct.id, {"correctionNote": "Đã bổ sung biên bản họp ngày 07/8"}, actor="lan")
    submit(engine, instance)  # the list is checked again and the unit submits it again
    appraise(engine, instance)

    assert engine.runtime.get_instance(instance.id).status == "completed"
    completions = [(e.element_id, e.actor, json.loads(e.data_json)) for e in engine.history.events(
        instance_id=instance.id, event_types=["complete"]) if e.element_id in ("Task_appraise", "Task_correct")]
    assert [c[0] for c in completions] == ["Task_appraise", "Task_correct", "Task_appraise"]
    assert completions[0][2] == {"appraisals": [{"nomineeId": "nom-tong_hop", "decision": "return", "note": "Thiếu biên bản họp bình xét"}]}
    assert completions[1][2] == {"correctionNote": "Đã bổ sung biên bản họp ngày 07/8"}
    assert [c[1] for c in completions] == ["hoa", "lan", "hoa"]
    assert completions[2][2] == {"appraisals": [{"nomineeId": "nom-tong_hop", "decision": "accept", "note": None}]}
    [unit] = engine.runtime.get_variables(instance.id)["unitResult"]["nominees"]
    assert (unit["award"], unit["eligible"], unit["route"]) == ("buc_truong", True, "council")


def test_deploy_form_refuses_a_missing_date_and_changes_nothing(unit_engine):
    engine = unit_engine
    instance = start(engine)
    task = only_task(engine, instance.id, "Task_deploy_plan")
    before = engine.runtime.get_variables(instance.id)
    with pytest.raises(FormValidationError):
        engine.tasks.complete(task.id, {"deploymentNote": "Chưa họp"}, actor="lan")
    assert engine.runtime.get_variables(instance.id) == before
    assert engine.tasks.get(task.id).id == task.id
    assert engine.runtime.get_instance(instance.id).status == "active"
    assert engine.history.events(instance_id=instance.id, event_types=["complete"]) == []


def test_every_task_is_offered_and_due_as_the_portal_shows_it(unit_engine, clock):
    """Candidate groups, assignee and due date of each user task, as TaskView gives them."""
    engine = unit_engine
    instance = start(engine)
    seen = {}

    def record(element_id):
        task = only_task(engine, instance.id, element_id)
        seen[element_id] = (task.candidate_groups, task.assignee, task.due_at)
        return task

    record("Task_deploy_plan")
    run_to_nominations(engine, clock, instance)
    record("Task_nominate")
    nominate(engine, instance, [individual("lan", "Nguyễn Thị Lan")])
    report = record("Task_achievement_report")
    engine.tasks.complete(report.id, {"achievementReport": "Báo cáo"}, actor="lan")
    submit_task = record("Task_submit")
    engine.tasks.complete(submit_task.id, {"reportedOn": "2025-08-07"})
    appraisal = record("Task_appraise")
    engine.tasks.complete(appraisal.id, decisions(engine.runtime.get_variables(instance.id)["checkedNominees"],
                                                  {"nom-lan": "Thiếu tờ trình"}))
    record("Task_correct")

    assert seen == {
        "Task_deploy_plan": ((HEAD,), None, end_of_day("2025-06-30")),
        "Task_nominate": ((HEAD,), None, end_of_day("2025-08-08")),
        "Task_achievement_report": ((), "lan", end_of_day("2025-08-08")),
        "Task_submit": ((HEAD,), None, end_of_day("2025-08-08")),
        "Task_appraise": (("tchcqt",), None, end_of_day("2025-08-10")),
        "Task_correct": ((HEAD,), None, end_of_day("2025-08-10")),
    }
    assert seen["Task_submit"][2] == datetime(2025, 8, 8, 16, 59, 59, tzinfo=timezone.utc)


def test_model_is_nfc_and_named_in_vietnamese():
    text = MODEL.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)
    assert 'name="Đánh giá, bình xét khen thưởng tại đơn vị"' in text
    assert 'camunda:formKey="thidua:nominees"' in text


# --- issue 12.5: a return needs its reason; the unit sees it and edits the returned list ----------

def snapshot(engine, instance_id) -> tuple:
    """What a refused submission must leave as it was: variables, open tasks, history."""
    return (engine.runtime.get_variables(instance_id),
            sorted((t.id, t.element_id) for t in open_tasks(engine, instance_id)),
            len(engine.history.events(instance_id=instance_id)))


def returned_to_the_unit(engine, clock, reason="Thiếu biên bản họp bình xét"):
    instance = start(engine)
    run_to_nominations(engine, clock, instance)
    nominate(engine, instance, [individual("lan", "Nguyễn Thị Lan"), collective()])
    write_reports(engine, instance, ["lan"])
    submit(engine, instance)
    appraise(engine, instance, {"nom-lan": reason})
    return instance


@pytest.mark.parametrize("reason", [None, "", "   \n "], ids=["left-out", "empty", "blank"])
def test_a_return_without_a_reason_is_refused_and_changes_nothing(unit_engine, clock, reason):
    engine = unit_engine
    instance = start(engine)
    run_to_nominations(engine, clock, instance)
    nominate(engine, instance, [collective()])
    submit(engine, instance)
    task = only_task(engine, instance.id, "Task_appraise")
    before = snapshot(engine, instance.id)
    entry = {"nomineeId": "nom-tong_hop", "decision": "return"}
    values = {"appraisals": [entry if reason is None else {**entry, "note": reason}]}
    with pytest.raises(FormValidationError) as refused:
        engine.tasks.complete(task.id, values, actor="hoa")
    [error] = refused.value.errors
    assert (error.field, error.code) == ("appraisals-0-note", "appraisal_reason")
    assert "lý do trả lại" in error.message and "reason for returning" in error.message
    assert snapshot(engine, instance.id) == before
    # Accepting needs no reason.
    engine.tasks.complete(task.id, {"appraisals": [{"nomineeId": "nom-tong_hop", "decision": "accept"}]}, actor="hoa")
    assert engine.runtime.get_instance(instance.id).status == "completed"


def test_the_unit_sees_the_reason_and_edits_the_returned_list(unit_engine, clock, looked_up):
    engine = unit_engine
    instance = returned_to_the_unit(engine, clock)
    correct = only_task(engine, instance.id, "Task_correct")
    assert correct.form_key == "thidua:correction"
    assert engine.runtime.get_variables(instance.id)["returnReason"] == "Nguyễn Thị Lan: Thiếu biên bản họp bình xét"

    # The unit drops the collective and proposes Minh instead; Lan's report is kept.
    engine.tasks.complete(correct.id, {"nominees": [individual("lan", "Nguyễn Thị Lan"),
                                                    individual("minh", "Trần Văn Minh")],
                                       "correctionNote": "Bổ sung biên bản; đề nghị thêm đồng chí Minh"}, actor="lan")
    assert looked_up == ["lan", None, "lan", "minh"]  # the corrected list is checked again
    write_reports(engine, instance, ["minh"])  # only the newly proposed person writes a report
    submit(engine, instance)
    appraise(engine, instance)

    assert engine.runtime.get_instance(instance.id).status == "completed"
    lan, minh = engine.runtime.get_variables(instance.id)["unitResult"]["nominees"]
    assert (lan["id"], lan["route"], lan["achievementReport"]) == ("nom-lan", "council", "Báo cáo thành tích của lan")
    assert (minh["id"], minh["route"], minh["reasonCode"]) == ("nom-minh", "chairman_discretion", "years_below_10")
    assert minh["achievementReport"] == "Báo cáo thành tích của minh"


@pytest.mark.parametrize("values, field, code", [
    ({"correctionNote": "  "}, "correctionNote", "correction_note"),
    ({"correctionNote": "Sửa", "nominees": [individual("lan", "Nguyễn Thị Lan"), individual("lan", "Nguyễn Thị Lan")]},
     "nominees-1-userId", "nominee_twice"),
    ({"correctionNote": "Sửa", "nominees": [collective(), collective("buc_truong")]}, "nominees-1-name",
     "nominee_twice"),
    ({"correctionNote": "Sửa", "nominees": [individual("lan", "Nguyễn Thị Lan", "buc_truong")]},
     "nominees-0-award", "banner_collective_only"),
], ids=["no-note", "nominee-twice", "the-unit-twice", "banner-to-a-person"])
def test_a_bad_correction_is_refused_and_changes_nothing(unit_engine, clock, values, field, code):
    engine = unit_engine
    instance = returned_to_the_unit(engine, clock)
    correct = only_task(engine, instance.id, "Task_correct")
    before = snapshot(engine, instance.id)
    with pytest.raises(FormValidationError) as refused:
        engine.tasks.complete(correct.id, values, actor="lan")
    assert [(e.field, e.code) for e in refused.value.errors] == [(field, code)]
    assert " / " in refused.value.errors[0].message  # Vietnamese, then English
    assert snapshot(engine, instance.id) == before


def test_a_nominee_added_twice_is_refused_at_nomination(unit_engine, clock):
    engine = unit_engine
    instance = start(engine)
    run_to_nominations(engine, clock, instance)
    task = only_task(engine, instance.id, "Task_nominate")
    before = snapshot(engine, instance.id)
    with pytest.raises(FormValidationError) as refused:
        engine.tasks.complete(task.id, {"nominees": [individual("lan", "Nguyễn Thị Lan"),
                                                     individual("lan", "Nguyễn Thị Lan", "giay_khen")],
                                        "unitResults": "Hoàn thành"}, actor="lan")
    [error] = refused.value.errors
    assert (error.field, error.code, error.params) == ("nominees-1-userId", "nominee_twice",
                                                       {"name": "Nguyễn Thị Lan", "first": 1})
    assert error.message.startswith("Nguyễn Thị Lan đã có trong danh sách (dòng 1).")
    assert snapshot(engine, instance.id) == before


# --- issue 12.3: the unit reports by the campaign's unitReportDate -------------------------------

def test_a_report_dated_after_the_units_deadline_is_refused_and_changes_nothing(unit_engine, clock):
    engine = unit_engine
    instance = start(engine)
    run_to_nominations(engine, clock, instance)
    nominate(engine, instance, [collective()])
    task = only_task(engine, instance.id, "Task_submit")
    before = snapshot(engine, instance.id)
    with pytest.raises(FormValidationError) as refused:
        engine.tasks.complete(task.id, {"reportedOn": "2025-08-09"}, actor="lan")
    [error] = refused.value.errors
    assert (error.field, error.code) == ("reportedOn", "date_not_after")
    assert error.message == ("Ngày báo cáo, đề xuất (09/08/2025) không được sau hạn đơn vị báo cáo, đề xuất "
                             "(08/08/2025). / The date of the unit's report (09/08/2025) must not be after the "
                             "units' reporting deadline (08/08/2025).")
    assert snapshot(engine, instance.id) == before
    engine.tasks.complete(task.id, {"reportedOn": "2025-08-08"}, actor="lan")  # on the deadline is in time
    assert only_task(engine, instance.id, "Task_appraise")


def test_a_second_return_needs_its_own_reason(unit_engine, clock):
    """The first reason is not carried over: returning again without a reason is refused."""
    engine = unit_engine
    instance = returned_to_the_unit(engine, clock)
    engine.tasks.complete(only_task(engine, instance.id, "Task_correct").id, {"correctionNote": "Đã bổ sung"},
                          actor="lan")
    submit(engine, instance)
    task = only_task(engine, instance.id, "Task_appraise")
    assert engine.tasks.form_variables(task.id).get("returnReason") in (None, "")  # nothing stale prefilled
    before = snapshot(engine, instance.id)
    with pytest.raises(FormValidationError):
        engine.tasks.complete(task.id, {"appraisals": [{"nomineeId": "nom-lan", "decision": "return"},
                                                       {"nomineeId": "nom-tong_hop", "decision": "accept"}]},
                              actor="hoa")
    assert snapshot(engine, instance.id) == before
    # The first return is still in the history.
    returns = [json.loads(e.data_json) for e in engine.history.events(instance_id=instance.id, event_types=["complete"])
               if e.element_id == "Task_appraise"]
    assert returns == [{"appraisals": [{"nomineeId": "nom-lan", "decision": "return", "note": "Thiếu biên bản họp bình xét"},
                                       {"nomineeId": "nom-tong_hop", "decision": "accept", "note": None}]}]
