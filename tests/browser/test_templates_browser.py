"""The document templates page in Chromium: a designer follows the menu link, uploads an edited
template through the file input, and downloads it back under its Vietnamese file name."""
from __future__ import annotations

from pathlib import Path

from tests.browser.conftest import expect
from tests.portal.test_templates_page import DOCX, edited
from workflows.documents.templates_store import TemplateStore


def test_a_designer_uploads_an_edited_template_and_downloads_it(office):
    page = office.page("designer")  # signed in: on the inbox
    page.click("nav a[href='/templates']")
    expect(page.locator("h1")).to_have_text("Mẫu văn bản")
    content = edited("chief_decision", "{{ decider }}, xét đề nghị của Trưởng phòng TCHCQT,")
    card = page.locator("#template-chief_decision")
    card.locator("input[type=file]").set_input_files(
        {"name": "Quyết định sửa.docx", "mimeType": DOCX, "buffer": content})
    card.locator("button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Đã nhận mẫu “Quyết định tặng Giấy khen”: phiên bản 1 được áp dụng từ bây giờ.")
    expect(card).to_have_attribute("data-in-force", "1")
    assert TemplateStore(office.portal.engine.context.db).current("chief_decision") == content

    with page.expect_download() as started:
        card.locator("a.template-download").click()
    download = started.value
    assert download.suggested_filename == "Mẫu Quyết định tặng Giấy khen - v1.docx"
    assert Path(download.path()).read_bytes() == content
