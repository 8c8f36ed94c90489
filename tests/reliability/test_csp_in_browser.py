"""The Content-Security-Policy holds in a real browser: every kind of portal page loads in
Debian's Chromium without a single violation, and the pages' scripts still do their work
(diagrams drawn, htmx filters, the Camunda form, list rows added, Bootstrap menus, forms sent)."""
from __future__ import annotations

import json

import pytest

from engine import TaskQuery
from tests.live import chromium, serving
from tests.portal.conftest import PASSWORD, UNIT_A, UNIT_B
from tests.portal.test_task_page_camunda_form import BPMN as DOSSIER_BPMN
from tests.portal.test_task_page_camunda_form import SCHEMA as DOSSIER_FORM
from tests.scheduler.test_outbox_page import due_reminder

TIMEOUT_MS = 15_000
# Runs before any page script, outside the page's CSP (DevTools injects it): records what the
# browser refused, so a violation counts even when nothing is printed to the console.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Watched:
    """A signed-in page whose console, errors and CSP violations are kept, by URL."""

    def __init__(self, browser, base_url: str, user: str | None) -> None:
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.visited: list[str] = []
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.page.url}: script error {error}"))
        if user:
            self.goto("/login")
            self.page.fill("#username", user)
            self.page.fill("#password", PASSWORD)
            self.page.click("#login-submit")
            self.page.wait_for_url(f"{base_url}/inbox")

    def _console(self, message) -> None:
        # Failed loads are judged by _response, which knows the address (a favicon is no fault).
        if "Content Security Policy" in message.text or (
                message.type == "error" and not message.text.startswith("Failed to load resource")):
            self.problems.append(f"{self.page.url}: console {message.type}: {message.text}")

    def _response(self, response) -> None:
        if response.status >= 400 and response.request.resource_type != "document" \
                and not response.url.endswith("/favicon.ico"):
            self.problems.append(f"{self.page.url}: {response.url} answered {response.status}")

    def goto(self, path: str, status: int = 200):
        response = self.page.goto(self.base_url + path)
        assert response.status == status, (path, response.status)
        self.visited.append(path)
        return self.page

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__violations")

    def check(self) -> None:
        """No violation on the current page; then the collected console problems are empty."""
        assert self.violations() == [], self.page.url
        assert self.problems == []


@pytest.fixture
def office(portal):
    portal.engine.repository.deploy([("dossier_check.bpmn", DOSSIER_BPMN),
                                     ("dossier.form", json.dumps(DOSSIER_FORM, ensure_ascii=False).encode())])
    portal.engine.runtime.start_process_by_key("dossier_check", {"unit": UNIT_A, "headGroup": f"head:{UNIT_A}"},
                                               actor="chief")
    with serving(portal.app) as base_url, chromium() as browser:
        yield portal, base_url, browser


def test_every_page_type_runs_under_the_policy(office):
    portal, base_url, browser = office
    engine = portal.engine
    campaign = engine.runtime.get_instance(portal.campaign_id)

    anonymous = Watched(browser, base_url, None)
    anonymous.goto("/login")
    anonymous.check()

    head = Watched(browser, base_url, "head_a")
    page = head.goto("/inbox")
    # htmx: changing a filter fetches the rows and pushes the filtered address.
    page.select_option("#filter-due", "week")
    page.wait_for_url("**/inbox?*due=week*")
    head.check()
    # Bootstrap's script: the user menu opens.
    page.click("#user-menu")
    page.wait_for_selector(".dropdown-menu.show")
    # A formData task page: the form is sent and the task is done.
    deploy = next(t for t in engine.tasks.list(TaskQuery(instance_id=portal.units[UNIT_A]))
                  if t.element_id == "Task_deploy_plan")
    page = head.goto(f"/tasks/{deploy.id}")
    page.fill("#field-deployedOn", "10/06/2025")
    page.click("#complete-task")
    page.wait_for_url(f"{base_url}/inbox")
    assert engine.history.events(task_id=deploy.id, event_types=["complete"])[0].actor == "head_a"
    head.check()
    # A Camunda Form drawn by form-js from the page's data attributes, and sent.
    dossier = next(t for t in engine.tasks.list(TaskQuery(definition_key="dossier_check")))
    page = head.goto(f"/tasks/{dossier.id}")
    page.wait_for_selector("#camunda-form[data-ready=true]")
    page.get_by_label("Số tờ trình").fill("98/TTr-VPUB")
    page.get_by_label("Số trang").fill("12")
    page.get_by_label("Hồ sơ đầy đủ").check()
    page.click("#complete-task")
    page.wait_for_url(f"{base_url}/inbox")
    assert engine.runtime.get_variables(dossier.instance_id)["proposalNumber"] == "98/TTr-VPUB"
    head.check()
    # The nominee list: rows are added by portal.js from the table's <template>.
    portal.complete("Task_deploy_plan", {"deployedOn": "2025-06-10"}, unit=UNIT_B, actor="head_b")
    portal.end_campaign_period()
    nominate = next(t for t in engine.tasks.list(TaskQuery(instance_id=portal.units[UNIT_A]))
                    if t.element_id == "Task_nominate")
    page = head.goto(f"/tasks/{nominate.id}")
    page.click("#add-nominee")
    page.click("#add-nominee")
    assert page.locator("#nominees-table tbody tr").count() == 2
    head.check()
    # The diagrams: campaign (with the units' heatmap), instance, model version.
    head.goto(f"/campaigns/{portal.campaign_id}").wait_for_selector("#campaign-diagram[data-ready] svg")
    head.check()
    head.goto(f"/instances/{portal.units[UNIT_A]}").wait_for_selector(".bpmn-diagram[data-ready] svg")
    head.check()
    head.goto("/campaigns")
    head.goto("/tasks/khong-co", status=404)
    head.check()

    designer = Watched(browser, base_url, "designer")
    designer.goto("/models")
    designer.goto(f"/models/{campaign.definition_id}").wait_for_selector(".bpmn-diagram[data-ready] svg")
    designer.check()

    admin = Watched(browser, base_url, "admin")
    for path in ("/admin/users", "/admin/users/lan", "/admin/units", "/admin/roles", "/admin/staff-import",
                 "/admin/outbox/"):
        admin.goto(path)
        admin.check()
    # Signing out through the menu: a form sent from a Bootstrap dropdown.
    admin.page.click("#user-menu")
    admin.page.click(".dropdown-menu form[action='/logout'] button")
    admin.page.wait_for_url(f"{base_url}/login")
    admin.check()
    for watched in (anonymous, head, designer, admin):
        watched.context.close()


def test_the_watch_sees_a_violation(office):
    """The check above is not blind: an inline script injected into a page is refused and seen."""
    portal, base_url, browser = office
    watched = Watched(browser, base_url, "head_a")
    page = watched.goto("/inbox")
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.__ran = true"; document.body.append(s); }""")
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert any(v.startswith("script-src") for v in watched.violations())
    assert any("Content Security Policy" in p for p in watched.problems)
    watched.context.close()


def test_the_outbox_shows_a_kept_mail_under_the_policy(office):
    """Without SMTP_HOST the outbox says mail is kept; a mail's HTML opens in its sandboxed frame,
    drawn by the browser, with no violation and no permission to run anything."""
    portal, base_url, browser = office
    portal.engine.context.config.smtp.clear()
    due_reminder(portal)
    admin = Watched(browser, base_url, "admin")
    page = admin.goto("/admin/outbox/")
    assert "thư được giữ lại trong hộp thư đi, không gửi đi" in page.inner_text("#outbox-smtp-off")
    page.click(".outbox-preview summary")
    body = page.frame_locator("iframe.outbox-body").locator("body")
    assert "Phạm Thu Hà" in body.inner_text() and "/tasks/" in body.inner_text()
    assert page.evaluate("document.querySelector('iframe.outbox-body').sandbox.length") == 0
    admin.check()
    admin.context.close()
