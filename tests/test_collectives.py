"""Collectives (tập thể): a unit proposes itself or a sub-team, judged on the campaign's collective
criteria (workflows/collectives.py), and the collective runs through the same appraisal, vote,
decision and announcement as a person. Whole campaigns on SQLite and PostgreSQL, with the
fixtures and moves of tests/test_campaign.py.
"""
from __future__ import annotations

import pytest

from engine import TaskQuery
from engine.forms.submission import FormValidationError
from tests.test_campaign import (AN, KINH_TE, LAN, TONG_HOP, VARIABLES, Campaign, campaign_engine, clock,  # noqa: F401
                                 collective)
from workflows.collectives import collective_id, slug
from workflows.demo import COLLECTIVE_CRITERIA_2025 as CRITERIA

TEAM = "Tổ Quản trị mạng"
TEAM_ID = "nom-tong_hop-to-quan-tri-mang"


def checked(met=(True, True, True), evidence="Biên bản họp bình xét ngày 06/8/2025") -> list[dict]:
    return [{**c, "met": m, "evidence": evidence} for c, m in zip(CRITERIA, met)]


def sub_team(name: str = TEAM, award: str = "giay_khen", **changes) -> dict:
    return {"id": collective_id("tong_hop", "Phòng Tổng hợp", name), "kind": "collective", "userId": None,
            "fullName": name, "collectiveOf": "tong_hop", "award": award,
            "achievements": "Bảo đảm hệ thống mạng, hội nghị truyền hình thông suốt trong các hoạt động kỷ niệm",
            "criteria": checked(), **changes}


def at_nominations(engine, clock, variables=None) -> Campaign:
    campaign = Campaign(engine, clock, variables)
    campaign.launch()
    campaign.end_campaign_period()
    return campaign


def unit_state(campaign: Campaign, code: str = "tong_hop") -> tuple:
    """What a refused submission must leave as it was, in the unit's instance and the campaign."""
    unit = campaign.units()[code]
    engine = campaign.engine
    return (engine.runtime.get_variables(unit), sorted(t.element_id for t in engine.tasks.list(TaskQuery(instance_id=unit))),
            len(engine.history.events(instance_id=unit)), campaign.variables())


def refused(campaign: Campaign, element_id: str, values: dict) -> list[tuple[str, str, str]]:
    before = unit_state(campaign)
    with pytest.raises(FormValidationError) as caught:
        campaign.complete(element_id, values, unit="tong_hop")
    assert unit_state(campaign) == before
    assert all(" / " in e.message for e in caught.value.errors)  # Vietnamese, then English
    return [(e.field, e.code, e.message) for e in caught.value.errors]


# --- ids ----------------------------------------------------------------------------------------

def test_a_collective_id_is_the_unit_or_the_unit_and_the_folded_team_name():
    assert slug("Tổ Quản trị mạng") == "to-quan-tri-mang"
    assert slug("Đội  Điều hành / Trực ban") == "doi-dieu-hanh-truc-ban"
    assert collective_id("tong_hop", "Phòng Tổng hợp", TEAM) == TEAM_ID
    # The same team typed another way is the same collective; the unit's own name is the unit.
    assert collective_id("tong_hop", "Phòng Tổng hợp", "tổ quản trị  MẠNG") == TEAM_ID
    assert collective_id("tong_hop", "Phòng Tổng hợp", "PHÒNG TỔNG HỢP") == "nom-tong_hop"
    assert collective_id("tong_hop", "Phòng Tổng hợp", "") == "nom-tong_hop"


# --- a whole campaign ---------------------------------------------------------------------------

def test_the_unit_and_a_sub_team_run_through_appraisal_vote_decision_and_announcement(campaign_engine, clock):
    campaign = at_nominations(campaign_engine, clock)
    # The criteria came with the campaign, and the campaign passed them to each unit.
    for unit in campaign.units().values():
        assert campaign_engine.runtime.get_variables(unit)["collectiveCriteria"] == CRITERIA
    itself = collective(TONG_HOP, "buc_truong")
    campaign.unit_evaluates(TONG_HOP, [LAN, itself, sub_team()])
    campaign.unit_evaluates(KINH_TE, [AN])

    # The eligibility table lets collectives through; their checked criteria travel with them.
    unit_result = campaign.variables()["unitResults"][0]
    by_id = {n["id"]: n for n in unit_result["nominees"]}
    assert (by_id[TEAM_ID]["eligible"], by_id[TEAM_ID]["route"]) == (True, "council")
    assert by_id[TEAM_ID]["criteria"] == checked() and by_id["nom-tong_hop"]["criteria"] == itself["criteria"]
    assert by_id[TEAM_ID]["collectiveOf"] == "tong_hop" and by_id[TEAM_ID]["userId"] is None
    candidates = {c["nomineeId"]: c for c in campaign.variables()["candidates"]}
    assert candidates[f"tong_hop:{TEAM_ID}"]["criteria"] == checked()
    assert [c["nomineeId"] for c in campaign.variables()["candidates"]][:2] == [
        "tong_hop:nom-tong_hop", f"tong_hop:{TEAM_ID}"]  # collectives first, by name

    campaign.to_council()
    campaign.vote()
    assert [a["nomineeId"] for a in campaign.variables()["chiefAwardees"]] == [f"tong_hop:{TEAM_ID}", "kinh_te:nom-an"]
    assert [a["nomineeId"] for a in campaign.variables()["chairmanAwardees"]] == ["tong_hop:nom-tong_hop",
                                                                                   "tong_hop:nom-lan"]
    campaign.decide_and_report()

    variables = campaign.variables()
    awarded = {a["nomineeId"]: a for a in variables["awarded"]}
    assert sorted(awarded) == ["kinh_te:nom-an", "tong_hop:nom-lan", "tong_hop:nom-tong_hop", f"tong_hop:{TEAM_ID}"]
    assert awarded[f"tong_hop:{TEAM_ID}"]["criteria"] == checked()
    assert variables["announcement"].splitlines()[1:] == [
        "Bức trướng của UBND tỉnh (Quyết định số 1520/QĐ-UBND ngày 25/08/2025):",
        "  1. Phòng Tổng hợp",
        "Bằng khen của Chủ tịch UBND tỉnh (Quyết định số 1520/QĐ-UBND ngày 25/08/2025):",
        "  1. Nguyễn Thị Lan – Phòng Tổng hợp",
        "Giấy khen của Chánh Văn phòng (Quyết định số 01/QĐ-VPUB ngày 20/08/2025):",
        "  1. Tổ Quản trị mạng – Phòng Tổng hợp",  # a sub-team is named with its unit
        "  2. Lê Văn An – Phòng Kinh tế",
    ]


# --- refused, naming what is wrong, and nothing written -----------------------------------------

def test_a_collective_that_misses_a_criterion_is_refused_naming_it(campaign_engine, clock):
    campaign = at_nominations(campaign_engine, clock)
    errors = refused(campaign, "Task_nominate", {"nominees": [LAN, sub_team(criteria=checked(met=(True, False, True)))],
                                                 "unitResults": "Tốt"})
    assert [(field, code) for field, code, _ in errors] == [("nominees-1-met_1", "criterion_not_met")]
    message = errors[0][2]
    assert message.startswith("Tổ Quản trị mạng chưa đạt tiêu chí “Có thành tích xuất sắc trong đợt thi đua")
    assert "Tổ Quản trị mạng does not meet the criterion “Có thành tích xuất sắc" in message
    # Met, it goes on to the appraisal.
    campaign.unit_evaluates(TONG_HOP, [LAN, sub_team()])
    unit_result = campaign.engine.runtime.get_variables(campaign.units()["tong_hop"])["unitResult"]
    assert [n["id"] for n in unit_result["nominees"]] == ["nom-lan", TEAM_ID]


@pytest.mark.parametrize("nominees, expected", [
    ([sub_team(criteria=[{**c, "evidence": " "} for c in checked()])],
     [("nominees-0-evidence_0", "criterion_evidence"), ("nominees-0-evidence_1", "criterion_evidence"),
      ("nominees-0-evidence_2", "criterion_evidence")]),
    ([sub_team(criteria=checked()[:2])], [("nominees-0-met_2", "criterion_missing")]),
    ([sub_team(criteria=[{**checked()[0], "text": "Một tiêu chí khác"}, *checked()[1:]])],
     [("nominees-0-criteria", "criterion_unknown"), ("nominees-0-met_0", "criterion_missing")]),
    ([sub_team(criteria=[{**checked()[0], "met": "có"}, *checked()[1:]])], [("nominees-0-met_0", "criterion_met")]),
    ([sub_team(criteria=None)], [("nominees-0-criteria", "criteria_list")]),
    ([sub_team(criteria=[{**checked()[0], "id": ["phat_dong"]}, *checked()[1:]])],
     [("nominees-0-criteria", "criterion_unknown"), ("nominees-0-met_0", "criterion_missing")]),
    ([sub_team(criteria=[*checked(), checked()[0]])], [("nominees-0-criteria", "criteria_list")]),
    ([sub_team(), sub_team("tổ quản trị MẠNG", award="bang_khen")], [("nominees-1-name", "nominee_twice")]),
    ([collective(TONG_HOP), collective(TONG_HOP, "buc_truong")], [("nominees-1-name", "nominee_twice")]),
    ([sub_team(id="nom-tong_hop-mang")], [("nominees-0-name", "collective_id")]),
    ([sub_team(id=["nom"])], [("nominees-0-name", "collective_id")]),
    ([sub_team(collectiveOf="kinh_te")], [("nominees-0-name", "collective_of")]),
    ([sub_team(fullName=" ")], [("nominees-0-name", "collective_name")]),
    ([{**LAN, "award": "buc_truong"}], [("nominees-0-award", "banner_collective_only")]),
], ids=["no-evidence", "criterion-missing", "another-campaigns-criterion", "met-not-yes-or-no", "no-checklist",
        "criterion-id-not-text", "criterion-twice", "same-sub-team-twice", "the-unit-twice", "id-not-from-the-name",
        "id-not-text", "another-units-collective", "no-name", "banner-to-a-person"])
def test_bad_collectives_are_refused_and_change_nothing(campaign_engine, clock, nominees, expected):
    campaign = at_nominations(campaign_engine, clock)
    errors = refused(campaign, "Task_nominate", {"nominees": nominees, "unitResults": "Tốt"})
    assert [(field, code) for field, code, _ in errors] == expected


def test_messages_are_clear_in_both_languages(campaign_engine, clock):
    campaign = at_nominations(campaign_engine, clock)
    [(_, _, evidence)] = refused(campaign, "Task_nominate", {"nominees": [sub_team(criteria=[
        {**c, "evidence": "" if c["id"] == "doan_ket" else "Có"} for c in checked()])], "unitResults": "Tốt"})
    assert evidence == ("Nêu minh chứng cho tiêu chí “Nội bộ đoàn kết, thực hiện tốt chủ trương của Đảng, chính sách, "
                        "pháp luật của Nhà nước.” (tối đa 4000 ký tự). / Give the evidence for the criterion “Nội bộ "
                        "đoàn kết, thực hiện tốt chủ trương của Đảng, chính sách, pháp luật của Nhà nước.” (at most "
                        "4000 characters).")
    [(_, _, twice)] = refused(campaign, "Task_nominate", {"nominees": [sub_team(), sub_team()], "unitResults": "Tốt"})
    assert twice == "Tổ Quản trị mạng đã có trong danh sách (dòng 1). / Tổ Quản trị mạng is already on the list (row 1)."


def test_a_returned_list_is_corrected_under_the_same_criteria_and_keeps_its_ids(campaign_engine, clock):
    campaign = at_nominations(campaign_engine, clock)
    campaign.complete("Task_nominate", {"nominees": [sub_team()], "unitResults": "Tốt"}, unit="tong_hop")
    campaign.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit="tong_hop")
    campaign.appraise("tong_hop", {TEAM_ID: "Bổ sung minh chứng"})
    unmet = [sub_team(), collective(TONG_HOP) | {"criteria": checked(met=(False, True, True))}]
    errors = refused(campaign, "Task_correct", {"nominees": unmet, "correctionNote": "Thêm tập thể phòng"})
    assert [(field, code) for field, code, _ in errors] == [("nominees-1-met_0", "criterion_not_met")]
    campaign.complete("Task_correct", {"nominees": [sub_team(), collective(TONG_HOP)],
                                       "correctionNote": "Thêm tập thể phòng"}, unit="tong_hop")
    campaign.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit="tong_hop")
    campaign.appraise("tong_hop")
    campaign.unit_evaluates(KINH_TE, [AN])
    assert [c["nomineeId"] for c in campaign.variables()["candidates"]] == [
        "tong_hop:nom-tong_hop", f"tong_hop:{TEAM_ID}", "kinh_te:nom-an"]


# --- a campaign without a checklist -------------------------------------------------------------

def test_without_criteria_in_the_campaign_collectives_are_judged_without_a_checklist(campaign_engine, clock):
    variables = {k: v for k, v in VARIABLES.items() if k != "collectiveCriteria"}
    campaign = at_nominations(campaign_engine, clock, variables)
    assert "collectiveCriteria" not in campaign_engine.runtime.get_variables(campaign.units()["tong_hop"])
    errors = refused(campaign, "Task_nominate", {"nominees": [sub_team()], "unitResults": "Tốt"})
    assert [(field, code) for field, code, _ in errors] == [("nominees-0-criteria", "criteria_none")]
    campaign.unit_evaluates(TONG_HOP, [sub_team(criteria=[])])
    [team] = campaign.engine.runtime.get_variables(campaign.units()["tong_hop"])["unitResult"]["nominees"]
    assert (team["id"], team["route"], team["criteria"]) == (TEAM_ID, "council", [])


def test_malformed_campaign_criteria_refuse_collectives_and_say_whom_to_tell(campaign_engine, clock):
    campaign = at_nominations(campaign_engine, clock, {**VARIABLES, "collectiveCriteria": [{"id": "x", "text": ""}]})
    errors = refused(campaign, "Task_nominate", {"nominees": [sub_team()], "unitResults": "Tốt"})
    assert [(field, code) for field, code, _ in errors] == [("nominees-0-criteria", "criteria_campaign")]
    assert "báo người thiết kế quy trình" in errors[0][2] and "tell the process designer" in errors[0][2]
    campaign.unit_evaluates(TONG_HOP, [LAN])  # the people on the list are not held up
