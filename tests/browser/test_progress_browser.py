"""Long operations in Chromium: the batch page's bar moves on its own (htmx polling under the
Content-Security-Policy, no reload) until the result replaces it; a designer's deployment of four
files goes through that page to the versions it made."""
from __future__ import annotations

import threading

from tests.browser.conftest import expect, screenshot
from tests.portal.test_batches_pages import model_files


def test_the_bar_follows_a_running_batch_until_its_result_without_a_reload(office):
    engine = office.portal.engine
    steps = [threading.Event() for _ in range(2)]

    def work(progress):
        progress(1, total=4, phase="rendering", item="Tờ trình đề nghị khen thưởng (DOCX)")
        steps[0].wait(60)
        progress(3, item="Quyết định tặng Giấy khen (PDF)")
        steps[1].wait(60)
        return {"ok": True, "campaign_id": office.portal.campaign_id, "documents": 4, "made": 4}

    batch = engine.batches.submit("documents", "Tạo tệp văn bản của đợt thử", work, owner="officer", total=4)
    page = office.page("officer")
    try:
        page.goto(office.url(f"/batches/{batch.id}"))
        bar = page.locator("#batch-progress .progress")
        expect(bar).to_have_attribute("aria-valuenow", "25")
        expect(page.locator("#batch-status")).to_contain_text("Đang tạo tệp văn bản")
        steps[0].set()
        expect(bar).to_have_attribute("aria-valuenow", "75")  # polled: the page was not reloaded
        expect(page.locator("#batch-status")).to_contain_text("Quyết định tặng Giấy khen (PDF)")
        screenshot(page, "batch-running")
        steps[1].set()
        expect(page.locator("#batch-progress")).to_have_attribute("data-status", "completed")
        expect(page.locator("#package-download")).to_be_visible()
        screenshot(page, "batch-completed")
    finally:
        for step in steps:
            step.set()
        engine.batches.wait(batch.id, 30)


def test_a_designer_deploys_four_files_and_follows_them_to_the_new_version(office):
    page = office.page("designer")
    page.goto(office.url("/models"))
    page.locator("#model-files").set_input_files(
        [{"name": name, "mimeType": "application/xml", "buffer": content} for name, content in model_files()])
    page.locator("#upload-form button[type=submit]").click()
    page.wait_for_url("**/batches/*")
    expect(page.locator("#batch-progress")).to_have_attribute("data-status", "completed")
    result = page.locator("#batch-result")
    expect(result).to_have_attribute("data-ok", "1")
    campaign = office.portal.engine.repository.latest_definition("campaign")
    result.locator(f"a[href='/models/{campaign.id}']").click()
    page.wait_for_url(office.url(f"/models/{campaign.id}"))
