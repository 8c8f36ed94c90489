"""The campaign diagram in a real browser (Debian's Chromium): bpmn-js draws the model fetched from
the portal, marks the current steps and shows the heatmap's counts as badges."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from tests.portal.conftest import BPMN_DIR, PASSWORD, UNIT_A

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def served(portal):
    server = make_server("127.0.0.1", 0, portal.app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


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


def test_heatmap_badges_and_highlighted_steps(portal, served, page, tmp_path):
    portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=UNIT_A, actor="head_a")
    sign_in(page, served, "officer")
    # Through the navigation, as people get there: htmx-boosted links swap the page's body only.
    page.click("nav >> text=Đợt thi đua")
    page.click(f"a[href='/campaigns/{portal.campaign_id}']")
    page.wait_for_url(f"{served}/campaigns/{portal.campaign_id}")
    page.wait_for_selector("#heatmap-diagram[data-ready]", timeout=15_000)
    page.wait_for_selector("#campaign-diagram[data-ready]", timeout=15_000)
    badges = {b.get_attribute("data-element"): b.inner_text()
              for b in page.query_selector_all("#heatmap-diagram .thidua-count")}
    assert badges == {"Task_deploy_plan": "1", "Timer_campaign_end": "1"}
    active = page.eval_on_selector_all("#campaign-diagram .djs-element.thidua-active",
                                       "elements => elements.map(e => e.dataset.elementId)")
    assert sorted(active) == ["Call_units", "Task_guidance", "Task_open_pages"]
    page.screenshot(path=str(tmp_path / "campaign-heatmap.png"), full_page=True)

    page.goto(f"{served}/campaigns/{portal.campaign_id}?instance={portal.units[UNIT_A]}")
    page.wait_for_selector("#campaign-diagram[data-ready]", timeout=15_000)
    assert page.eval_on_selector_all("#campaign-diagram .djs-element.thidua-completed",
                                     "elements => elements.map(e => e.dataset.elementId)") == ["Task_deploy_plan"]


def test_changed_elements_are_marked_and_a_refused_diagram_says_so(portal, served, page):
    changed = (BPMN_DIR / "campaign.bpmn").read_bytes().replace(
        b'camunda:dueDate="${guidanceDate}"', b'camunda:dueDate="${unitReportDate}"', 1)
    second = portal.engine.repository.deploy([("campaign.bpmn", changed)]).processes[0]
    sign_in(page, served, "designer")
    page.goto(f"{served}/models/{second.id}")
    page.wait_for_selector("#version-diagram[data-ready]", timeout=15_000)
    marked = page.eval_on_selector_all("#version-diagram .djs-element.thidua-changed",
                                       "elements => elements.map(e => e.dataset.elementId)")
    assert marked == ["Task_guidance"]

    # The model URL answering 403 (say, the user lost the designer role meanwhile): a message, no diagram.
    page.route("**/model.xml", lambda route: route.fulfill(status=403, body="forbidden"))
    page.reload()
    page.wait_for_selector("#version-diagram[data-error]", timeout=15_000)
    assert "Không tải được sơ đồ." in page.inner_text("#version-diagram")
