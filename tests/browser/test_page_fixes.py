"""Unit tests (Flask test client) of what the browser walkthrough found missing in the portal,
and of how the browser fixture treats a machine without Chromium."""
from __future__ import annotations

import pytest

from tests.live import sync_playwright_or_stop
from tests.portal.conftest import UNIT_A


def test_the_task_page_names_who_holds_the_task(portal):
    task = portal.task("Task_deploy_plan", unit=UNIT_A)
    client = portal.login("head_a")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="task-assignee">Chưa có người nhận</dd>' in page

    portal.engine.tasks.claim(task.id, "head_a")
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert 'id="task-assignee">Nguyễn Văn Hùng</dd>' in page


def test_the_campaign_page_lists_its_own_steps_only_while_there_are_some(portal):
    client = portal.login("chief")
    page = client.get(f"/campaigns/{portal.campaign_id}").get_data(as_text=True)
    assert 'id="campaign-steps"' in page and "Hướng dẫn hồ sơ đề nghị khen thưởng" in page

    portal.complete("Task_guidance", {"guidanceIssuedOn": "2025-06-25"}, actor="officer")
    portal.complete("Task_open_pages", {}, actor="info")
    portal.complete("Task_news", actor="info")
    # Only the units' evaluations run now: they are the table, not a heading over an empty list.
    page = client.get(f"/campaigns/{portal.campaign_id}").get_data(as_text=True)
    assert 'id="campaign-steps"' not in page and "Việc chung của đợt thi đua" not in page
    assert 'id="unit-progress"' in page


@pytest.mark.parametrize("in_ci, outcome", [(True, pytest.fail.Exception), (False, pytest.skip.Exception)])
def test_a_missing_chromium_fails_under_ci_and_skips_elsewhere(tmp_path, in_ci, outcome):
    with pytest.raises(outcome, match="chromium is missing"):
        sync_playwright_or_stop(str(tmp_path / "chromium"), in_ci=in_ci)
