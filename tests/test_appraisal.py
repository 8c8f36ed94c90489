"""TCHCQT's appraisal, nominee by nominee (bpmn/unit_evaluation.bpmn, workflows/appraisal.py):
per-nominee accept or return, the unit's correction loop, what changed since the return, the
check's refusals, and the nominees' reports written in parallel. Real instances, both databases.
"""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from engine import EngineConfig, ProcessEngine
from engine.forms.submission import FormValidationError
from tests.conftest import FakeClock
from tests.test_campaign import AN as CAMPAIGN_AN, LAN as CAMPAIGN_LAN, TONG_HOP, UNITS as CAMPAIGN_UNITS
from tests.test_campaign import Campaign, campaign_engine, clock  # noqa: F401 (fixtures)
from tests.test_campaign import collective as campaign_collective
from tests.test_unit_evaluation import (BPMN_DIR, MODEL, OFFICE_TZ, VARIABLES, collective, individual,
                                        open_tasks, only_task, run_to_nominations, snapshot, submit)
from workflows.appraisal import changes_since_return, decisions
from workflows.document_register import DocumentRegister
from workflows.handlers import register_handlers

# userId -> (yearsAtOffice, yearsSinceDiscipline, worstRatingLast10)
FACTS = {"lan": (12, None, "good"), "minh": (8, None, "excellent"), "hung": (15, None, "excellent")}
LAN, MINH, HUNG = (individual("lan", "Nguyễn Thị Lan"), individual("minh", "Trần Văn Minh", "giay_khen"),
                   individual("hung", "Lê Văn Hùng"))


@pytest.fixture
def engine(database_url, handlers):
    def staff_facts(ctx):
        user_id = ctx.variables["nominee"].get("userId")
        years, discipline, rating = FACTS[user_id] if user_id else (None, None, None)
        return {"yearsAtOffice": years, "yearsSinceDiscipline": discipline, "worstRatingLast10": rating,
                "missingRatingYears": None, "pendingCase": None, "pendingCaseText": None, "sameAwardInCampaign": None}

    handlers.register("staff_facts", staff_facts)
    clock = FakeClock(datetime(2025, 6, 6, 8, 0, tzinfo=OFFICE_TZ))
    with ProcessEngine(EngineConfig(database_url=database_url, clock=clock), handlers=handlers) as engine:
        # The checks, and issue_document (the unit's tờ trình and reports) on the real register.
        register_handlers(handlers, register=DocumentRegister(engine.context.db))
        engine.repository.deploy([("unit_evaluation.bpmn", MODEL.read_bytes()),
                                  ("eligibility.dmn", (BPMN_DIR / "eligibility.dmn").read_bytes())])
        engine.test_clock = clock
        yield engine


def nominated(engine, nominees):
    instance = engine.runtime.start_process_by_key("unit_evaluation", VARIABLES, business_key="05/KH-VPUB")
    run_to_nominations(engine, engine.test_clock, instance)
    task = only_task(engine, instance.id, "Task_nominate")
    engine.tasks.complete(task.id, {"nominees": nominees, "unitResults": "Hoàn thành xuất sắc"}, actor="lan")
    return instance


def report_tasks(engine, instance):
    return {t.assignee: t for t in open_tasks(engine, instance.id) if t.element_id == "Task_achievement_report"}


def write(engine, instance, user_id, text=None):
    task = report_tasks(engine, instance)[user_id]
    engine.tasks.complete(task.id, {"achievementReport": text or f"Báo cáo của {user_id}"}, actor=user_id)


def checked(engine, instance):
    return engine.runtime.get_variables(instance.id)["checkedNominees"]


def appraise(engine, instance, returns=None, notes=None):
    task = only_task(engine, instance.id, "Task_appraise")
    engine.tasks.complete(task.id, decisions(checked(engine, instance), returns, notes), actor="hoa")


def returned_dossier(engine):
    """Lan, Minh and the unit proposed and reported; TCHCQT returns Minh, accepts the others."""
    instance = nominated(engine, [LAN, MINH, collective()])
    write(engine, instance, "minh")
    write(engine, instance, "lan")
    submit(engine, instance)
    appraise(engine, instance, {"nom-minh": "Báo cáo chưa nêu số liệu cụ thể"}, {"nom-lan": "Hồ sơ đầy đủ"})
    return instance


# --- parallel reports --------------------------------------------------------------------------

def test_every_nominee_writes_the_report_at_the_same_time_and_the_list_keeps_its_order(engine):
    instance = nominated(engine, [LAN, collective(), MINH])
    # Both individuals have their report task open at once, each assigned to the person.
    reports = report_tasks(engine, instance)
    assert set(reports) == {"lan", "minh"}
    assert {t.name for t in reports.values()} == {"Viết báo cáo thành tích"}
    # Minh writes first; Lan's task is still open and nothing is submitted yet.
    write(engine, instance, "minh")
    assert set(report_tasks(engine, instance)) == {"lan"}
    assert [t.element_id for t in open_tasks(engine, instance.id)] == ["Task_achievement_report"]
    write(engine, instance, "lan")
    only_task(engine, instance.id, "Task_submit")
    # The checked list is in the order the unit proposed, each with its own report and result.
    lan, unit, minh = checked(engine, instance)
    assert [lan["id"], unit["id"], minh["id"]] == ["nom-lan", "nom-tong_hop", "nom-minh"]
    assert (lan["achievementReport"], minh["achievementReport"]) == ("Báo cáo của lan", "Báo cáo của minh")
    assert "achievementReport" not in unit
    assert (lan["route"], minh["route"], unit["route"]) == ("council", "council", "council")
    variables = engine.runtime.get_variables(instance.id)
    for leaked in ("nominee", "checked", "byId", "eligible"):
        assert leaked not in variables


# --- per-nominee decisions ---------------------------------------------------------------------

def test_one_returned_nominee_returns_the_dossier_with_the_reasons_by_name(engine):
    instance = returned_dossier(engine)
    correct = only_task(engine, instance.id, "Task_correct")
    assert correct.form_key == "thidua:correction"
    variables = engine.runtime.get_variables(instance.id)
    assert variables["appraisal"] == "return"
    assert variables["returnReason"] == "Trần Văn Minh: Báo cáo chưa nêu số liệu cụ thể"
    assert variables["appraisals"] == [
        {"nomineeId": "nom-lan", "decision": "accept", "note": "Hồ sơ đầy đủ"},
        {"nomineeId": "nom-minh", "decision": "return", "note": "Báo cáo chưa nêu số liệu cụ thể"},
        {"nomineeId": "nom-tong_hop", "decision": "accept", "note": None}]
    snapshot_ = variables["returnedNominees"]
    assert [(n["id"], n["appraisalDecision"], n["appraisalNote"]) for n in snapshot_] == [
        ("nom-lan", "accept", "Hồ sơ đầy đủ"), ("nom-minh", "return", "Báo cáo chưa nêu số liệu cụ thể"),
        ("nom-tong_hop", "accept", None)]
    assert snapshot_[1]["achievementReport"] == "Báo cáo của minh"
    assert variables["rewriteReports"] == []
    assert "unitResult" not in variables


def test_the_unit_corrects_and_the_appraiser_sees_what_changed(engine):
    instance = returned_dossier(engine)
    correct = only_task(engine, instance.id, "Task_correct")
    # The unit drops the collective, moves Lan to Giấy khen, adds Hùng and asks Minh to rewrite.
    engine.tasks.complete(correct.id, {
        "nominees": [{**LAN, "award": "giay_khen"}, MINH, HUNG],
        "rewriteReports": ["nom-minh"], "correctionNote": "Minh viết lại báo cáo; bổ sung Hùng"}, actor="lan")
    # Minh (re-opened) and Hùng (new) write at the same time; Lan's report is kept.
    assert set(report_tasks(engine, instance)) == {"minh", "hung"}
    write(engine, instance, "hung")
    write(engine, instance, "minh", "Báo cáo có số liệu: 120 văn bản tham mưu")
    submit(engine, instance)
    variables = engine.runtime.get_variables(instance.id)
    assert variables.get("rewriteReports") is None and variables.get("appraisals") is None
    now = variables["checkedNominees"]
    assert [n["id"] for n in now] == ["nom-lan", "nom-minh", "nom-hung"]
    assert now[0]["achievementReport"] == "Báo cáo của lan"
    changes = changes_since_return(variables["returnedNominees"], now)
    assert changes["byId"] == {"nom-lan": [{"what": "award", "old": "bang_khen", "new": "giay_khen"}],
                               "nom-minh": [{"what": "report"}], "nom-hung": [{"what": "new"}]}
    assert [n["id"] for n in changes["removed"]] == ["nom-tong_hop"]
    assert changes["returned"] == {"nom-minh": "Báo cáo chưa nêu số liệu cụ thể"}

    appraise(engine, instance, notes={"nom-minh": "Đã bổ sung số liệu"})
    assert engine.runtime.get_instance(instance.id).status == "completed"
    done = engine.runtime.get_variables(instance.id)
    assert done["appraisal"] == "accept" and done["returnReason"] is None
    result = done["unitResult"]["nominees"]
    assert [(n["id"], n["award"], n["appraisalNote"]) for n in result] == [
        ("nom-lan", "giay_khen", None), ("nom-minh", "giay_khen", "Đã bổ sung số liệu"), ("nom-hung", "bang_khen", None)]
    assert result[1]["achievementReport"] == "Báo cáo có số liệu: 120 văn bản tham mưu"
    steps = [e.element_id for e in engine.history.events(instance_id=instance.id, event_types=["complete"])
             if e.element_id in ("Task_appraise", "Task_correct")]
    assert steps == ["Task_appraise", "Task_correct", "Task_appraise"]


def test_accepting_everyone_carries_the_notes_to_the_unit_result(engine):
    instance = nominated(engine, [LAN, collective()])
    write(engine, instance, "lan")
    submit(engine, instance)
    appraise(engine, instance, notes={"nom-lan": "  Thành tích nổi bật  ", "nom-tong_hop": "   "})
    [lan, unit] = engine.runtime.get_variables(instance.id)["unitResult"]["nominees"]
    assert (lan["appraisalNote"], unit["appraisalNote"]) == ("Thành tích nổi bật", None)


# --- refusals change nothing --------------------------------------------------------------------

ACCEPT = {"decision": "accept", "note": None}


@pytest.mark.parametrize("appraisals, errors", [
    ([{"nomineeId": "nom-lan", **ACCEPT}], [("appraisals-1-decision", "appraisal_missing")]),
    ([{"nomineeId": "nom-lan", **ACCEPT}, {"nomineeId": "nom-tong_hop", **ACCEPT},
      {"nomineeId": "nom-hung", **ACCEPT}], [("appraisals", "appraisal_unknown")]),
    ([{"nomineeId": "nom-lan", **ACCEPT}, {"nomineeId": "nom-lan", "decision": "return", "note": "Thiếu"},
      {"nomineeId": "nom-tong_hop", **ACCEPT}], [("appraisals-0-decision", "appraisal_twice")]),
    ([{"nomineeId": "nom-lan", "decision": "return", "note": "  "}, {"nomineeId": "nom-tong_hop", **ACCEPT}],
     [("appraisals-0-note", "appraisal_reason")]),
    ([{"nomineeId": "nom-lan", "decision": "return"}, {"nomineeId": "nom-tong_hop", **ACCEPT}],
     [("appraisals-0-note", "appraisal_reason")]),
    ([{"nomineeId": "nom-lan", "decision": "maybe"}, {"nomineeId": "nom-tong_hop", **ACCEPT}],
     [("appraisals-0-decision", "appraisal_decision")]),
    ("accept", [("appraisals", "appraisals_list")]),
    (None, [("appraisals", "appraisals_list")]),
], ids=["missing", "unknown", "twice", "blank-reason", "no-reason", "bad-decision", "not-a-list", "left-out"])
def test_a_bad_appraisal_is_refused_in_both_languages_and_changes_nothing(engine, appraisals, errors):
    instance = nominated(engine, [LAN, collective()])
    write(engine, instance, "lan")
    submit(engine, instance)
    task = only_task(engine, instance.id, "Task_appraise")
    before = snapshot(engine, instance.id)
    values = {} if appraisals is None else {"appraisals": appraisals}
    with pytest.raises(FormValidationError) as refused:
        engine.tasks.complete(task.id, values, actor="hoa")
    assert [(e.field, e.code) for e in refused.value.errors] == errors
    vi, en = refused.value.errors[0].message.split(" / ")
    assert vi and en and vi != en
    assert snapshot(engine, instance.id) == before


def test_the_reason_names_the_nominee(engine):
    instance = nominated(engine, [collective()])
    submit(engine, instance)
    task = only_task(engine, instance.id, "Task_appraise")
    with pytest.raises(FormValidationError) as refused:
        engine.tasks.complete(task.id, {"appraisals": [{"nomineeId": "nom-tong_hop", "decision": "return"}]})
    assert refused.value.errors[0].message == (
        "Ghi lý do trả lại đề nghị của Phòng Tổng hợp, để đơn vị biết cần sửa gì. / "
        "Give the reason for returning Phòng Tổng hợp, so the unit knows what to correct.")


@pytest.mark.parametrize("rewrite, code", [
    (["nom-tong_hop"], "rewrite_not_individual"), (["nom-hung"], "rewrite_not_individual"),
    ("nom-minh", "rewrite_list")], ids=["a-collective", "not-on-the-list", "not-a-list"])
def test_a_bad_report_reopening_is_refused_and_changes_nothing(engine, rewrite, code):
    instance = returned_dossier(engine)
    correct = only_task(engine, instance.id, "Task_correct")
    before = snapshot(engine, instance.id)
    with pytest.raises(FormValidationError) as refused:
        engine.tasks.complete(correct.id, {"nominees": [LAN, MINH, collective()], "rewriteReports": rewrite,
                                           "correctionNote": "Sửa"}, actor="lan")
    assert [(e.field, e.code) for e in refused.value.errors] == [("rewriteReports", code)]
    assert " / " in refused.value.errors[0].message
    assert snapshot(engine, instance.id) == before


def test_the_history_keeps_each_decision(engine):
    instance = returned_dossier(engine)
    [first] = [json.loads(e.data_json) for e in engine.history.events(instance_id=instance.id, event_types=["complete"])
               if e.element_id == "Task_appraise"]
    assert [a["decision"] for a in first["appraisals"]] == ["accept", "return", "accept"]


# --- the notes go on to the council's list ------------------------------------------------------

def test_the_appraisal_notes_reach_the_councils_list(campaign_engine, clock):
    campaign = Campaign(campaign_engine, clock)
    campaign.launch()
    campaign.end_campaign_period()
    nominations = {"tong_hop": [CAMPAIGN_LAN, campaign_collective(TONG_HOP)], "kinh_te": [CAMPAIGN_AN]}
    notes = {"nom-lan": "Thành tích tiêu biểu của Văn phòng"}
    for unit in CAMPAIGN_UNITS:
        code = unit["code"]
        campaign.complete("Task_nominate", {"nominees": nominations[code], "unitResults": "Tốt"}, unit=code)
        for nominee in nominations[code]:
            if nominee["kind"] == "individual":
                campaign.complete("Task_achievement_report", {"achievementReport": "Báo cáo"}, unit=code,
                                  actor=nominee["userId"])
        campaign.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit=code)
        checked_list = campaign_engine.runtime.get_variables(campaign.units()[code])["checkedNominees"]
        campaign.complete("Task_appraise", decisions(checked_list, notes=notes), unit=code, actor="hoa")
    candidates = {c["nomineeId"]: c["appraisalNote"] for c in campaign.variables()["candidates"]}
    assert candidates == {"tong_hop:nom-lan": "Thành tích tiêu biểu của Văn phòng", "tong_hop:nom-tong_hop": None,
                          "kinh_te:nom-an": None}
