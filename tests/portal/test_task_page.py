"""The task page: generated forms with the engine's validation, the nominee and vote list forms."""
from __future__ import annotations

import re

from engine import TaskQuery
from tests.portal.conftest import UNIT_A, UNIT_B


def _task_ids(portal, instance_id):
    return {t.element_id for t in portal.engine.tasks.list(TaskQuery(instance_id=instance_id))}


def test_generated_form_shows_errors_inline_and_keeps_input(portal):
    client = portal.login("head_a")
    task = portal.task("Task_deploy_plan", UNIT_A)
    page = client.get(f"/tasks/{task.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="deployedOn"' in html and 'data-field-type="date"' in html and 'placeholder="dd/mm/yyyy"' in html and "Ngày triển khai" in html
    refused = client.post(f"/tasks/{task.id}/complete", {"deployedOn": "31/02/2025",
                                                          "deploymentNote": "Họp toàn phòng ngày 10/6"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="error-deployedOn"' in html and "Ngày không hợp lệ" in html
    assert "Họp toàn phòng ngày 10/6" in html  # what was typed is kept
    assert portal.engine.tasks.get(task.id).id == task.id  # still open, nothing written
    assert "deploymentNote" not in portal.engine.runtime.get_variables(portal.units[UNIT_A])
    empty = client.post(f"/tasks/{task.id}/complete", {"deploymentNote": ""})
    assert empty.status_code == 422 and "Vui lòng nhập thông tin này." in empty.get_data(as_text=True)
    done = client.post(f"/tasks/{task.id}/complete", {"deployedOn": "10/06/2025", "deploymentNote": "Họp phòng"})
    assert done.status_code == 302 and done.headers["Location"] == "/inbox"
    variables = portal.engine.runtime.get_variables(portal.units[UNIT_A])
    assert str(variables["deployedOn"]).startswith("2025-06-10") and variables["deploymentNote"] == "Họp phòng"
    assert "Task_deploy_plan" not in _task_ids(portal, portal.units[UNIT_A])


def test_a_user_of_another_unit_cannot_see_or_complete_the_task(portal):
    task = portal.task("Task_deploy_plan", UNIT_B)
    client = portal.login("head_a")
    assert client.get(f"/tasks/{task.id}").status_code == 404
    assert client.post(f"/tasks/{task.id}/complete", {"deployedOn": "10/06/2025"}).status_code == 404
    assert client.post(f"/tasks/{task.id}/claim").status_code == 404
    assert client.get(f"/instances/{portal.units[UNIT_B]}").status_code in (403, 404)
    assert client.get(f"/instances/{portal.units[UNIT_A]}").status_code == 200
    assert portal.engine.tasks.get(task.id).assignee is None


def test_a_candidate_sees_but_cannot_complete_a_task_someone_else_holds(portal):
    task = portal.task("Task_guidance")
    portal.engine.identity.create_user("officer2", "Hoàng Văn Nam", password="mật-khẩu-2025", unit="tchcqt",
                                       groups=["tchcqt", "unit:tchcqt"])
    portal.engine.tasks.claim(task.id, "officer")
    client = portal.login("officer2")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="not-yours"' in page and 'id="complete-task"' not in page
    assert client.post(f"/tasks/{task.id}/complete", {"guidanceIssuedOn": "2025-06-25"}).status_code == 403


def _to_nomination(portal):
    for unit in (UNIT_A, UNIT_B):
        portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=unit)
    portal.end_campaign_period()


def _nominee(index, kind, user, award, achievements):
    return {f"nominees-{index}-kind": kind, f"nominees-{index}-userId": user, f"nominees-{index}-award": award,
            f"nominees-{index}-achievements": achievements}


def test_nominee_list_form(portal):
    _to_nomination(portal)
    client = portal.login("head_a")
    task = portal.task("Task_nominate", UNIT_A)
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="nominees-table"' in html and "<template>" in html
    # The unit's people only, by given name: Hùng before Lan.
    people = re.findall(r'<option value="(head_a|lan|an|head_b)"', html.split("<template>")[1])
    assert people == ["head_a", "lan"]
    bad = {"unitResults": "", **_nominee(0, "individual", "an", "buc_truong", ""),
           **_nominee(1, "collective", "", "giay_khen", "Tập thể đoàn kết"),
           **_nominee(2, "collective", "", "giay_khen", "Lần hai")}
    refused = client.post(f"/tasks/{task.id}/complete", bad)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    for message in ("Vui lòng chọn một người của đơn vị.", "Bức trướng chỉ dành cho tập thể.",
                    "Phòng Tổng hợp đã có trong danh sách (dòng 2).", "Vui lòng nhập thông tin này."):
        assert message in html
    assert "Tập thể đoàn kết" in html and "Lần hai" in html  # rows kept
    assert "Task_nominate" in _task_ids(portal, portal.units[UNIT_A])
    good = {"unitResults": "Phòng hoàn thành tốt nhiệm vụ",
            **_nominee(0, "individual", "lan", "bang_khen", "Hoàn thành xuất sắc nhiệm vụ"),
            **_nominee(5, "collective", "", "giay_khen", "Tập thể đoàn kết")}
    done = client.post(f"/tasks/{task.id}/complete", good)
    assert done.status_code == 302
    variables = portal.engine.runtime.get_variables(portal.units[UNIT_A])
    assert variables["nominees"] == [
        {"id": "nom-lan", "kind": "individual", "userId": "lan", "fullName": "Nguyễn Thị Lan",
         "award": "bang_khen", "achievements": "Hoàn thành xuất sắc nhiệm vụ"},
        {"id": "nom-tong_hop", "kind": "collective", "userId": None, "fullName": "Phòng Tổng hợp",
         "collectiveOf": "tong_hop", "award": "giay_khen", "achievements": "Tập thể đoàn kết", "criteria": []}]
    assert "Task_achievement_report" in _task_ids(portal, portal.units[UNIT_A])


def _to_vote(portal):
    portal.complete("Task_guidance", {"guidanceIssuedOn": "2025-06-25"})
    portal.complete("Task_open_pages", {"pageUrl": "https://vpubnd.sonla.gov.vn/80-nam"})
    portal.complete("Task_news")
    _to_nomination(portal)
    nominees = {UNIT_A: [{"id": "nom-lan", "kind": "individual", "userId": "lan", "fullName": "Nguyễn Thị Lan",
                          "award": "giay_khen", "achievements": "Xuất sắc"}],
                UNIT_B: [{"id": "nom-kinh_te", "kind": "collective", "userId": None, "fullName": "Phòng Kinh tế",
                          "award": "giay_khen", "achievements": "Đoàn kết"}]}
    for unit, rows in nominees.items():
        portal.complete("Task_nominate", {"nominees": rows, "unitResults": "Tốt"}, unit=unit)
        if unit == UNIT_A:
            portal.complete("Task_achievement_report", {"achievementReport": "Báo cáo"}, unit=unit, actor="lan")
        portal.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit=unit)
        portal.appraise(unit)
    portal.complete("Task_submit_council", {"submittedOn": "2025-08-10"})


def test_vote_list_form(portal):
    _to_vote(portal)
    client = portal.login("council")
    task = portal.task("Task_vote")
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in html and "Phòng Kinh tế" in html and 'name="votes-1-abstain"' in html
    candidates = [c["nomineeId"] for c in portal.engine.runtime.get_variables(portal.campaign_id)["candidates"]]
    bad = {"present": "3", "votes-0-for": "2", "votes-0-against": "0", "votes-0-abstain": "0",
           "votes-1-for": "x", "votes-1-against": "0", "votes-1-abstain": "0"}
    refused = client.post(f"/tasks/{task.id}/complete", bad)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Tổng số phiếu (2) phải bằng số thành viên dự họp (3)." in html
    assert "Vui lòng nhập số nguyên không âm." in html
    assert client.post(f"/tasks/{task.id}/complete", {**bad, "present": "9"}).status_code == 422  # > members
    assert client.post(f"/tasks/{task.id}/complete", {"present": "3"}).status_code == 422  # no rows at all
    assert "Task_vote" in _task_ids(portal, portal.campaign_id)
    good = {"present": "3", "votes-0-for": "3", "votes-0-against": "0", "votes-0-abstain": "0",
            "votes-1-for": "1", "votes-1-against": "2", "votes-1-abstain": "0"}
    # The meeting cannot be before the list reached the council (10/08/2025): refused, nothing written.
    early = client.post(f"/tasks/{task.id}/complete", {**good, "meetingDate": "09/08/2025"})
    assert early.status_code == 422
    assert "không được trước ngày trình Hội đồng (10/08/2025)" in early.get_data(as_text=True)
    assert "votes" not in portal.engine.runtime.get_variables(portal.campaign_id)
    good["meetingDate"] = "15/08/2025"
    assert client.post(f"/tasks/{task.id}/complete", good).status_code == 302
    variables = portal.engine.runtime.get_variables(portal.campaign_id)
    assert [v["nomineeId"] for v in variables["votes"]] == candidates and variables["present"] == 3
    assert [a["nomineeId"] for a in variables["awardees"]] == [candidates[0]]


def _lan_submitted(portal, award: str) -> None:
    """Unit A proposes Lan for `award`; she writes her report; the head submits the list."""
    _to_nomination(portal)
    lan = {"id": "nom-lan", "kind": "individual", "userId": "lan", "fullName": "Nguyễn Thị Lan",
           "award": award, "achievements": "Xuất sắc"}
    portal.complete("Task_nominate", {"nominees": [lan], "unitResults": "Tốt"}, unit=UNIT_A)
    portal.complete("Task_achievement_report", {"achievementReport": "Báo cáo"}, unit=UNIT_A, actor="lan")
    portal.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit=UNIT_A)


def test_a_return_needs_a_reason_which_the_unit_sees_on_the_list_it_corrects(portal):
    _lan_submitted(portal, "giay_khen")
    officer = portal.login("officer")
    appraise = portal.task("Task_appraise", UNIT_A)
    refused = officer.post(f"/tasks/{appraise.id}/complete", {"appraisals-0-decision": "return",
                                                               "appraisals-0-note": " "})
    assert refused.status_code == 422
    assert ("Ghi lý do trả lại đề nghị của Nguyễn Thị Lan, để đơn vị biết cần sửa gì."
            in refused.get_data(as_text=True))
    assert _task_ids(portal, portal.units[UNIT_A]) == {"Task_appraise"}
    assert "returnReason" not in portal.engine.runtime.get_variables(portal.units[UNIT_A])
    assert officer.post(f"/tasks/{appraise.id}/complete", {"appraisals-0-decision": "return",
                                                            "appraisals-0-note": "Thiếu biên bản họp"}).status_code == 302

    head = portal.login("head_a")
    correct = portal.task("Task_correct", UNIT_A)
    html = head.get(f"/tasks/{correct.id}").get_data(as_text=True)
    assert 'id="return-reason"' in html and "Nguyễn Thị Lan: Thiếu biên bản họp" in html
    assert 'id="nominees-table"' in html and 'name="nominees-0-userId"' in html  # the list is editable
    twice = {"unitResults": "Tốt", "correctionNote": "Bổ sung",
             **_nominee(0, "individual", "lan", "giay_khen", "Xuất sắc"),
             **_nominee(1, "individual", "lan", "bang_khen", "Lần hai")}
    refused = head.post(f"/tasks/{correct.id}/complete", twice)
    assert refused.status_code == 422
    assert "Nguyễn Thị Lan đã có trong danh sách (dòng 1)." in refused.get_data(as_text=True)
    assert _task_ids(portal, portal.units[UNIT_A]) == {"Task_correct"}
    good = {"unitResults": "Tốt", "correctionNote": "Bổ sung biên bản; thêm tập thể",
            **_nominee(0, "individual", "lan", "giay_khen", "Xuất sắc"),
            **_nominee(1, "collective", "", "giay_khen", "Đoàn kết")}
    assert head.post(f"/tasks/{correct.id}/complete", good).status_code == 302
    variables = portal.engine.runtime.get_variables(portal.units[UNIT_A])
    assert [n["id"] for n in variables["nominees"]] == ["nom-lan", "nom-tong_hop"]
    assert variables["correctionNote"] == "Bổ sung biên bản; thêm tập thể"
    assert _task_ids(portal, portal.units[UNIT_A]) == {"Task_submit"}  # Lan's report is kept


def test_the_chairman_decision_is_recorded_per_nominee(portal):
    _lan_submitted(portal, "bang_khen")
    portal.appraise(UNIT_A)
    portal.complete("Task_nominate", {"nominees": [], "unitResults": "Tốt"}, unit=UNIT_B)
    portal.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit=UNIT_B)
    portal.appraise(UNIT_B)
    for element_id in ("Task_guidance", "Task_open_pages", "Task_news"):
        portal.complete(element_id, {"guidanceIssuedOn": "2025-06-25"} if element_id == "Task_guidance" else {})
    portal.complete("Task_submit_council", {"submittedOn": "2025-08-10"})
    portal.complete("Task_vote", {"votes": [{"nomineeId": "tong_hop:nom-lan", "for": 3, "against": 0, "abstain": 0}],
                                  "present": 3, "meetingDate": "2025-08-15"})
    assert _task_ids(portal, portal.campaign_id) == {"Task_propose_chairman"}  # no Giấy khen to decide
    portal.complete("Task_propose_chairman")

    client = portal.login("officer")
    task = portal.task("Task_record_chairman")
    html = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="chairman-table"' in html and "Nguyễn Thị Lan" in html and 'name="chairman-0-awarded"' in html
    before = portal.engine.runtime.get_variables(portal.campaign_id)
    refused = client.post(f"/tasks/{task.id}/complete", {"chairman-0-awarded": "yes", "chairman-0-award": "bang_khen",
                                                         "chairman-0-decisionNumber": "",
                                                         "chairman-0-decisionDate": "31/02/2025"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Vui lòng nhập số quyết định." in html and "Vui lòng nhập ngày quyết định (dd/mm/yyyy)." in html
    assert portal.engine.runtime.get_variables(portal.campaign_id) == before
    done = client.post(f"/tasks/{task.id}/complete", {"chairman-0-awarded": "no", "chairman-0-award": "",
                                                      "chairman-0-decisionNumber": "", "chairman-0-decisionDate": ""})
    assert done.status_code == 302
    variables = portal.engine.runtime.get_variables(portal.campaign_id)
    assert variables["chairmanDecisions"] == [{"nomineeId": "tong_hop:nom-lan", "awarded": False, "award": None,
                                               "decisionNumber": "", "decisionDate": None}]
    assert variables["awarded"] == [] and [n["nomineeId"] for n in variables["notAwarded"]] == ["tong_hop:nom-lan"]
