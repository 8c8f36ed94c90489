"""A unit head proposes a sub-team as a collective in Chromium: a row added from the page's
template, the campaign's criteria ticked with their evidence, a missing evidence refused inline."""
from __future__ import annotations

from tests.browser.conftest import expect, screenshot
from tests.portal.conftest import UNIT_A
from tests.portal.test_collectives_form import CRITERIA, TEAM, TEAM_ID, start_campaign_with_criteria, task


def test_a_sub_team_is_proposed_with_its_checked_criteria(office):
    units = start_campaign_with_criteria(office.portal)
    nominate = task(office.portal, units[UNIT_A], "Task_nominate")
    page = office.page("head_a")
    page.goto(office.url(f"/tasks/{nominate.id}"))
    page.fill("#field-unitResults", "Phòng Tổng hợp hoàn thành xuất sắc nhiệm vụ")
    page.click("#add-nominee")
    row = page.locator("#nominees-table tbody tr").nth(0)
    row.locator("select[name$=-kind]").select_option("collective")
    row.locator("input[name$=-name]").fill(TEAM)
    row.locator("select[name$=-award]").select_option("giay_khen")
    row.locator("textarea[name$=-achievements]").fill("Bảo đảm hội nghị truyền hình thông suốt")
    row.locator("details summary").click()
    for k in range(len(CRITERIA)):
        row.locator(f"input[name$=-met_{k}]").check()
        if k < 2:  # the last evidence is forgotten
            row.locator(f"textarea[name$=-evidence_{k}]").fill(f"Minh chứng {k + 1}")
    page.click("#complete-task")

    row = page.locator("#nominees-table tbody tr").nth(0)
    expect(row.locator(".field-error")).to_contain_text("Nêu minh chứng cho tiêu chí “Nội bộ đoàn kết")
    expect(row.locator("input[name$=-name]")).to_have_value(TEAM)
    expect(row.locator("input[name$=-met_2]")).to_be_checked()
    screenshot(page, "collective-criteria-refused")
    assert "nominees" not in office.portal.engine.runtime.get_variables(units[UNIT_A])

    row.locator("textarea[name$=-evidence_2]").fill("Minh chứng 3")
    page.click("#complete-task")
    page.wait_for_url(office.url("/inbox"))
    [team] = office.portal.engine.runtime.get_variables(units[UNIT_A])["nominees"]
    assert (team["id"], team["fullName"], team["collectiveOf"]) == (TEAM_ID, TEAM, UNIT_A)
    assert [(c["id"], c["met"], c["evidence"]) for c in team["criteria"]] == [
        (c["id"], True, f"Minh chứng {k + 1}") for k, c in enumerate(CRITERIA)]
