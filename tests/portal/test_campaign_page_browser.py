"""The campaign diagram in a real browser (Debian's Chromium): bpmn-js draws the model fetched from
the portal, marks the current steps and shows the heatmap's counts as badges."""
from __future__ import annotations

import pytest

from tests.live import chromium
from tests.portal.conftest import BPMN_DIR, PASSWORD, UNIT_A


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def sign_in(page, base: str, user: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url(f"{base}/inbox**")


def test_heatmap_badges_and_highlighted_steps(portal, live_portal, page, tmp_path):
    portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=UNIT_A, actor="head_a")
    sign_in(page, live_portal, "officer")
    # Through the navigation, as people get there: htmx-boosted links swap the page's body only.
    page.click("nav >> text=Đợt thi đua")
    page.click(f"a[href='/campaigns/{portal.campaign_id}']")
    page.wait_for_url(f"{live_portal}/campaigns/{portal.campaign_id}")
    page.wait_for_selector("#heatmap-diagram[data-ready]", timeout=15_000)
    page.wait_for_selector("#campaign-diagram[data-ready]", timeout=15_000)
    badges = {b.get_attribute("data-element"): b.inner_text()
              for b in page.query_selector_all("#heatmap-diagram .thidua-count")}
    assert badges == {"Task_deploy_plan": "1", "Timer_campaign_end": "1"}
    active = page.eval_on_selector_all("#campaign-diagram .djs-element.thidua-active",
                                       "elements => elements.map(e => e.dataset.elementId)")
    assert sorted(active) == ["Call_units", "Task_guidance", "Task_open_pages"]
    page.screenshot(path=str(tmp_path / "campaign-heatmap.png"), full_page=True)

    page.goto(f"{live_portal}/campaigns/{portal.campaign_id}?instance={portal.units[UNIT_A]}")
    page.wait_for_selector("#campaign-diagram[data-ready]", timeout=15_000)
    assert page.eval_on_selector_all("#campaign-diagram .djs-element.thidua-completed",
                                     "elements => elements.map(e => e.dataset.elementId)") == ["Task_deploy_plan"]


def test_changed_elements_are_marked_and_a_refused_diagram_says_so(portal, live_portal, page):
    changed = (BPMN_DIR / "campaign.bpmn").read_bytes().replace(
        b'camunda:dueDate="${guidanceDate}"', b'camunda:dueDate="${unitReportDate}"', 1)
    second = portal.engine.repository.deploy([("campaign.bpmn", changed)]).processes[0]
    sign_in(page, live_portal, "designer")
    page.goto(f"{live_portal}/models/{second.id}")
    page.wait_for_selector("#version-diagram[data-ready]", timeout=15_000)
    marked = page.eval_on_selector_all("#version-diagram .djs-element.thidua-changed",
                                       "elements => elements.map(e => e.dataset.elementId)")
    assert marked == ["Task_guidance"]

    # The model URL answering 403 (say, the user lost the designer role meanwhile): a message, no diagram.
    page.route("**/model.xml", lambda route: route.fulfill(status=403, body="forbidden"))
    page.reload()
    page.wait_for_selector("#version-diagram[data-error]", timeout=15_000)
    assert "Không tải được sơ đồ." in page.inner_text("#version-diagram")
