"""The appraisal with one return, in Chromium: TCHCQT returns one nominee with a reason (a return
without one is refused on the page), the unit head sees the reason, changes the award and asks
for the report again, resubmits, and TCHCQT sees what changed and accepts. Screenshots of the
appraiser's and the unit head's pages are kept under build/screenshots/."""
from __future__ import annotations

from tests.browser.conftest import expect, screenshot
from tests.browser.test_campaign_walkthrough import UNIT_A_NAME, complete, open_task
from tests.portal.conftest import UNIT_A, UNIT_B

APPRAISE = "Thẩm định hồ sơ đề nghị của đơn vị"
CORRECT = "Chỉnh sửa, bổ sung hồ sơ"
LAN = {"id": "nom-lan", "kind": "individual", "userId": "lan", "fullName": "Nguyễn Thị Lan", "award": "bang_khen",
       "achievements": "Tham mưu tổ chức thành công lễ kỷ niệm 80 năm"}
UNIT = {"id": f"nom-{UNIT_A}", "kind": "collective", "userId": None, "fullName": UNIT_A_NAME, "award": "giay_khen",
        "achievements": "Tập thể đoàn kết, hoàn thành tốt các nhiệm vụ"}
REASON = "Báo cáo chưa nêu số liệu cụ thể; đề nghị chuyển sang Giấy khen"


def submitted(portal) -> None:
    """Phòng Tổng hợp proposes Lan and itself; Lan reports; the head submits (through the engine API)."""
    for unit in (UNIT_A, UNIT_B):
        portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=unit)
    portal.end_campaign_period()
    portal.complete("Task_nominate", {"nominees": [LAN, UNIT], "unitResults": "Hoàn thành xuất sắc"}, unit=UNIT_A)
    portal.complete("Task_achievement_report", {"achievementReport": "Tham mưu nhiều văn bản quan trọng."},
                    unit=UNIT_A, actor="lan")
    portal.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit=UNIT_A)


def test_the_appraiser_returns_one_nominee_and_sees_the_correction(office):
    portal = office.portal
    submitted(portal)

    # TCHCQT reads each nominee and returns Lan; without a reason the page refuses.
    page = open_task(office, "officer", APPRAISE, UNIT_A_NAME)
    lan = page.locator("#appraisal-0")
    expect(lan).to_contain_text("Nguyễn Thị Lan")
    expect(lan.locator(".nominee-eligibility")).to_contain_text("Đủ điều kiện")
    expect(lan.locator(".nominee-report")).to_contain_text("Tham mưu nhiều văn bản quan trọng.")
    expect(lan.locator(".nominee-ratings")).to_contain_text("2024: Hoàn thành tốt nhiệm vụ")
    page.check("#appraisals-0-return")
    page.check("#appraisals-1-accept")
    page.click("#complete-task")
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#appraisal-0 .field-error")).to_contain_text("Ghi lý do trả lại đề nghị của Nguyễn Thị Lan")
    expect(page.locator("#appraisals-0-return")).to_be_checked()
    assert "appraisals" not in portal.engine.runtime.get_variables(portal.units[UNIT_A])
    page.fill("#appraisals-0-note", REASON)
    page.fill("#appraisals-1-note", "Hồ sơ tập thể đầy đủ")
    screenshot(page, "appraisal-return-appraiser")
    complete(office, page, APPRAISE)

    # The unit head sees the reason per nominee, moves Lan to Giấy khen and asks for a new report.
    page = open_task(office, "head_a", CORRECT)
    expect(page.locator("#return-reason")).to_contain_text(f"Nguyễn Thị Lan: {REASON}")
    expect(page.locator("#returned-nominees tr[data-nominee=nom-lan]")).to_contain_text(REASON)
    page.select_option("select[name=nominees-0-award]", "giay_khen")
    page.check("#rewrite-nom-lan")
    page.fill("#field-correctionNote", "Chuyển đồng chí Lan sang Giấy khen, viết lại báo cáo có số liệu")
    screenshot(page, "appraisal-return-unit-head")
    complete(office, page, CORRECT)

    # Lan writes her report again; the head resubmits.
    page = open_task(office, "lan", "Viết báo cáo thành tích")
    page.fill("#field-achievementReport", "Tham mưu 120 văn bản, tổ chức 3 hội nghị.")
    complete(office, page, "Viết báo cáo thành tích")
    page = open_task(office, "head_a", "Trình danh sách đề nghị (qua phòng TCHCQT)")
    page.fill("#field-reportedOn", "08/08/2025")
    complete(office, page, "Trình danh sách đề nghị (qua phòng TCHCQT)")

    # TCHCQT sees what changed since the return, and accepts both.
    page = open_task(office, "officer", APPRAISE, UNIT_A_NAME)
    lan = page.locator("#appraisal-0")
    expect(lan.locator(".change-award")).to_have_text(
        "Đổi hình thức: Bằng khen của Chủ tịch UBND tỉnh → Giấy khen của Chánh Văn phòng")
    expect(lan.locator(".change-report")).to_have_text("Báo cáo thành tích đã thay đổi")
    expect(lan.locator(".returned-reason")).to_contain_text(REASON)
    expect(lan.locator(".nominee-report")).to_contain_text("Tham mưu 120 văn bản, tổ chức 3 hội nghị.")
    expect(page.locator("#appraisal-1 .badge.text-bg-warning")).to_have_count(0)
    page.check("#appraisals-0-accept")
    page.fill("#appraisals-0-note", "Đã bổ sung số liệu")
    page.check("#appraisals-1-accept")
    screenshot(page, "appraisal-return-changes")
    complete(office, page, APPRAISE)

    variables = portal.engine.runtime.get_variables(portal.units[UNIT_A])
    assert portal.engine.runtime.get_instance(portal.units[UNIT_A]).status == "completed"
    assert [(n["id"], n["award"], n["appraisalNote"], n.get("achievementReport"))
            for n in variables["unitResult"]["nominees"]] == [
        ("nom-lan", "giay_khen", "Đã bổ sung số liệu", "Tham mưu 120 văn bản, tổ chức 3 hội nghị."),
        (f"nom-{UNIT_A}", "giay_khen", None, None)]
