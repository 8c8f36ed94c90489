"""The inbox: my tasks and my groups' tasks, claim / unclaim, filters, due badges, counts."""
from __future__ import annotations

import re
from datetime import datetime

from tests.portal.conftest import OFFICE_TZ, UNIT_A, UNIT_B


def _rows(html: str, section: str) -> list[str]:
    table = re.search(rf'<table[^>]*id="tasks-{section}".*?</table>', html, re.S)
    return re.findall(r'data-task-id="([^"]+)"', table.group(0)) if table else []


def _count(html: str, which: str) -> int:
    return int(re.search(rf'id="count-{which}" data-count="(\d+)"', html).group(1))


def test_offered_tasks_claim_and_unclaim(portal):
    client = portal.login("head_a")
    mine = portal.task("Task_deploy_plan", UNIT_A)
    html = client.get("/").get_data(as_text=True)
    assert _rows(html, "offered") == [mine.id] and _rows(html, "mine") == []
    assert (_count(html, "mine"), _count(html, "offered")) == (0, 1)
    assert "Triển khai kế hoạch đến cán bộ, công chức" in html and "Phòng Tổng hợp" in html
    assert portal.task("Task_deploy_plan", UNIT_B).id not in html  # the other unit's task is not here
    assert client.post(f"/tasks/{mine.id}/claim").status_code == 302
    html = client.get("/inbox").get_data(as_text=True)
    assert _rows(html, "mine") == [mine.id] and (_count(html, "mine"), _count(html, "offered")) == (1, 0)
    assert "Bạn đã nhận việc" in html
    response = client.post(f"/tasks/{mine.id}/unclaim", {"next": "task"})
    assert response.headers["Location"] == f"/tasks/{mine.id}"
    assert portal.engine.tasks.get(mine.id).assignee is None


def test_claimed_by_someone_else(portal):
    task = portal.task("Task_guidance")
    portal.engine.identity.create_user("officer2", "Hoàng Văn Nam", password="mật-khẩu-2025", unit="tchcqt",
                                       groups=["tchcqt", "unit:tchcqt"])
    first, second = portal.login("officer"), portal.login("officer2")
    html = second.get("/").get_data(as_text=True)  # both see it offered
    assert task.id in _rows(html, "offered")
    assert first.post(f"/tasks/{task.id}/claim").status_code == 302
    assert second.post(f"/tasks/{task.id}/claim").status_code == 403  # held by someone else now
    assert second.post(f"/tasks/{task.id}/unclaim").status_code == 403
    assert portal.engine.tasks.get(task.id).assignee == "officer"
    assert task.id not in second.get("/").get_data(as_text=True)


def test_sorted_by_due_date_with_badges_and_filters(portal):
    client = portal.login("officer")
    guidance = portal.task("Task_guidance")  # due 30/6
    html = client.get("/").get_data(as_text=True)
    assert "30/06/2025 23:59" in html and "due-overdue" not in html and "due-soon" not in html
    portal.clock.now = datetime(2025, 6, 28, 9, 0, tzinfo=OFFICE_TZ)  # a Saturday: 30/6 is next week
    html = client.get("/").get_data(as_text=True)
    assert "due-soon" in html and _rows(client.get("/?due=week").get_data(as_text=True), "offered") == []
    portal.clock.now = datetime(2025, 6, 30, 9, 0, tzinfo=OFFICE_TZ)
    html = client.get("/").get_data(as_text=True)
    assert "Sắp đến hạn" in html and "due-soon" in html
    assert _rows(client.get("/?due=week").get_data(as_text=True), "offered") == [guidance.id]
    portal.clock.now = datetime(2025, 7, 1, 9, 0, tzinfo=OFFICE_TZ)
    html = client.get("/").get_data(as_text=True)
    assert "Quá hạn" in html and "due-overdue" in html
    assert _rows(client.get("/?due=overdue").get_data(as_text=True), "offered") == [guidance.id]
    assert _rows(client.get("/?campaign=86/KH-VPUB").get_data(as_text=True), "offered") == [guidance.id]
    assert _rows(client.get("/?campaign=other").get_data(as_text=True), "offered") == []
    assert _rows(client.get(f"/?unit={UNIT_A}").get_data(as_text=True), "offered") == []
    assert client.get("/?due=yesterday").status_code == 400


def test_unit_filter_and_order_for_an_office_wide_role(portal):
    for unit in (UNIT_A, UNIT_B):
        portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=unit)
    portal.end_campaign_period()
    for unit in (UNIT_A, UNIT_B):
        portal.complete("Task_nominate", {"nominees": [], "unitResults": "Tốt"}, unit=unit)
        portal.complete("Task_submit", {"reportedOn": "2025-08-07"}, unit=unit)
    client = portal.login("officer")
    html = client.get("/").get_data(as_text=True)
    appraisals = {unit: portal.task("Task_appraise", unit).id for unit in (UNIT_A, UNIT_B)}
    offered = _rows(html, "offered")
    # Due 10/8 after the guidance (30/6): sorted by due date.
    assert offered[0] == portal.task("Task_guidance").id and set(offered[1:]) == set(appraisals.values())
    assert _rows(client.get(f"/?unit={UNIT_B}").get_data(as_text=True), "offered") == [appraisals[UNIT_B]]
    # 10/8/2025 is a Sunday: the next working day stands beside the deadline.
    assert "10/08/2025 23:59" in html and "→ 11/08/2025" in html
    assert html.count("due-moved") == 2  # the two appraisals, not the guidance due on Monday 30/6


def test_inbox_needs_sign_in(portal):
    response = portal.client().get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    htmx = portal.client().client.get("/inbox", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and "/login" in htmx.headers["HX-Redirect"]


def test_the_menu_counters_say_what_they_count_in_both_languages(portal):
    client = portal.login("head_a")
    html = client.get("/inbox").get_data(as_text=True)
    offered = _count(html, "offered")
    assert offered >= 1  # the unit's deployment task waits for its head
    badge = re.search(r'<span class="badge[^"]*" id="count-offered"[^>]*>([^<]+)</span>', html)
    assert badge.group(1) == f"{offered} việc chờ nhận"
    assert f'aria-label="{offered} việc giao cho bạn hoặc nhóm của bạn, chưa ai nhận"' in badge.group(0)
    assert 'title="Bạn đang giữ 0 việc chưa hoàn thành"' in html and ">0 việc đang giữ</span>" in html
    client.post("/language", {"language": "en"})
    html = client.get("/inbox").get_data(as_text=True)
    assert f">{offered} to claim</span>" in html and 'aria-label="You hold 0 unfinished tasks"' in html
    # Signed out, the menu has no counters at all.
    assert 'id="count-mine"' not in portal.client().get("/login").get_data(as_text=True)
