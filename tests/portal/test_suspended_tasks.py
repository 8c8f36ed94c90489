"""A task of a suspended instance in the portal: marked in the inbox, and its form refuses completion
with a clear message in the user's language (the typed values stay on the page)."""
from __future__ import annotations

import html as html_text

import pytest

from tests.portal.conftest import UNIT_A

SUSPENDED = {
    "vi": ("Tạm dừng", "Quy trình của công việc này đang tạm dừng theo quyết định của quản trị hệ thống",
           "Không thể hoàn thành công việc vì quy trình đang tạm dừng.",
           "Không thể nhận việc vì quy trình đang tạm dừng."),
    "en": ("Suspended", "The process of this task is suspended by an administrator",
           "This task cannot be completed because its process is suspended.",
           "This task cannot be claimed because its process is suspended."),
}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_suspended_instances_task_shows_suspended_and_refuses_completion(portal_any_db, language):
    portal = portal_any_db
    badge, notice, refused, claim_refused = SUSPENDED[language]
    client = portal.login("head_a")
    client.post("/language", {"language": language})
    task = portal.task("Task_deploy_plan", UNIT_A)
    portal.engine.runtime.suspend_instance(task.instance_id, actor="admin")

    inbox = html_text.unescape(client.get("/").get_data(as_text=True))
    assert f'task-suspended">{badge}</span>' in inbox
    assert f"/tasks/{task.id}/claim" not in inbox
    claimed = client.post(f"/tasks/{task.id}/claim")
    assert claimed.status_code == 302
    assert claim_refused in html_text.unescape(client.get("/").get_data(as_text=True))
    assert portal.engine.tasks.get(task.id).assignee is None

    page = html_text.unescape(client.get(f"/tasks/{task.id}").get_data(as_text=True))
    assert notice in page and 'id="complete-task" disabled' in page
    response = client.post(f"/tasks/{task.id}/complete", {"deployedOn": "10/06/2025", "deploymentNote": "Họp phòng"})
    assert response.status_code == 409
    page = html_text.unescape(response.get_data(as_text=True))
    assert refused in page and "Họp phòng" in page  # what was typed stays on the form
    assert portal.engine.tasks.get(task.id).id == task.id

    portal.engine.runtime.activate_instance(task.instance_id, actor="admin")
    page = html_text.unescape(client.get(f"/tasks/{task.id}").get_data(as_text=True))
    assert notice not in page and 'id="complete-task" disabled' not in page
    done = client.post(f"/tasks/{task.id}/complete", {"deployedOn": "10/06/2025", "deploymentNote": "Họp phòng"})
    assert done.status_code == 302
