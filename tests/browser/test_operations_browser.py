"""In the browser: an administrator suspends a unit's instance and moves it to another step from
Vận hành, each through its confirmation page; no script is needed (CSP script-src 'self')."""
from __future__ import annotations

from tests.browser.conftest import expect
from tests.portal.conftest import UNIT_B


def test_an_admin_suspends_activates_and_moves_an_instance(office):
    runtime = office.portal.engine.runtime
    instance_id = office.portal.units[UNIT_B]
    errors = []
    page = office.page("admin")
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(office.url(f"/operations/instances/{instance_id}"))
    expect(page.locator("h1")).to_have_text("Thao tác trên phiên bản quy trình")

    page.click("#operations-suspension button[type=submit]")
    expect(page.locator("#operations-confirm")).to_contain_text("Tạm dừng phiên bản quy trình này")
    assert not runtime.get_instance(instance_id).suspended
    page.click("#operations-confirm-form button[type=submit]")
    expect(page.locator("#operations-suspended")).to_be_visible()
    assert runtime.get_instance(instance_id).suspended
    page.click("#operations-suspension button[type=submit]")
    page.click("#operations-confirm-form button[type=submit]")
    expect(page.locator("#operations-suspended")).to_have_count(0)
    assert not runtime.get_instance(instance_id).suspended

    page.select_option("#move-activity", "Task_nominate")
    page.fill("#move-annotation", "Đơn vị đã triển khai trên giấy")
    page.click("#operations-move button[type=submit]")
    expect(page.locator("#operations-confirm")).to_contain_text("Bình xét, đề xuất khen thưởng")
    page.click("#operations-confirm-form button[type=submit]")
    expect(page.locator('#operations-active [data-element="Task_nominate"]')).to_be_visible()
    assert [a.element_id for a in runtime.progress(instance_id).active] == ["Task_nominate"]
    assert not errors, errors
