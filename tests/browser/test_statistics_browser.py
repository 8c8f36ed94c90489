"""The campaign's award statistics in Chromium: the bars drawn (no script, nothing the
Content-Security-Policy refuses), the download a workbook Excel opens; a screenshot of the page is
kept as build/screenshots/campaign-statistics.png."""
from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import expect, screenshot
from tests.portal.test_campaign_statistics import record
from tests.workflows.xlsx_reading import read


def test_the_campaign_page_draws_the_award_chart_and_downloads_the_xlsx(office):
    portal = office.portal
    record(portal)
    page = office.page("officer")
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(office.url(f"/campaigns/{portal.campaign_id}"))
    section = page.locator("#campaign-statistics")
    expect(section).to_be_visible()
    expect(section.locator("#statistics-summary")).to_contain_text("Tổng số: 3 (1 tập thể, 2 cá nhân).")
    expect(section.locator("#statistics-by-form g.bar")).to_have_count(2)
    expect(section.locator("#statistics-by-unit g.bar")).to_have_count(2)
    # The longest bar is drawn: it has a real width on the screen.
    widest = section.locator("#statistics-by-form g.bar").nth(1).locator("rect").first.bounding_box()
    assert widest and widest["width"] > 50
    section.scroll_into_view_if_needed()
    screenshot(page, "campaign-statistics")

    with page.expect_download() as started:
        page.click("#statistics-download")
    download = started.value
    assert download.suggested_filename == "thong-ke-khen-thuong-86-KH-VPUB.xlsx"
    [sheet] = read(Path(download.path()).read_bytes()).values()
    assert [row[2] for row in sheet.entries] == ["Phòng Kinh tế", "Phòng Tổng hợp", "Phòng Tổng hợp"]
    assert refused == []
