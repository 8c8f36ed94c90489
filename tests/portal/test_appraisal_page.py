"""The appraisal page (formKey thidua:appraisal) and the unit's correction after a return: what TCHCQT
reads per nominee, per-nominee decisions, refusals that change nothing, the reasons at the top of
the unit's task, re-opening a report, and what changed since the return."""
from __future__ import annotations

from datetime import date

from engine import TaskQuery
from tests.portal.conftest import UNIT_A, UNIT_B
from web.composition import staff_directory
from workflows.staff_directory import Staff


def _task_ids(portal, instance_id):
    return {t.element_id for t in portal.engine.tasks.list(TaskQuery(instance_id=instance_id))}


def _nominee(index, kind, user, award, achievements):
    return {f"nominees-{index}-kind": kind, f"nominees-{index}-userId": user, f"nominees-{index}-award": award,
            f"nominees-{index}-achievements": achievements}


LAN_ROW = _nominee(0, "individual", "lan", "bang_khen", "Tham mưu tổng hợp xuất sắc")
UNIT_ROW = _nominee(1, "collective", "", "giay_khen", "Tập thể đoàn kết")


def _submitted(portal):
    """Lan (Chuyên viên chính, reprimanded in 2019) and the unit, reported and submitted."""
    directory = staff_directory(portal.engine)
    directory.upsert_staff(Staff("lan", "Nguyễn Thị Lan", UNIT_A, date(2012, 9, 1), position="Chuyên viên chính"))
    directory.add_discipline("lan", date(2019, 3, 4), "Khiển trách", "Chậm trễ văn bản")
    for unit in (UNIT_A, UNIT_B):
        portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=unit)
    portal.end_campaign_period()
    head = portal.login("head_a")
    task = portal.task("Task_nominate", UNIT_A)
    assert head.post(f"/tasks/{task.id}/complete", {"unitResults": "Tốt", **LAN_ROW, **UNIT_ROW}).status_code == 302
    portal.complete("Task_achievement_report", {"achievementReport": "Tham mưu 120 văn bản trong năm."},
                    unit=UNIT_A, actor="lan")
    portal.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit=UNIT_A)
    return head


def test_the_appraiser_reads_each_nominee_and_decides_one_by_one(portal_any_db):
    portal = portal_any_db
    head = _submitted(portal)
    officer = portal.login("officer")
    task = portal.task("Task_appraise", UNIT_A)
    page = officer.get(f"/tasks/{task.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # Who, where, position, years, the ratings that count, discipline, eligibility and its reason.
    for shown in ("Nguyễn Thị Lan", "Phòng Tổng hợp", "Chuyên viên chính", "12 năm (từ 01/09/2012)",
                  "2024: Hoàn thành tốt nhiệm vụ", "04/03/2019: Khiển trách (Chậm trễ văn bản)",
                  "Chưa đủ điều kiện", "do Chủ tịch UBND tỉnh xem xét, quyết định",
                  "Tham mưu 120 văn bản trong năm.", "Bằng khen của Chủ tịch UBND tỉnh",
                  'name="appraisals-0-decision"', 'name="appraisals-1-note"', 'id="attachments"'):
        assert shown in html, shown
    lan = portal.engine.runtime.get_variables(portal.units[UNIT_A])["checkedNominees"][0]
    assert lan["reason"] in html
    # Another unit's head sees nothing of it.
    assert portal.login("head_b").get(f"/tasks/{task.id}").status_code == 404
    assert head.post(f"/tasks/{task.id}/complete", {"appraisals-0-decision": "accept"}).status_code in (403, 404)

    # A decision missing, and a return without a reason: refused inline, nothing written.
    before = portal.engine.runtime.get_variables(portal.units[UNIT_A])
    refused = officer.post(f"/tasks/{task.id}/complete", {"appraisals-0-decision": "return", "appraisals-0-note": "",
                                                          "appraisals-1-note": "Tốt"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Ghi lý do trả lại đề nghị của Nguyễn Thị Lan, để đơn vị biết cần sửa gì." in html
    assert "Chưa thẩm định Phòng Tổng hợp: chọn chấp nhận hoặc trả lại." in html
    assert 'id="appraisals-0-return" value="return" checked' in html  # the choice is kept
    stale = officer.post(f"/tasks/{task.id}/complete", {"appraisals-0-decision": "accept", "appraisals-0-note": ""})
    assert stale.status_code == 422 and "vui lòng tải lại trang" in stale.get_data(as_text=True)
    assert portal.engine.runtime.get_variables(portal.units[UNIT_A]) == before
    assert _task_ids(portal, portal.units[UNIT_A]) == {"Task_appraise"}

    done = officer.post(f"/tasks/{task.id}/complete", {
        "appraisals-0-decision": "return", "appraisals-0-note": "Báo cáo thiếu số liệu năm 2024",
        "appraisals-1-decision": "accept", "appraisals-1-note": "Hồ sơ đầy đủ"})
    assert done.status_code == 302
    variables = portal.engine.runtime.get_variables(portal.units[UNIT_A])
    assert variables["appraisals"] == [
        {"nomineeId": "nom-lan", "decision": "return", "note": "Báo cáo thiếu số liệu năm 2024"},
        {"nomineeId": "nom-tong_hop", "decision": "accept", "note": "Hồ sơ đầy đủ"}]
    assert variables["appraisal"] == "return"
    assert variables["returnReason"] == "Nguyễn Thị Lan: Báo cáo thiếu số liệu năm 2024"

    # The unit sees the reasons at the top, per nominee, and asks Lan to rewrite her report.
    correct = portal.task("Task_correct", UNIT_A)
    html = head.get(f"/tasks/{correct.id}").get_data(as_text=True)
    assert 'id="returned-nominees"' in html and "Báo cáo thiếu số liệu năm 2024" in html
    assert 'name="rewriteReports" value="nom-lan"' in html
    assert head.post(f"/tasks/{correct.id}/complete", [
        *{"unitResults": "Tốt", "correctionNote": "Lan viết lại báo cáo; tập thể đề nghị Bằng khen",
          **LAN_ROW, **_nominee(1, "collective", "", "bang_khen", "Tập thể đoàn kết")}.items(),
        ("rewriteReports", "nom-lan")]).status_code == 302
    assert _task_ids(portal, portal.units[UNIT_A]) == {"Task_achievement_report"}
    portal.complete("Task_achievement_report", {"achievementReport": "Tham mưu 120 văn bản; số liệu 2024 bổ sung."},
                    unit=UNIT_A, actor="lan")
    portal.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit=UNIT_A)

    # The appraiser sees what changed since the return, then accepts both.
    task = portal.task("Task_appraise", UNIT_A)
    html = officer.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="appraisal-changes"' in html and "Báo cáo thành tích đã thay đổi" in html
    assert "2 đề nghị mới hoặc có thay đổi" in html
    assert "Đổi hình thức: Giấy khen của Chánh Văn phòng → Bằng khen của Chủ tịch UBND tỉnh" in html
    assert "Lý do đã trả lại: Báo cáo thiếu số liệu năm 2024" in html
    assert officer.post(f"/tasks/{task.id}/complete", {
        "appraisals-0-decision": "accept", "appraisals-0-note": "Đã bổ sung số liệu",
        "appraisals-1-decision": "accept", "appraisals-1-note": ""}).status_code == 302
    result = portal.engine.runtime.get_variables(portal.units[UNIT_A])["unitResult"]["nominees"]
    assert [(n["id"], n["award"], n["appraisalNote"]) for n in result] == [
        ("nom-lan", "bang_khen", "Đã bổ sung số liệu"), ("nom-tong_hop", "bang_khen", None)]


def test_a_collective_cannot_be_asked_to_rewrite_a_report(portal):
    head = _submitted(portal)
    portal.appraise(UNIT_A, {"nom-lan": "Thiếu biên bản"})
    correct = portal.task("Task_correct", UNIT_A)
    before = portal.engine.runtime.get_variables(portal.units[UNIT_A])
    refused = head.post(f"/tasks/{correct.id}/complete", [
        *{"unitResults": "Tốt", "correctionNote": "Sửa", **LAN_ROW, **UNIT_ROW}.items(),
        ("rewriteReports", "nom-tong_hop")])
    assert refused.status_code == 422
    assert "Chỉ cá nhân có trong danh sách mới viết lại báo cáo thành tích." in refused.get_data(as_text=True)
    assert portal.engine.runtime.get_variables(portal.units[UNIT_A]) == before


def test_the_page_in_english(portal):
    _submitted(portal)
    officer = portal.login("officer")
    task = portal.task("Task_appraise", UNIT_A)
    officer.post("/language", {"language": "en", "next": f"/tasks/{task.id}"})
    html = officer.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Return to the unit" in html and "Ratings of the years that count" in html


def test_a_year_without_a_rating_is_shown_missing_with_the_rules_reason(portal):
    """Tú joined in 2014; the register has no rating for 2020: the page shows the gap and the reason."""
    portal.engine.identity.create_user("tu", "Hoàng Văn Tú", password="mật-khẩu-2025", unit=UNIT_A,
                                       groups=["staff", f"unit:{UNIT_A}"])
    staff_directory(portal.engine).upsert_staff(
        Staff("tu", "Hoàng Văn Tú", UNIT_A, date(2014, 2, 10), position="Phó Trưởng phòng"),
        ratings={year: "excellent" for year in range(2015, 2025) if year != 2020})
    for unit in (UNIT_A, UNIT_B):
        portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=unit)
    portal.end_campaign_period()
    tu = {"id": "nom-tu", "kind": "individual", "userId": "tu", "fullName": "Hoàng Văn Tú", "award": "bang_khen",
          "achievements": "Xuất sắc"}
    portal.complete("Task_nominate", {"nominees": [tu], "unitResults": "Tốt"}, unit=UNIT_A)
    # Not eligible, so not asked for a report: nothing goes to the council on it.
    assert not portal.engine.tasks.list(TaskQuery(instance_id=portal.units[UNIT_A], assignee="tu"))
    portal.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit=UNIT_A)
    [checked] = portal.engine.runtime.get_variables(portal.units[UNIT_A])["checkedNominees"]
    assert checked["eligible"] is False and "2020" in checked["reason"]
    html = portal.login("officer").get(f"/tasks/{portal.task('Task_appraise', UNIT_A).id}").get_data(as_text=True)
    assert "Phó Trưởng phòng" in html and "11 năm (từ 10/02/2014)" in html
    assert "2019: Hoàn thành xuất sắc nhiệm vụ" in html and "2020: <span class=\"text-danger\">thiếu kết quả đánh giá" in html
    assert checked["reason"] in html and "Chưa đủ điều kiện" in html
