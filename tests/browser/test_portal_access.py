"""In the browser: the language switch, and a unit's task and instance closed to another unit."""
from __future__ import annotations

from tests.browser.conftest import expect
from tests.portal.conftest import UNIT_A


def test_switching_to_english_changes_the_page_texts(office):
    page = office.page("lan")
    page.goto(office.url("/inbox"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_have_text("Hộp công việc")
    expect(page.locator("#nav-inbox")).to_contain_text("Hộp công việc")

    page.click(".language-switch button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Inbox")
    expect(page.locator("#nav-inbox")).to_contain_text("Inbox")
    expect(page.locator("#tasks-mine")).to_have_count(0)
    assert page.url == office.url("/inbox")

    # The choice is the account's: it follows the user to their next sign-in.
    page.goto(office.url("/campaigns"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.click(".language-switch button[value=vi]")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    assert page.url == office.url("/campaigns")


def test_another_units_task_and_instance_are_not_found(office):
    portal = office.portal
    task = portal.task("Task_deploy_plan", unit=UNIT_A)
    head_b = office.page("head_b")
    for path in (f"/tasks/{task.id}", f"/instances/{portal.units[UNIT_A]}"):
        response = head_b.goto(office.url(path))
        assert response.status == 404, path
        expect(head_b.locator("h1")).to_have_text("Không tìm thấy")
        expect(head_b.locator("main")).not_to_contain_text(task.name)

    # Completing it by posting the form from a page of the portal is refused the same way.
    head_b.goto(office.url("/inbox"))
    status = head_b.evaluate(
        """async (url) => {
             const body = new FormData();
             body.append("csrf_token", document.querySelector('meta[name="csrf-token"]').content);
             body.append("deployedOn", "2025-06-10");
             return (await fetch(url, {method: "POST", body})).status;
           }""", office.url(f"/tasks/{task.id}/complete"))
    assert status == 404
    assert portal.task("Task_deploy_plan", unit=UNIT_A).id == task.id  # still open, untouched

    # Its own unit's head opens it.
    head_a = office.page("head_a")
    response = head_a.goto(office.url(f"/tasks/{task.id}"))
    assert response.status == 200
    expect(head_a.locator("h1")).to_have_text(task.name)
