"""The person page in Chromium: a nominee opens "Hồ sơ của tôi" from the menu and reads their
record, the case that blocks them, their award history and their nomination with its report."""
from __future__ import annotations

from datetime import date

from engine import TaskQuery
from tests.browser.conftest import expect, screenshot
from tests.portal.conftest import UNIT_A, UNIT_B
from workflows.award_register import AwardRegister
from workflows.pending_cases import PendingCases

LAN = {"id": "nom-lan", "kind": "individual", "userId": "lan", "fullName": "Nguyễn Thị Lan", "award": "giay_khen",
       "achievements": "Hoàn thành xuất sắc nhiệm vụ"}


def test_a_nominee_reads_their_record(office):
    portal = office.portal
    db = portal.engine.context.db
    AwardRegister(db).record([{"nomineeId": "tong_hop:nom-lan", "unit": UNIT_A, "kind": "individual", "userId": "lan",
                               "fullName": "Nguyễn Thị Lan", "award": "giay_khen", "decisionNumber": "12/QĐ-VPUB",
                               "decisionDate": "2024-08-20"}], "KH-2024", "Đợt thi đua năm 2024")
    for unit, head in ((UNIT_A, "head_a"), (UNIT_B, "head_b")):
        portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=unit, actor=head)
    portal.end_campaign_period()
    portal.complete("Task_nominate", {"nominees": [LAN], "unitResults": "Hoàn thành tốt"}, unit=UNIT_A, actor="head_a")
    [report] = portal.engine.tasks.list(TaskQuery(instance_id=portal.units[UNIT_A], assignee="lan"))
    portal.engine.tasks.complete(report.id, {"achievementReport": "Tham mưu 120 văn bản đúng hạn"}, actor="lan")
    # A complaint lodged after she was found eligible: her page shows it as open now.
    PendingCases(db).open("lan", "complaint", date(2025, 8, 6), "Đơn khiếu nại đang được xem xét")

    page = office.page("lan")
    page.click("text=Hồ sơ của tôi")
    page.wait_for_url(office.url("/people/lan"))
    expect(page.locator("#person-title")).to_contain_text("Nguyễn Thị Lan")
    expect(page.locator("#person-blocked")).to_contain_text(
        "Không xét khen thưởng: đang có khiếu nại chưa được giải quyết")
    expect(page.locator("#person-awards")).to_contain_text("12/QĐ-VPUB · 20/08/2024")
    card = page.locator(".nomination")
    expect(card.locator(".nomination-status")).to_have_text("Đã viết báo cáo")
    card.locator("summary").click()
    expect(card.locator(".report-text")).to_have_text("Tham mưu 120 văn bản đúng hạn")
    screenshot(page, "person-page")
