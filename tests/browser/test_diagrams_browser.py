"""The portal's model views in Chromium: the campaign's diagrams open fitted to their container's
width, zoom with their buttons, and the units' heatmap shows its counts as badges coloured by
level with a legend; a decision table's version page draws the table with dmn-js and its
comparison with the previous version marks the changed rows. Screenshots are kept as
build/screenshots/diagram-*.png."""
from __future__ import annotations

import pytest

from tests.browser.conftest import expect, screenshot
from tests.portal.test_decision_table_page import changed_eligibility

# The diagram's scale (bpmn-js's canvas) and whether its drawn bounds lie inside the container.
FITTED = """container => {
  const box = container.getBoundingClientRect();
  const drawn = container.querySelector("svg g.viewport").getBoundingClientRect();
  const scale = container.querySelector("svg g.viewport").transform.baseVal.consolidate().matrix.a;
  return {scale, inside: drawn.left >= box.left - 1 && drawn.right <= box.right + 1,
          width: box.width, drawnWidth: drawn.width};
}"""


# dmn-js's production bundle carries Inferno's notice that Inferno was minified from its
# development build (logged as an error, harmless): upstream's, not the portal's.
UPSTREAM_NOTICE = "development build of Inferno"


def _kept(message) -> bool:
    return (message.type == "error" or "Content Security" in message.text) and UPSTREAM_NOTICE not in message.text


@pytest.fixture(scope="module")
def problems(office):
    """Console errors and CSP refusals of the pages this module opens, as the officer and the designer."""
    found: list[str] = []
    for user in ("officer", "designer"):
        page = office.page(user)
        page.on("console", lambda m: found.append(m.text) if _kept(m) else None)
        page.on("pageerror", lambda error: found.append(str(error)))
    return found


def test_campaign_diagrams_open_fitted_with_a_coloured_heatmap_and_its_legend(office, problems):
    portal = office.portal
    page = office.page("officer")
    page.goto(office.url(f"/campaigns/{portal.campaign_id}"))
    for diagram_id in ("campaign-diagram", "heatmap-diagram"):
        container = page.locator(f"#{diagram_id}")
        expect(container).to_have_attribute("data-ready", "1")
        fitted = container.evaluate(FITTED)
        assert fitted["inside"] and fitted["scale"] <= 1, fitted
        assert fitted["drawnWidth"] > fitted["width"] * 0.5, fitted  # fitted to the width, not shrunk into a box

    heatmap = portal.engine.runtime.called_progress(portal.campaign_id).heatmap
    badges = page.locator("#heatmap-diagram .thidua-count")
    expect(badges).to_have_count(len(heatmap))
    shown = {b.get_attribute("data-element"): (b.inner_text(), b.get_attribute("class"))
             for b in badges.all()}
    assert {element: text for element, (text, _) in shown.items()} == {e: str(c) for e, c in heatmap.items()}
    assert all("thidua-heat-" in css for _, css in shown.values())
    # Every unit at one step is the top level, drawn in its own colour.
    colours = page.locator("#heatmap-diagram .thidua-count").evaluate_all(
        "badges => badges.map(b => getComputedStyle(b).backgroundColor)")
    assert colours and all(c not in ("", "rgba(0, 0, 0, 0)") for c in colours)
    legend = page.locator("#heatmap-diagram-legend")
    expect(legend).to_contain_text("Màu của số đơn vị ở mỗi bước:")
    expect(legend.locator(".badge")).not_to_have_count(0)
    expect(legend).to_contain_text("2 đơn vị")

    # Zoom in, then back to the width.
    container = page.locator("#heatmap-diagram")
    before = container.evaluate(FITTED)["scale"]
    page.click("#heatmap-diagram >> xpath=ancestor::figure >> [data-zoom=in]")
    assert container.evaluate(FITTED)["scale"] == pytest.approx(before * 1.25, rel=0.01)
    page.click("#heatmap-diagram >> xpath=ancestor::figure >> [data-zoom=out]")
    page.click("#heatmap-diagram >> xpath=ancestor::figure >> [data-zoom=in]")
    page.click("#heatmap-diagram >> xpath=ancestor::figure >> [data-zoom=fit]")
    assert container.evaluate(FITTED)["scale"] == pytest.approx(before, rel=0.01)
    page.locator("#heatmap-caption").scroll_into_view_if_needed()
    screenshot(page, "diagram-campaign-heatmap")
    assert problems == []


def test_decision_table_is_drawn_and_compared_with_the_previous_version(office, problems):
    repository = office.portal.engine.repository
    second = repository.deploy([("eligibility.dmn", changed_eligibility())]).decisions[0]
    page = office.page("designer")
    page.goto(office.url(f"/models/{second.id}"))
    table = page.locator("#decision-table")
    expect(table).to_have_attribute("data-ready", "1")
    rules = len(repository.decision_table(second.id).rules)
    expect(table.locator("table tbody tr")).to_have_count(rules)
    expect(table.locator("table")).to_contain_text("Số năm công tác tại Văn phòng")
    expect(table.locator("table")).to_contain_text(">= 15")
    screenshot(page, "diagram-decision-table")

    page.click("#compare-previous")
    page.wait_for_url(office.url(f"/models/{second.id}/compare"))
    for kind, colour_class in (("added", "table-success"), ("removed", "table-danger"), ("changed", "table-warning")):
        row = page.locator(f"#table-diff tr[data-kind={kind}]")
        expect(row).to_have_count(1)
        expect(row).to_have_class(f"{colour_class}" if kind != "removed" else "table-danger text-decoration-line-through")
    expect(page.locator("#table-diff tr[data-kind=changed] td[data-changed]")).to_contain_text(">= 10>= 15")
    screenshot(page, "diagram-decision-table-compare")
    assert problems == []
