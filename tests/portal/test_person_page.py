"""The person page: a person's record, the open case that blocks them, their award history and,
to themself only, their own nominations with status and result; who may see it."""
from __future__ import annotations

import html
from datetime import date
from types import SimpleNamespace

import pytest

from engine import TaskQuery
from tests.portal.conftest import UNIT_A, UNIT_B
from web.portal.person_nominations import _entries, _result, _status
from workflows.award_register import AwardRegister
from workflows.pending_cases import PendingCases

LAN = {"id": "nom-lan", "kind": "individual", "userId": "lan", "fullName": "Nguyễn Thị Lan", "award": "bang_khen",
       "achievements": "Hoàn thành xuất sắc nhiệm vụ"}
CAMPAIGN_KEY = "86/KH-VPUB"


def page(client, user_id="lan") -> str:
    response = client.get(f"/people/{user_id}")
    assert response.status_code == 200, response.status_code
    return html.unescape(response.get_data(as_text=True))


def nominate(portal, nominees=(LAN,)):
    for unit, head in ((UNIT_A, "head_a"), (UNIT_B, "head_b")):
        portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=unit, actor=head)
    portal.end_campaign_period()
    portal.complete("Task_nominate", {"nominees": list(nominees), "unitResults": "Hoàn thành tốt nhiệm vụ"},
                    unit=UNIT_A, actor="head_a")


def test_a_person_sees_their_record_in_both_languages(portal):
    client = portal.login("lan")
    text = page(client)
    assert "Hồ sơ cá nhân: Nguyễn Thị Lan" in text and "Phòng Tổng hợp" in text
    assert "01/09/2012" in text and "12 năm (tính đến 06/06/2025)" in text  # the office's today
    assert "Hoàn thành tốt nhiệm vụ" in text and "2024" in text
    assert "Không bị kỷ luật." in text and "Chưa có khen thưởng nào được ghi sổ." in text
    assert "Bạn chưa được đơn vị đề nghị khen thưởng." in text
    assert 'href="/people/me"' in client.get("/inbox").get_data(as_text=True)  # "Hồ sơ của tôi" in the menu
    me = client.get("/people/me")
    assert me.status_code == 302 and me.headers["Location"].endswith("/people/lan")
    client.post("/language", {"language": "en", "next": "/people/lan"})
    english = page(client)
    assert "Personal record: Nguyễn Thị Lan" in english and "12 years (on 06/06/2025)" in english
    assert "Completed tasks well" in english and "My record" in english


def test_an_open_case_is_shown_as_the_reason_and_the_history_as_recorded(portal):
    cases = PendingCases(portal.engine.context.db)
    case = cases.open("lan", "discipline_review", date(2025, 5, 20), "Chậm xử lý hồ sơ")
    AwardRegister(portal.engine.context.db).record([
        {"nomineeId": "tong_hop:nom-lan", "unit": UNIT_A, "kind": "individual", "userId": "lan",
         "fullName": "Nguyễn Thị Lan", "award": "giay_khen", "decisionNumber": "12/QĐ-VPUB",
         "decisionDate": "2024-08-20"}], "KH-2024", "Đợt thi đua năm 2024")
    head = portal.login("head_a")
    text = page(head)
    assert "Không xét khen thưởng: đang bị xem xét kỷ luật" in text and "từ 20/05/2025: Chậm xử lý hồ sơ" in text
    assert "Giấy khen của Chánh Văn phòng" in text and "Chánh Văn phòng UBND tỉnh" in text
    assert "12/QĐ-VPUB · 20/08/2024" in text and "Đợt thi đua năm 2024" in text
    assert "Đề nghị khen thưởng của tôi" not in text  # a head sees the record, not the person's nominations
    head.post("/language", {"language": "en", "next": "/people/lan"})
    english = page(head)
    assert "Not considered for commendation: under disciplinary review" in english
    assert "Chief of the Office of the Provincial People's Committee" in english
    # A case settled before today no longer blocks.
    cases.close(case.id, date(2025, 6, 1))
    assert "under disciplinary review" not in page(head)


@pytest.mark.parametrize("viewer, target, status", [
    ("lan", "lan", 200), ("head_a", "lan", 200), ("officer", "lan", 200), ("council", "lan", 200),
    ("chief", "lan", 200), ("admin", "lan", 200), ("officer", "an", 200),
    ("an", "lan", 404), ("head_b", "lan", 404), ("designer", "lan", 404), ("lan", "an", 404),
    ("head_a", "an", 404), ("admin", "khong-co", 404),
])
def test_who_may_see_a_person(portal, viewer, target, status):
    response = portal.login(viewer).get(f"/people/{target}")
    assert response.status_code == status
    if status == 404:
        assert "Hồ sơ cá nhân" not in response.get_data(as_text=True)


def test_a_nominee_follows_their_own_nomination(portal_any_db):
    portal = portal_any_db
    nominate(portal)
    lan = portal.login("lan")
    [card] = [page(lan)]
    assert "Đề nghị khen thưởng của tôi" in card and "Bằng khen của Chủ tịch UBND tỉnh" in card
    assert "Chờ viết báo cáo thành tích" in card and "Chưa viết báo cáo thành tích." in card
    [report] = portal.engine.tasks.list(TaskQuery(instance_id=portal.units[UNIT_A], assignee="lan"))
    portal.engine.tasks.complete(report.id, {"achievementReport": "Tham mưu 120 văn bản đúng hạn"}, actor="lan")
    text = page(lan)
    assert "Đã viết báo cáo" in text and "Tham mưu 120 văn bản đúng hạn" in text
    [submit] = [t for t in portal.engine.tasks.list(TaskQuery(instance_id=portal.units[UNIT_A]))
                if "head:tong_hop" in t.candidate_groups]
    portal.engine.tasks.complete(submit.id, {"reportedOn": "2025-08-07"}, actor="head_a")
    assert "Đang thẩm định, xét duyệt" in page(lan)
    # Nobody else sees her nominations, not even her unit's head on her page.
    assert "Tham mưu 120 văn bản đúng hạn" not in page(portal.login("head_a"))


def test_a_blocked_nominee_sees_why(portal):
    PendingCases(portal.engine.context.db).open("lan", "complaint", date(2025, 7, 1))
    nominate(portal)
    for task in portal.engine.tasks.list(TaskQuery(instance_id=portal.units[UNIT_A], assignee="lan")):
        portal.engine.tasks.complete(task.id, {"achievementReport": "Báo cáo"}, actor="lan")
    text = page(portal.login("lan"))
    assert "Kết quả xét điều kiện: Không xét khen thưởng: đang có khiếu nại chưa được giải quyết" in text


def test_the_status_and_result_are_read_from_the_data():
    checked = {**LAN, "eligible": True, "achievementReport": "Báo cáo"}
    variables = {"unit": UNIT_A, "nominees": [LAN, {**LAN, "id": "nom-an", "userId": "an"}],
                 "checkedNominees": [checked]}
    assert _entries(variables, "lan") == [checked]
    campaign = {"awarded": [{"nomineeId": "tong_hop:nom-lan", "award": "bang_khen", "decisionNumber": "1520/QĐ-UBND",
                             "decisionDate": "2025-08-25"}],
                "notAwarded": [{"nomineeId": "tong_hop:nom-x", "reason": "Chủ tịch UBND tỉnh không quyết định"}]}
    assert _result(campaign, "tong_hop:nom-lan")["awarded"] is True
    assert _result(campaign, "tong_hop:nom-x") == {"awarded": False, "list": "notAwarded", "award": None,
                                                   "decisionNumber": None, "decisionDate": None,
                                                   "reason": "Chủ tịch UBND tỉnh không quyết định"}
    assert _result(campaign, "kinh_te:nom-lan") is None
    active = SimpleNamespace(status="active")
    head_task = SimpleNamespace(assignee=None, candidate_groups=("head:tong_hop",))
    returned = {**variables, "appraisal": "return", "returnReason": "Thiếu biên bản họp"}
    assert _status(active, returned, checked, [head_task], "lan") == ("returned", "Thiếu biên bản họp")
    per_nominee = {**checked, "appraisal": "return", "returnReason": "Sửa hình thức"}
    assert _status(active, variables, per_nominee, [head_task], "lan") == ("returned", "Sửa hình thức")
    assert _status(SimpleNamespace(status="completed"), variables, checked, [], "lan") == ("appraisal", None)
    assert _status(active, variables, checked, [head_task], "lan") == ("written", None)
    # Returned nominee by nominee: each person reads their own reason, an accepted one none.
    snapshot = [{**checked, "appraisalDecision": "return", "appraisalNote": "Thiếu số liệu"},
                {"id": "nom-an", "appraisalDecision": "accept", "appraisalNote": None}]
    by_nominee = {**variables, "appraisal": "return", "returnReason": "Nguyễn Thị Lan: Thiếu số liệu",
                  "returnedNominees": snapshot}
    assert _status(active, by_nominee, checked, [head_task], "lan") == ("returned", "Thiếu số liệu")
    assert _status(active, by_nominee, {**checked, "id": "nom-an"}, [head_task], "an") == ("written", None)
    # Blocked or not eligible: not sent to the council, whatever else holds.
    assert _status(active, variables, {**checked, "route": "blocked"}, [head_task], "lan") == ("not_considered", None)
