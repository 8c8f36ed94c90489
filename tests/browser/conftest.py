"""The portal in a real browser: Debian's Chromium driven by Playwright against a live server.

Fixtures:
- `browser` (package): one headless Chromium for every test of this folder. Missing Chromium or
  Playwright fails the run under CI=true and skips it elsewhere, as PostgreSQL does. Package
  rather than session scope: Playwright's sync API refuses a second `sync_playwright()` while one
  is open, and other folders' browser tests start their own.
- `office` (module): the real Flask app on a real WSGI server (werkzeug, its own thread, port 0)
  over a copy of the portal tests' populated database (two units, their people, a running 2025
  campaign; see tests/portal/conftest.py). `office.portal` is that `Portal` (engine, FakeClock,
  instance ids); `office.page(user)` is a page signed in as `user` in a browser context of its own
  (kept for the module, so each person signs in once); `office.url(path)` an absolute URL.
- `portal` (function): the portal tests' Flask-test-client portal, for the fixes' unit tests.
- `screenshot(page, name)`: saves build/screenshots/NAME.png and checks it is a real PNG.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.artefacts import SCREENSHOTS, keep
from tests.live import chromium, serving
from tests.portal.conftest import PASSWORD, make_portal, portal, portal_template  # noqa: F401 (fixtures)

try:
    from playwright.sync_api import expect  # for the test modules
except ImportError:  # the `browser` fixture says so: a failure under CI, a skip elsewhere
    expect = None

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A rendered portal page is tens of kilobytes; a blank or broken capture is a few hundred bytes.
MIN_SCREENSHOT_BYTES = 10_000
# Waits for the page itself (bpmn-js drawing, a form round trip, an assertion's condition);
# generous for a loaded CI machine.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="package")
def browser():
    with chromium() as launched:
        expect.set_options(timeout=TIMEOUT_MS)
        yield launched


@dataclass
class LiveOffice:
    portal: object
    base_url: str
    browser: object
    pages: dict = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base_url + path

    def page(self, user: str):
        """A page signed in as `user`, in that user's own browser context (cookies, language)."""
        if user not in self.pages:
            context = self.browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            sign_in(page, self, user)
            self.pages[user] = page
        return self.pages[user]

    def close(self) -> None:
        for page in self.pages.values():
            page.context.close()


def sign_in(page, office: LiveOffice, user: str, password: str = PASSWORD) -> None:
    page.goto(office.url("/login"))
    page.fill("#username", user)
    page.fill("#password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(office.url("/inbox"))


@pytest.fixture(scope="module")
def office(browser, portal_template, tmp_path_factory):  # noqa: F811 (portal_template is a fixture)
    directory = tmp_path_factory.mktemp("browser")
    path = directory / "portal.db"
    shutil.copy(portal_template, path)
    portal = make_portal(f"sqlite:///{path}", directory)
    with serving(portal.app) as base_url:
        live = LiveOffice(portal, base_url, browser)
        yield live
        live.close()
    portal.engine.close()


def screenshot(page, name: str) -> Path:
    data = page.screenshot(full_page=True)
    path = keep(SCREENSHOTS / f"{name}.png", data)
    assert data.startswith(PNG_SIGNATURE), f"{path} is not a PNG"
    assert len(data) > MIN_SCREENSHOT_BYTES, f"{path} is only {len(data)} bytes: a blank capture?"
    return path
