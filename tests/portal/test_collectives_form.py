"""The nominee list form with collectives: a name for a sub-team, and each of the campaign's
collective criteria with "met" and its evidence (web/portal/collective_rows.py).

The portal fixture's campaign has no collective criteria; these tests start a second campaign
(another plan) that has them, as next year's campaign would bring its own.
"""
from __future__ import annotations

from datetime import datetime

from flask import render_template_string

from engine import TaskQuery
from engine.runtime.service import InstanceQuery
from tests.portal.conftest import CAMPAIGN, OFFICE_TZ, UNIT_A
from workflows.demo import COLLECTIVE_CRITERIA_2025 as CRITERIA
from workflows.appraisal import decisions

TEAM = "Tổ Quản trị mạng"
TEAM_ID = "nom-tong_hop-to-quan-tri-mang"
EVIDENCE = "Biên bản họp bình xét ngày 06/8/2025"


def start_campaign_with_criteria(portal) -> dict[str, str]:
    """A second campaign, with the plan's criteria, at its nominations: unit code -> instance id."""
    engine = portal.engine
    campaign = engine.runtime.start_process_by_key("campaign", {**CAMPAIGN, "collectiveCriteria": CRITERIA},
                                                   business_key="87/KH-VPUB", actor="chief")
    units = {i.unit: i.id for i in engine.runtime.list_instances(InstanceQuery(limit=None))
             if i.parent_instance_id == campaign.id}
    for instance_id in units.values():
        complete(portal, instance_id, "Task_deploy_plan", {"deployedOn": "2025-06-10"})
    portal.clock.now = datetime(2025, 8, 6, 8, 0, tzinfo=OFFICE_TZ)
    engine.runtime.fire_due_timers()
    return units


def task(portal, instance_id: str, element_id: str):
    [found] = [t for t in portal.engine.tasks.list(TaskQuery(instance_id=instance_id)) if t.element_id == element_id]
    return found


def complete(portal, instance_id: str, element_id: str, values: dict) -> None:
    portal.engine.tasks.complete(task(portal, instance_id, element_id).id, values, actor="x")


def row(index: int, kind: str, award: str, achievements: str, *, user: str = "", name: str = "",
        met: tuple = (), evidence: tuple = ()) -> dict:
    posted = {f"nominees-{index}-kind": kind, f"nominees-{index}-userId": user, f"nominees-{index}-name": name,
              f"nominees-{index}-award": award, f"nominees-{index}-achievements": achievements}
    for k, ticked in enumerate(met):
        if ticked:
            posted[f"nominees-{index}-met_{k}"] = "yes"
    for k, text in enumerate(evidence):
        posted[f"nominees-{index}-evidence_{k}"] = text
    return posted


def criteria_inputs() -> dict:
    """The campaign's criteria as the page carries them back."""
    posted = {}
    for k, criterion in enumerate(CRITERIA):
        posted[f"collectiveCriteria-{k}-id"] = criterion["id"]
        posted[f"collectiveCriteria-{k}-text"] = criterion["text"]
    return posted


ALL_MET = {"met": (True, True, True), "evidence": (EVIDENCE, EVIDENCE, EVIDENCE)}


def test_the_form_asks_each_criterion_and_refuses_an_unmet_one_keeping_what_was_typed(portal_any_db):
    portal = portal_any_db
    units = start_campaign_with_criteria(portal)
    client = portal.login("head_a")
    nominate = task(portal, units[UNIT_A], "Task_nominate")
    html = client.get(f"/tasks/{nominate.id}").get_data(as_text=True)
    for k, criterion in enumerate(CRITERIA):
        assert criterion["text"] in html
        assert f'name="nominees-__INDEX__-met_{k}"' in html and f'name="nominees-__INDEX__-evidence_{k}"' in html
        assert f'name="collectiveCriteria-{k}-id" value="{criterion["id"]}"' in html
    assert 'name="nominees-__INDEX__-name"' in html

    half = {"unitResults": "Phòng hoàn thành tốt", **criteria_inputs(),
            **row(0, "collective", "giay_khen", "Bảo đảm mạng thông suốt", name=TEAM, met=(True, False, True),
                  evidence=("", "Chưa có", EVIDENCE))}
    refused = client.post(f"/tasks/{nominate.id}/complete", half)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Tổ Quản trị mạng chưa đạt tiêu chí “Có thành tích xuất sắc trong đợt thi đua" in html
    assert "Nêu minh chứng cho tiêu chí “Phát động và hưởng ứng tham gia" in html
    # What was typed is kept: the name, the ticks, the evidence.
    assert f'name="nominees-0-name" value="{TEAM}"' in html and "Chưa có" in html and EVIDENCE in html
    assert 'id="nominees-0-met_2" name="nominees-0-met_2" checked' in html
    assert "nominees" not in portal.engine.runtime.get_variables(units[UNIT_A])
    assert task(portal, units[UNIT_A], "Task_nominate").id == nominate.id

    good = {"unitResults": "Phòng hoàn thành tốt", **criteria_inputs(),
            **row(0, "individual", "bang_khen", "Xuất sắc", user="lan"),
            **row(1, "collective", "buc_truong", "Tập thể đoàn kết", **ALL_MET),
            **row(2, "collective", "giay_khen", "Bảo đảm mạng thông suốt", name=f"  {TEAM} ", **ALL_MET)}
    assert client.post(f"/tasks/{nominate.id}/complete", good).status_code == 302
    checked = [{**c, "met": True, "evidence": EVIDENCE} for c in CRITERIA]
    assert portal.engine.runtime.get_variables(units[UNIT_A])["nominees"] == [
        {"id": "nom-lan", "kind": "individual", "userId": "lan", "fullName": "Nguyễn Thị Lan",
         "award": "bang_khen", "achievements": "Xuất sắc"},
        {"id": "nom-tong_hop", "kind": "collective", "userId": None, "fullName": "Phòng Tổng hợp",
         "collectiveOf": "tong_hop", "award": "buc_truong", "achievements": "Tập thể đoàn kết", "criteria": checked},
        {"id": TEAM_ID, "kind": "collective", "userId": None, "fullName": TEAM, "collectiveOf": "tong_hop",
         "award": "giay_khen", "achievements": "Bảo đảm mạng thông suốt", "criteria": checked}]


def test_bad_lists_are_refused_with_clear_messages_and_change_nothing(portal):
    units = start_campaign_with_criteria(portal)
    client = portal.login("head_a")
    nominate = task(portal, units[UNIT_A], "Task_nominate")
    cases = [
        ({**row(0, "collective", "giay_khen", "Mạng", name=TEAM, **ALL_MET),
          **row(1, "collective", "bang_khen", "Mạng", name="tổ quản trị MẠNG", **ALL_MET)},
         "tổ quản trị MẠNG đã có trong danh sách (dòng 1)."),
        ({**row(0, "individual", "buc_truong", "Xuất sắc", user="lan")}, "Bức trướng chỉ dành cho tập thể."),
        ({**row(0, "collective", "giay_khen", "Mạng", name=TEAM, met=(True, True, True),
                evidence=(EVIDENCE, " ", EVIDENCE))}, "Nêu minh chứng cho tiêu chí “Có thành tích xuất sắc"),
        ({**row(0, "collective", "giay_khen", "Mạng", name="!!!", **ALL_MET)}, "Vui lòng nhập tên tập thể"),
    ]
    for rows, message in cases:
        refused = client.post(f"/tasks/{nominate.id}/complete", {"unitResults": "Tốt", **criteria_inputs(), **rows})
        assert refused.status_code == 422
        assert message in refused.get_data(as_text=True), message
    # A page that carried other criteria than the campaign's is refused by the engine's own check.
    forged = {"unitResults": "Tốt", "collectiveCriteria-0-id": "doan_ket", "collectiveCriteria-0-text": CRITERIA[2]["text"],
              **row(0, "collective", "giay_khen", "Mạng", name=TEAM, met=(True,), evidence=(EVIDENCE,))}
    refused = client.post(f"/tasks/{nominate.id}/complete", forged)
    assert refused.status_code == 422
    assert "Chưa đánh giá tiêu chí “Phát động và hưởng ứng" in refused.get_data(as_text=True)
    assert "nominees" not in portal.engine.runtime.get_variables(units[UNIT_A])


def test_messages_follow_the_users_language(portal):
    units = start_campaign_with_criteria(portal)
    client = portal.login("head_a")
    client.post("/language", {"language": "en"})
    nominate = task(portal, units[UNIT_A], "Task_nominate")
    page = client.get(f"/tasks/{nominate.id}").get_data(as_text=True)
    assert "Collective criteria (3)" in page and "Evidence" in page
    refused = client.post(f"/tasks/{nominate.id}/complete", {
        "unitResults": "Good", **criteria_inputs(),
        **row(0, "collective", "giay_khen", "Network", name=TEAM, met=(True, True, False), evidence=(EVIDENCE, EVIDENCE))})
    assert refused.status_code == 422
    assert "Tổ Quản trị mạng does not meet the criterion “Nội bộ đoàn kết" in refused.get_data(as_text=True)


def test_the_returned_list_shows_the_checked_criteria_for_correction(portal):
    units = start_campaign_with_criteria(portal)
    unit = units[UNIT_A]
    checked = [{**c, "met": True, "evidence": f"Minh chứng {c['id']}"} for c in CRITERIA]
    team = {"id": TEAM_ID, "kind": "collective", "userId": None, "fullName": TEAM, "collectiveOf": UNIT_A,
            "award": "giay_khen", "achievements": "Mạng thông suốt", "criteria": checked}
    complete(portal, unit, "Task_nominate", {"nominees": [team], "unitResults": "Tốt"})
    complete(portal, unit, "Task_submit", {"reportedOn": "2025-08-07"})
    complete(portal, unit, "Task_appraise", decisions([team], {TEAM_ID: "Ghi rõ số liệu"}))
    client = portal.login("head_a")
    correct = task(portal, unit, "Task_correct")
    html = client.get(f"/tasks/{correct.id}").get_data(as_text=True)
    assert f'name="nominees-0-name" value="{TEAM}"' in html
    for k, criterion in enumerate(CRITERIA):
        assert f'id="nominees-0-met_{k}" name="nominees-0-met_{k}" checked' in html
        assert f"Minh chứng {criterion['id']}" in html and criterion["text"] in html
    # Untick one: refused at the correction too.
    posted = {"unitResults": "Tốt", "correctionNote": "Bổ sung số liệu", **criteria_inputs(),
              **row(0, "collective", "giay_khen", "Mạng thông suốt", name=TEAM, met=(True, True, False),
                    evidence=(EVIDENCE, EVIDENCE, ""))}
    refused = client.post(f"/tasks/{correct.id}/complete", posted)
    assert refused.status_code == 422 and "Tổ Quản trị mạng chưa đạt tiêu chí “Nội bộ đoàn kết" in refused.get_data(as_text=True)
    assert portal.engine.runtime.get_variables(unit)["nominees"] == [team]


def test_without_criteria_the_form_says_collectives_are_judged_without_a_checklist(portal):
    for unit in (UNIT_A, "kinh_te"):
        portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=unit)
    portal.end_campaign_period()
    client = portal.login("head_a")
    nominate = portal.task("Task_nominate", UNIT_A)
    html = client.get(f"/tasks/{nominate.id}").get_data(as_text=True)
    assert "Đợt thi đua này không có danh sách tiêu chí tập thể" in html and "met_0" not in html
    done = client.post(f"/tasks/{nominate.id}/complete", {"unitResults": "Tốt",
                                                           **row(0, "collective", "giay_khen", "Lưu trữ tốt", name="Tổ Văn thư")})
    assert done.status_code == 302
    [team] = portal.engine.runtime.get_variables(portal.units[UNIT_A])["nominees"]
    assert (team["id"], team["fullName"], team["criteria"]) == ("nom-tong_hop-to-van-thu", "Tổ Văn thư", [])


def test_the_read_only_list_shows_each_criterion_met_or_not_with_its_evidence(portal):
    criteria = [{**CRITERIA[0], "met": True, "evidence": EVIDENCE}, {**CRITERIA[1], "met": False, "evidence": ""}]
    with portal.app.test_request_context():
        html = render_template_string('{% from "portal/_collective_criteria.html" import criteria_list %}'
                                      "{{ criteria_list(criteria) }}", criteria=criteria)
    assert 'data-criterion="phat_dong" data-met="yes"' in html and 'data-criterion="thanh_tich" data-met="no"' in html
    assert "Đạt" in html and "Chưa đạt" in html and f"Minh chứng: {EVIDENCE}" in html
