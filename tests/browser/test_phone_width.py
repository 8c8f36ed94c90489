"""The office's everyday pages at a desk's width (1280 px) and a phone's (375 px): none scrolls
sideways (tables turn into stacked cards, a diagram scrolls inside its own frame) and a full-page
screenshot of each is kept as build/screenshots/<page>-<width>.png.

One campaign taken to the council's list serves both widths: its inbox, task, campaign and
instance pages have rows to show; the models list and the decision table's pages are the
deployed eligibility.dmn and a changed second version of it."""
from __future__ import annotations

import pytest

from tests.browser.conftest import TIMEOUT_MS, expect, screenshot, sign_in
from tests.portal.conftest import UNIT_A, UNIT_B
from tests.portal.test_council_pages import AN, KINH_TE, LAN, _to_list
from tests.portal.test_decision_table_page import changed_eligibility

WIDTHS = (1280, 375)
PHONE = 375
# A cell of each page's .table-cards table: a block (a line of a card) on a phone, a table cell on a desk.
CARD_CELLS = {"inbox": "#tasks-offered td", "campaign": "#unit-progress td", "models": "#decision-models td",
              "dmn-compare": "#table-diff td"}


@pytest.fixture(scope="module")
def pages(office):
    """page name -> (user, path, a selector the page shows once drawn), over a campaign with data.
    The TCHCQT officer holds the campaign's work (the admin's inbox is empty); models are the admin's."""
    portal = office.portal
    _to_list(portal, {UNIT_A: [LAN], UNIT_B: [AN, KINH_TE]})
    repository = portal.engine.repository
    first = repository.list_decision_definitions(key="eligibility")[-1]
    second = repository.deploy([("eligibility.dmn", changed_eligibility())]).decisions[0]
    assert first.id != second.id
    task = portal.task("Task_submit_council")
    return {
        "inbox": ("officer", "/inbox", "main table .task-row"),
        "task": ("officer", f"/tasks/{task.id}", "table.council-list"),
        "campaign": ("officer", f"/campaigns/{portal.campaign_id}", "main table"),
        "instance": ("officer", f"/instances/{portal.units[UNIT_A]}", "#instance-diagram svg"),
        "models": ("admin", "/models", "main table"),
        "dmn-version": ("admin", f"/models/{second.id}", "#decision-table table"),
        "dmn-compare": ("admin", f"/models/{second.id}/compare", "#table-diff"),
    }


def overflow(page) -> int:
    """How far the page is wider than the window, in CSS pixels (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


# The outermost elements reaching past the window's right edge, for the failure message.
WIDE_ELEMENTS = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
               && !(e.parentElement && e.parentElement.getBoundingClientRect().right > window.innerWidth + 1))
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                        + (e.className && e.className.baseVal === undefined ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))"""


@pytest.mark.parametrize("width", WIDTHS)
def test_the_everyday_pages_fit_the_width_without_sideways_scrolling(office, pages, width):
    context = office.browser.new_context(viewport={"width": width, "height": 800}, locale="vi-VN")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page, signed_in = context.new_page(), None
        too_wide = {}
        for name, (user, path, drawn) in pages.items():
            if user != signed_in:
                context.clear_cookies()
                sign_in(page, office, user)
                signed_in = user
            response = page.goto(office.url(path))
            assert response.status == 200, f"{name}: {path} answered {response.status}"
            expect(page.locator(drawn).first).to_be_attached()
            screenshot(page, f"{name}-{width}")
            if name in CARD_CELLS:
                display = page.eval_on_selector(CARD_CELLS[name], "cell => getComputedStyle(cell).display")
                assert display == ("block" if width == PHONE else "table-cell"), f"{name}: cells are {display}"
            if overflow(page) > 0:
                too_wide[name] = (overflow(page), page.evaluate(WIDE_ELEMENTS))
        assert not too_wide, f"pages wider than {width} px (by so many px, first elements past the edge): {too_wide}"
        # The measure itself sees an overflow: a block wider than the window widens the page.
        page.evaluate("""width => { const wide = document.createElement('div');
                                    wide.style.width = (width + 200) + 'px'; wide.style.height = '1px';
                                    document.querySelector('main').append(wide); }""", width)
        assert overflow(page) > 0
    finally:
        context.close()
