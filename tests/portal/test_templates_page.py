"""The document templates page, on SQLite and PostgreSQL: designers and admins list every kind with
its version in force and placeholders, download any version as the store has it, upload an edited
template as the next version; a refused upload names the reason and leaves the version in force.

One portal per database serves the module; each test uploads to kinds the others do not read.
"""
from __future__ import annotations

import io
import os
import zipfile
from urllib.parse import unquote

import pytest
from docx import Document
from docx.shared import Cm
from PIL import Image

from web.portal.i18n import catalogs
from workflows.documents.build_templates import default_template
from workflows.documents.kinds import KINDS
from workflows.documents.templates_store import MAX_BYTES, TemplateStore

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
MB = 1024 * 1024


@pytest.fixture
def office(module_portal_any_db):
    return module_portal_any_db


def login(office, user: str, language: str = "vi"):
    """Signed in, in `language`: the choice is kept on the account, and the module's tests share accounts."""
    client = office.login(user)
    client.post("/language", {"language": language})
    return client


def store(office) -> TemplateStore:
    return TemplateStore(office.engine.context.db)


def edited(kind: str, decider: str, template: bytes | None = None) -> bytes:
    """The template as the Office edits it in Word: the decider's paragraph reworded around its placeholder."""
    doc = Document(io.BytesIO(template or default_template(kind)))
    paragraph = next(p for p in doc.paragraphs if p.text.startswith("{{ decider }}"))
    paragraph.runs[0].text = decider
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def text_of(docx: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)


def upload(client, kind: str, content: bytes | None, name: str = "mau.docx", csrf: bool = True):
    data = {} if content is None else {"file": (io.BytesIO(content), name)}
    return client.post(f"/templates/{kind}", data, content_type="multipart/form-data", csrf=csrf)


def test_designers_and_admins_see_every_kind_in_both_languages(office):
    client = login(office, "designer")
    response = client.get("/templates")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1 class=\"h3\">Mẫu văn bản</h1>" in page
    for key, kind in KINDS.items():
        in_force = store(office).in_force(key).version
        assert f'id="template-{key}" data-kind="{key}" data-in-force="{in_force}"' in page
        assert f"<h2 class=\"h5 mb-1\">{kind.title}</h2>" in page
        assert f'href="/templates/{key}/v{in_force}.docx"' in page
        assert f'action="/templates/{key}"' in page
    # The placeholders each kind accepts, as they are typed in Word.
    decision = page[page.index('id="template-chief_decision"'):page.index('id="template-chairman_proposal"')]
    for written in ("{{ plan_number }}", "{{ issuer.name }}", "{% for r in rows %}", "{{ r.full_name }}",
                    "{{ decider }}", "{% for x in grounds %}{{ x }}{% endfor %}"):
        assert f"<code class=\"me-2 text-nowrap\">{written}</code>" in decision, written
    assert 'data-placeholder="not_eligible"' not in decision  # the council list's, not the decision's
    assert 'data-placeholder="criteria"' in page  # the achievement report's collective form
    assert 'href="/templates"' in client.get("/inbox").get_data(as_text=True)  # the navigation link

    page = login(office, "admin", "en").get("/templates").get_data(as_text=True)
    assert "Document templates" in page and "Decision on the Certificates" in page
    assert "Placeholders the template may use" in page and 'href="/templates"' in page
    # The messages name a kind from the catalog: in Vietnamese, the very title of the list.
    assert all(catalogs()["vi"][f"documents.kind.{key}"] == kind.title for key, kind in KINDS.items())


def test_every_download_is_the_file_the_store_has(office):
    client = login(office, "designer")
    for key in KINDS:
        version = store(office).in_force(key).version
        response = client.get(f"/templates/{key}/v{version}.docx")
        assert response.status_code == 200, key
        assert response.mimetype == DOCX and response.data == store(office).current(key), key
    response = client.get("/templates/chief_decision/v0.docx")
    assert response.data == default_template("chief_decision")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="mau-quyet-dinh-tang-giay-khen-mac-dinh.docx"; ')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Mẫu Quyết định tặng Giấy khen - mặc định.docx"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/templates/chief_decision/v9.docx").status_code == 404
    assert client.get("/templates/certificate/v0.docx").status_code == 404
    assert upload(client, "certificate", default_template("chief_decision")).status_code == 404


def test_an_edited_template_is_the_next_version_and_a_refused_one_changes_nothing(office):
    kind, designer, admin = "chief_decision", login(office, "designer"), login(office, "admin")
    first = edited(kind, "{{ decider }}, xét đề nghị của Trưởng phòng Tổ chức - Hành chính - Quản trị,")
    response = upload(designer, kind, first, "Quyết định sửa.docx")
    assert response.status_code == 302 and response.headers["Location"].endswith("/templates#template-chief_decision")
    in_force = store(office).in_force(kind)
    assert (in_force.version, in_force.uploaded_by) == (1, "designer") and store(office).current(kind) == first
    page = designer.get("/templates").get_data(as_text=True)
    assert "Đã nhận mẫu “Quyết định tặng Giấy khen”: phiên bản 1 được áp dụng từ bây giờ." in page
    card = page[page.index('id="template-chief_decision"'):page.index('id="template-chairman_proposal"')]
    assert "<strong>Phiên bản 1</strong> · Lê Thiết Kế tải lên lúc 06/06/2025 08:00" in card
    assert 'data-version="0">Mẫu mặc định' in card and 'href="/templates/chief_decision/v0.docx"' in card
    download = designer.get("/templates/chief_decision/v1.docx")
    assert download.data == first and "xét đề nghị của Trưởng phòng" in text_of(download.data)
    assert 'filename="mau-quyet-dinh-tang-giay-khen-v1.docx"' in download.headers["Content-Disposition"]

    # A placeholder the decision does not have: refused by name, version 1 stays in force.
    unknown = edited(kind, "{{ decider }} và {{ ten_la }},", template=first)
    response = upload(admin, kind, unknown)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Không nhận mẫu “Quyết định tặng Giấy khen”, mẫu đang áp dụng giữ nguyên:" in page
    assert "Mẫu dùng trường dữ liệu không có trong văn bản này: ten_la." in page
    assert 'data-kind="chief_decision" data-in-force="1"' in page
    assert store(office).in_force(kind).version == 1 and store(office).current(kind) == first

    second = edited(kind, "{{ decider }}, căn cứ kết quả họp Hội đồng,", template=first)
    assert upload(admin, kind, second).status_code == 302
    assert [v.version for v in store(office).versions(kind)] == [2, 1]
    assert designer.get("/templates/chief_decision/v2.docx").data == second == store(office).current(kind)
    assert designer.get("/templates/chief_decision/v1.docx").data == first
    card = designer.get("/templates").get_data(as_text=True)
    assert "<strong>Phiên bản 2</strong> · Quản Trị Viên tải lên lúc 06/06/2025 08:00" in card


@pytest.mark.parametrize("language, says", [
    ("vi", {"refused": "Không nhận mẫu “Thông báo kết quả khen thưởng”, mẫu đang áp dụng giữ nguyên:",
            "pdf": "Tệp không phải là văn bản Word (.docx).", "none": "Chưa chọn tệp nào.",
            "empty": "Tệp mẫu trống.", "big": "Tệp mẫu lớn hơn 10 MB.",
            "zip": "Tệp không phải là văn bản Word (.docx): thiếu [Content_Types].xml, word/document.xml."}),
    ("en", {"refused": "Template “Announcement of the results” refused; the template in force stays as it was:",
            "pdf": "The file is not a Word document (.docx).", "none": "No file was chosen.",
            "empty": "The template file is empty.", "big": "The template file is larger than 10 MB.",
            "zip": "The file is not a Word document (.docx): [Content_Types].xml, word/document.xml is missing."}),
])
def test_what_is_not_a_docx_template_is_refused_and_stores_nothing(office, language, says):
    kind, client = "announcement", login(office, "designer", language)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("readme.txt", "không phải văn bản Word")
    cases = [("pdf", PDF, "Thông báo.pdf"), ("pdf", "Kính gửi: các đơn vị".encode(), "mau.txt"),
             ("pdf", PDF, "doi-ten.docx"), ("none", None, ""), ("empty", b"", "mau.docx"),
             ("zip", zipped.getvalue(), "mau.docx"), ("big", b"PK" + b"\0" * MAX_BYTES, "mau.docx")]
    for reason, content, name in cases:
        response = upload(client, kind, content, name)
        assert response.status_code == 400, (reason, name)
        page = response.get_data(as_text=True)
        assert says["refused"] in page and says[reason] in page, (reason, name)
    assert store(office).versions(kind) == []
    # Over the page's request limit the body is not read at all: the portal's page for too large.
    response = upload(client, kind, b"PK" + b"\0" * (MAX_BYTES + 100 * 1024))
    assert response.status_code == 413 and store(office).versions(kind) == []
    # Without the CSRF token nothing is read either.
    assert upload(client, kind, default_template(kind), csrf=False).status_code == 400
    assert store(office).versions(kind) == []


def test_a_template_larger_than_the_dossier_file_limit_is_taken(office):
    """The page has the template store's limit (10 MB), not the dossier files' (1 MB in these tests):
    a template with a scanned letterhead is a few megabytes."""
    kind = "report"
    doc = Document(io.BytesIO(default_template(kind)))
    picture = io.BytesIO()
    Image.frombytes("RGB", (800, 800), os.urandom(800 * 800 * 3)).save(picture, "PNG")  # noise: no compression
    doc.add_picture(picture, width=Cm(4))
    out = io.BytesIO()
    doc.save(out)
    content = out.getvalue()
    limit = office.engine.context.config.max_attachment_bytes
    assert limit < len(content) < MAX_BYTES
    assert upload(login(office, "designer"), kind, content).status_code == 302
    assert store(office).in_force(kind).version == 1 and store(office).current(kind) == content


@pytest.mark.parametrize("user", ["head_a", "lan", "officer", "chief", "council"])
def test_only_designers_and_admins_may_see_download_or_upload(office, user):
    client = office.login(user)
    assert client.get("/templates").status_code == 403
    assert client.get("/templates/guidance/v0.docx").status_code == 403
    assert upload(client, "guidance", edited("chief_decision", "{{ decider }}")).status_code == 403
    assert 'href="/templates"' not in client.get("/inbox").get_data(as_text=True)
    assert store(office).versions("guidance") == []


def test_anonymous_users_are_sent_to_sign_in(office):
    client = office.client()
    for url in ("/templates", "/templates/guidance/v0.docx"):
        response = client.get(url)
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"], url
    response = upload(client, "guidance", default_template("guidance"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert store(office).versions("guidance") == []
