"""A finished unit instance's page in Chromium at an office screen's width: it fits in a few screens
(the raw page was some 9,000 px tall), its long lists open and close without script, and a
screenshot is kept as build/screenshots/instance-finished-unit.png."""
from __future__ import annotations

from tests.browser.conftest import TIMEOUT_MS, expect, screenshot, sign_in
from tests.portal.conftest import UNIT_A, UNIT_B

WIDTH, MAX_HEIGHT = 1280, 4000
NOMINEES = [
    {"id": "nom-lan", "kind": "individual", "userId": "lan", "fullName": "Nguyễn Thị Lan", "award": "bang_khen",
     "achievements": "Tham mưu tổ chức thành công lễ kỷ niệm 80 năm Ngày truyền thống Văn phòng; chủ trì soạn "
                     "thảo nhiều văn bản quan trọng của Văn phòng trong năm 2025"},
    {"id": f"nom-{UNIT_A}", "kind": "collective", "userId": None, "fullName": "Phòng Tổng hợp",
     "award": "giay_khen", "achievements": "Tập thể đoàn kết, hoàn thành xuất sắc các nhiệm vụ được giao"},
]


def finished_unit(portal) -> str:
    """Phòng Tổng hợp through deployment, nomination, report, submission and an accepting appraisal."""
    for unit in (UNIT_A, UNIT_B):
        portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=unit, actor="head_a")
    portal.end_campaign_period()
    portal.complete("Task_nominate", {"nominees": NOMINEES, "unitResults": "Hoàn thành xuất sắc nhiệm vụ"},
                    unit=UNIT_A, actor="head_a")
    portal.complete("Task_achievement_report", {"achievementReport": "Báo cáo thành tích năm 2025. " * 20},
                    unit=UNIT_A, actor="lan")
    portal.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit=UNIT_A, actor="head_a")
    portal.appraise(UNIT_A)
    instance_id = portal.units[UNIT_A]
    assert portal.engine.runtime.get_instance(instance_id).status == "completed"
    return instance_id


def test_a_finished_unit_instance_fits_in_a_few_screens(office):
    instance_id = finished_unit(office.portal)
    context = office.browser.new_context(viewport={"width": WIDTH, "height": 900}, locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        sign_in(page, office, "head_a")
        page.goto(office.url(f"/instances/{instance_id}"))
        expect(page.locator("#instance-diagram svg").first).to_be_attached()
        expect(page.locator("#history")).to_contain_text("Thẩm định hồ sơ đề nghị của đơn vị")
        expect(page.locator("#technical-view")).to_have_count(0)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < MAX_HEIGHT, f"the page is {height} px tall at {WIDTH} px wide"
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH  # no sideways scrolling

        # A folded list opens on a click, without script (the CSP allows none inline).
        group = page.locator("details[data-variable=checkedNominees]")
        expect(group.locator("table")).not_to_be_visible()
        group.locator("summary").click()
        expect(group.locator("table")).to_be_visible()
        expect(group.locator("thead")).to_contain_text("Họ và tên")
        group.locator("summary").click()
        screenshot(page, "instance-finished-unit")
    finally:
        context.close()


def test_a_date_field_opens_the_browsers_calendar_and_keeps_dd_mm_yyyy(office):
    task = office.portal.task("Task_guidance")
    page = office.page("officer")
    page.goto(office.url(f"/tasks/{task.id}"))
    text = page.locator("#field-guidanceIssuedOn")
    picker = page.locator("[data-date-for=field-guidanceIssuedOn]")
    expect(text).to_have_attribute("placeholder", "dd/mm/yyyy")
    expect(picker).to_have_attribute("type", "date")
    text.fill("5/7/2025")
    page.click("[data-open-date=field-guidanceIssuedOn]")
    expect(picker).to_have_value("2025-07-05")  # the calendar opens on the typed day
    page.keyboard.press("Escape")
    picker.fill("2025-06-25", force=True)  # what choosing a day in the calendar does
    expect(text).to_have_value("25/06/2025")
    text.fill("không phải ngày")  # a typo: the calendar opens on today, the server refuses it on submit
    page.click("[data-open-date=field-guidanceIssuedOn]")
    expect(picker).to_have_value("")
    page.keyboard.press("Escape")
    page.click("#complete-task")
    expect(page.locator("#error-guidanceIssuedOn")).to_be_visible()
