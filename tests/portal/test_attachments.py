"""Dossier files: allow-list by extension and content, size limit, clean names, nothing left by a
refused upload, downloads checked against the instance's visibility."""
from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile

import pytest

from engine.tasks.attachments import AttachmentError, clean_filename
from engine.errors import NotFoundError
from engine.persistence.models import Attachment
from tests.portal.conftest import UNIT_A, UNIT_B

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def _rows(portal) -> int:
    with portal.engine.context.sessions() as session:
        return session.query(Attachment).count()


def _stored_files(portal) -> list:
    root = portal.engine.attachments.directory
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _upload(client, task_id, name, content, description=""):
    return client.post(f"/tasks/{task_id}/attachments",
                       {"file": (io.BytesIO(content), name), "description": description},
                       content_type="multipart/form-data")


def test_upload_list_and_download(portal):
    client = portal.login("head_a")
    task = portal.task("Task_deploy_plan", UNIT_A)
    nfd_name = unicodedata.normalize("NFD", "Biên bản họp bình xét.pdf")
    response = _upload(client, task.id, nfd_name, PDF, "Biên bản")
    assert response.status_code == 302
    (row,) = portal.engine.attachments.list(portal.units[UNIT_A])
    assert row.name == "Biên bản họp bình xét.pdf" and unicodedata.is_normalized("NFC", row.name)
    assert row.sha256 == hashlib.sha256(PDF).hexdigest() and row.size == len(PDF) and row.created_by == "head_a"
    assert row.task_id == task.id and row.content_type == "application/pdf"
    (path,) = _stored_files(portal)
    assert path.read_bytes() == PDF and "static" not in path.parts
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "Biên bản họp bình xét.pdf" in page and f"/attachments/{row.id}" in page
    download = client.get(f"/attachments/{row.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    # Office-wide roles follow every unit; another unit's people do not see it, by URL either.
    assert portal.login("officer").get(f"/attachments/{row.id}").status_code == 200
    assert portal.login("head_b").get(f"/attachments/{row.id}").status_code == 404
    assert portal.login("an").get(f"/attachments/{row.id}").status_code == 404
    assert portal.client().get(f"/attachments/{row.id}").status_code == 302  # signed out: to the sign-in page
    assert client.get("/attachments/not-an-id").status_code == 404


@pytest.mark.parametrize("name, content, message", [
    ("virus.exe", b"MZ\x90\x00", "Chỉ chấp nhận các tệp"),
    ("trình-bày.pdf", b"MZ\x90\x00 not a pdf", "Nội dung tệp không đúng định dạng .pdf."),
    ("trang.docx", b"<html><script>alert(1)</script></html>", "Nội dung tệp không đúng định dạng .docx."),
    ("ảnh.png", PDF, "Nội dung tệp không đúng định dạng .png."),
    ("rỗng.pdf", b"", "Tệp rỗng."),
    ("lớn.pdf", b"%PDF-" + b"0" * (1024 * 1024), "Tệp lớn hơn 1 MB."),
    ("...", PDF, "Tên tệp không hợp lệ."),
])
def test_refused_uploads_leave_no_row_and_no_file(portal, name, content, message):
    client = portal.login("head_a")
    task = portal.task("Task_deploy_plan", UNIT_A)
    response = _upload(client, task.id, name, content)
    assert response.status_code == 302
    assert message in client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert _rows(portal) == 0 and _stored_files(portal) == []


def test_upload_needs_the_task_and_a_file(portal):
    task_b = portal.task("Task_deploy_plan", UNIT_B)
    client = portal.login("head_a")
    assert _upload(client, task_b.id, "a.pdf", PDF).status_code == 404
    task_a = portal.task("Task_deploy_plan", UNIT_A)
    assert portal.login("lan").post(f"/tasks/{task_a.id}/attachments", {}).status_code == 404  # not hers
    response = client.post(f"/tasks/{task_a.id}/attachments", {}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert "Vui lòng chọn một tệp." in client.get(f"/tasks/{task_a.id}").get_data(as_text=True)
    assert client.post(f"/tasks/{task_a.id}/attachments", {"file": (io.BytesIO(PDF), "a.pdf")}, csrf=False,
                       content_type="multipart/form-data").status_code == 400
    assert _rows(portal) == 0 and _stored_files(portal) == []


def test_service_accepts_office_formats_and_rolls_back_on_a_database_error(portal_any_db):
    portal = portal_any_db
    service, instance_id = portal.engine.attachments, portal.units[UNIT_A]
    for name, content in (("Báo cáo.docx", docx_bytes()), ("ảnh.png", PNG), ("cũ.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 8)):
        assert service.add(instance_id, name, content).name == name
    with pytest.raises(NotFoundError):
        service.add("no-such-instance", "a.pdf", PDF)
    with pytest.raises(NotFoundError):
        service.add(instance_id, "a.pdf", PDF, task_id=portal.task("Task_deploy_plan", UNIT_B).id)
    assert len(service.list(instance_id)) == 3 and len(_stored_files(portal)) == 3


def test_clean_filename():
    assert clean_filename("C:\\Users\\lan\\Tờ trình.docx") == "Tờ trình.docx"
    assert clean_filename("../../etc/passwd.pdf") == "passwd.pdf"
    assert clean_filename("bao\x00cao\r\n  nam 2025 .pdf") == "baocao nam 2025 .pdf"
    assert clean_filename('a<b>:"c"|?*.pdf') == "a_b___c____.pdf"
    long = clean_filename("Đ" * 300 + ".xlsx")
    assert len(long) == 200 and long.endswith(".xlsx")
    with pytest.raises(AttachmentError):
        clean_filename("/tmp/")
