"""Bad input through the portal: each case runs for a Vietnamese and for an English user.

A case names who sends it (None: nobody signed in), the status, the catalog text the user must
read (`key` and its parameters, in their language), and what may be stored: nothing, except for
the three file names that are cleaned rather than refused, which store one cleaned file.
"""
from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from engine.tasks.attachments import ALLOWED_EXTENSIONS
from engine.persistence.models import Attachment
from tests.reliability.bad_input_support import APPROVAL, BROKEN_XML, EXE, MB, PDF, padded, script_task, xxe
from tests.workflows.test_document_templates_store import edited
from web.portal.i18n import catalogs

NOTHING: dict = {}
ONE_FILE = {"rows": {"attachment": 1}, "files added": 1}


@dataclass(frozen=True)
class PortalCase:
    name: str
    user: str | None
    build: Callable  # office -> (method, url, request keyword arguments)
    status: int
    key: str
    params: dict = field(default_factory=dict)
    also_says: tuple[str | dict[str, str], ...] = ()  # a dict: the words in each language
    never_says: tuple[str, ...] = ()
    stores: dict = field(default_factory=dict)
    check: Callable | None = None  # office -> None, asserting what was stored

    def message(self, language: str) -> str:
        """The text the user reads; a `{message}` the case does not give (the detail of a refusal)
        leaves the sentence before it."""
        text = catalogs()[language][self.key]
        if "{message}" in text and "message" not in self.params:
            return text.split("{message}")[0].rstrip()
        return text.format(**self.params)


def attach(name: str, content: bytes):
    def build(office):
        return "POST", f"/tasks/{office.deploy_task}/attachments", {
            "data": {"file": (io.BytesIO(content), name)}, "content_type": "multipart/form-data"}
    return build


def models(name: str, content):
    def build(office):
        data = content(office) if callable(content) else content
        return "POST", "/models", {"data": {"files": (io.BytesIO(data.encode()), name)},
                                   "content_type": "multipart/form-data"}
    return build


def template(name: str, content: bytes | Callable[[], bytes]):
    def build(office):
        data = content() if callable(content) else content
        return "POST", "/templates/chief_decision", {"data": {"file": (io.BytesIO(data), name)},
                                                     "content_type": "multipart/form-data"}
    return build


def staff_file(name: str, content: bytes):
    return lambda office: ("POST", "/admin/staff-import", {"data": {"file": (io.BytesIO(content), name)},
                                                           "content_type": "multipart/form-data"})


def complete(task: str, values: dict):
    return lambda office: ("POST", f"/tasks/{getattr(office, task)}/complete", {"data": values})


def page(method: str, url: str, **kwargs):
    # A copy each time: the runner takes the form data out of what it is given.
    return lambda office: (method, url, {k: dict(v) if isinstance(v, dict) else v for k, v in kwargs.items()})


def stored_as(expected_name: str, outside: Path | None = None):
    def check(office):
        with office.engine.context.sessions() as session:
            [row] = session.query(Attachment).all()
        assert row.name == expected_name
        assert outside is None or not outside.exists(), f"{outside} was written"
    return check


def operation(action: str, data: dict):
    """A confirmed operator action on the instance of the office's deploy task."""
    def build(office):
        instance_id = office.engine.tasks.get(office.deploy_task).instance_id
        return "POST", f"/operations/instances/{instance_id}/{action}", {"data": {**data, "confirmed": "1"}}
    return build


TYPES = {"allowed": ", ".join(ALLOWED_EXTENSIONS)}
HEADER = "Mã cán bộ,Họ và tên,Đơn vị,Ngày bắt đầu công tác tại Văn phòng,Email\r\n"
BROKEN_ROWS = (HEADER + "lan,Nguyễn Thị Lan,tong_hop,31/02/2015,\r\n"
               "minh,Trần Văn Minh,phong_khong_co,01/08/2016,\r\n"
               "dung,Đặng Thị Dung,tong_hop,05/08/2015,khong-phai-email\r\n").encode()
LONG_NAME = "Đ" * 300 + ".pdf"
TRAVERSAL_TARGET = Path("/tmp/thidua-bad-input-traversal.pdf")

CASES = [
    # -- dossier files ------------------------------------------------------------------------
    PortalCase("file named ../", "head_a", attach("../", PDF), 302, "attachments.error.name"),
    PortalCase("file named ../../etc/passwd", "head_a", attach("../../etc/passwd", PDF), 302,
               "attachments.error.type", TYPES),
    PortalCase("file named with NUL bytes only", "head_a", attach("\x00\x00\x00", PDF), 302, "attachments.error.name"),
    PortalCase("NUL byte hiding .exe", "head_a", attach("ke-hoach.pdf\x00.exe", EXE), 302, "attachments.error.type",
               TYPES),
    PortalCase(".exe renamed .pdf", "head_a", attach("Kế hoạch.pdf", EXE), 302, "attachments.error.content",
               {"extension": "pdf"}),
    PortalCase(".exe as it is", "head_a", attach("setup.exe", EXE), 302, "attachments.error.type", TYPES),
    PortalCase("HTML page named .docx", "head_a", attach("Báo cáo.docx", b"<html><script>alert(1)</script></html>"),
               302, "attachments.error.content", {"extension": "docx"}),
    PortalCase("empty file", "head_a", attach("Biên bản.pdf", b""), 302, "attachments.error.empty"),
    PortalCase("file over the size limit", "head_a", attach("Hồ sơ.pdf", b"%PDF-" + b"0" * MB), 302,
               "attachments.error.size", {"limit_mb": 1}),
    PortalCase("file of 5 MB, over the request limit", "head_a", attach("Hồ sơ lớn.pdf", b"%PDF-" + b"0" * (5 * MB)),
               413, "error.too_large.message"),
    PortalCase("upload without a file", "head_a", lambda office: (
        "POST", f"/tasks/{office.deploy_task}/attachments", {"data": {}, "content_type": "multipart/form-data"}), 302,
               "attachments.error.no_file"),
    # Cleaned, not refused: the file is kept under a random key inside the store, with a safe name.
    PortalCase("path ../ in a PDF's name is cut off", "head_a", attach(f"../../../..{TRAVERSAL_TARGET}", PDF), 302,
               "attachments.uploaded", {"name": TRAVERSAL_TARGET.name}, stores=ONE_FILE,
               check=stored_as(TRAVERSAL_TARGET.name, TRAVERSAL_TARGET)),
    PortalCase("NUL byte inside a PDF's name is dropped", "head_a", attach("bao\x00cao.pdf", PDF), 302,
               "attachments.uploaded", {"name": "baocao.pdf"}, stores=ONE_FILE, check=stored_as("baocao.pdf")),
    PortalCase("name of 300 characters is shortened to 200", "head_a", attach(LONG_NAME, PDF), 302,
               "attachments.uploaded", {"name": "Đ" * 196 + ".pdf"}, stores=ONE_FILE,
               check=stored_as("Đ" * 196 + ".pdf")),
    # -- models ------------------------------------------------------------------------------
    PortalCase("model with broken XML", "designer", models("broken.bpmn", BROKEN_XML), 400, "models.upload.refused",
               also_says=("broken.bpmn", "not well-formed XML")),
    PortalCase("model with XXE", "designer", models("xxe.bpmn", lambda office: xxe(office.secret)), 400,
               "models.upload.refused", also_says=("DOCTYPE",), never_says=("TOP SECRET",)),
    PortalCase("model of 50 MB", "designer", models("huge.bpmn", padded(50 * MB)), 413, "error.too_large.message"),
    PortalCase("model with a JavaScript script", "designer", models("js.bpmn", script_task("x = 1", "javascript")),
               400, "models.upload.refused", also_says=("javascript",)),
    PortalCase("model with a sandbox escape", "designer",
               models("escape.bpmn", script_task("x = ().__class__.__bases__")), 400, "models.upload.refused",
               also_says=("__class__",)),
    PortalCase("model upload without a file", "designer", page("POST", "/models", data={}), 400, "models.upload.none"),
    PortalCase("model uploaded by a unit head", "head_a", models("approval.bpmn", APPROVAL), 403,
               "error.forbidden.message"),
    # -- document templates ------------------------------------------------------------------
    PortalCase("template naming a placeholder the document lacks", "designer",
               template("Quyết định.docx", edited("Kính gửi: {{ ten_la }}")), 400, "form.error.template_placeholder",
               {"names": "ten_la"}),
    PortalCase("template that is a PDF", "designer", template("Quyết định.docx", PDF), 400,
               "form.error.template_not_office"),
    PortalCase("template of 50 MB", "designer", template("Quyết định.docx", lambda: bytes(50 * MB)), 413,
               "error.too_large.message"),
    # -- staff register ----------------------------------------------------------------------
    PortalCase("staff file with broken rows", "admin", staff_file("danh-ba.csv", BROKEN_ROWS), 422,
               "admin.staff.errors", {"count": 3}, also_says=tuple({"vi": f"Dòng {n}", "en": f"Row {n}"} for n in (2, 3, 4))),
    PortalCase("staff file with broken rows sent straight to apply", "admin", page(
        "POST", "/admin/staff-import/apply", data={"content": base64.b64encode(BROKEN_ROWS).decode(),
                                                   "filename": "danh-ba.csv"}), 400, "admin.staff.refused"),
    PortalCase("staff file that is a PDF", "admin", staff_file("danh-ba.pdf", PDF), 400, "admin.staff.refused"),
    PortalCase("staff file without the required columns", "admin",
               staff_file("danh-ba.csv", "Họ và tên\r\nNguyễn Thị Lan\r\n".encode()), 400, "admin.staff.refused"),
    PortalCase("staff apply with content that is not base64", "admin",
               page("POST", "/admin/staff-import/apply", data={"content": "%%%", "filename": "x.csv"}), 400,
               "error.bad_request.message"),
    PortalCase("staff import without a file", "admin", page("POST", "/admin/staff-import", data={}), 400,
               "admin.staff.no_file"),
    # -- operations --------------------------------------------------------------------------
    PortalCase("move to a step the process does not have", "admin", operation("move", {"activity": "Gateway_x"}),
               400, "operations.error.activity"),
    PortalCase("retry of an incident that does not exist", "admin", operation("retry", {"incident": "không-có"}),
               400, "operations.error.incident"),
    PortalCase("incident annotation of an incident that does not exist", "admin",
               operation("annotate", {"incident": "x", "annotation": "y"}), 400, "operations.error.incident"),
    PortalCase("migration between versions that do not exist", "admin", page(
        "POST", "/operations/migration/", data={"key": "x", "source": "x:1:a", "target": "x:2:b", "confirmed": "1"}),
        400, "operations.migration.error.versions"),
    # -- task forms --------------------------------------------------------------------------
    PortalCase("score above its max", "officer", complete("approval_task", {"score": "500"}), 422, "form.error.max",
               {"max": 100}),
    PortalCase("comment over its maxlength", "officer", complete("approval_task", {"score": "80", "comment": "x" * 201}),
               422, "form.error.maxlength", {"maxlength": 200}),
    PortalCase("text in a whole-number field", "officer", complete("approval_task", {"score": "tám mươi"}), 422,
               "form.error.type.long"),
    PortalCase("number of 400 digits", "officer", complete("approval_task", {"score": "9" * 400}), 422,
               "form.error.type.long"),
    PortalCase("required field left empty", "officer", complete("approval_task", {"score": ""}), 422,
               "form.error.required"),
    PortalCase("31/02 in a date field", "head_a", complete("deploy_task", {"deployedOn": "31/02/2025"}), 422,
               "form.error.type.date"),
    PortalCase("form posted without its CSRF token", "officer",
               lambda office: ("POST", f"/tasks/{office.approval_task}/complete", {"data": {"score": "80"},
                                                                                    "csrf": False}),
               400, "error.csrf.message"),
    # -- unknown ids and bad parameters ------------------------------------------------------
    PortalCase("unknown task", "officer", page("GET", "/tasks/khong-co"), 404, "error.not_found.message"),
    PortalCase("unknown task completed", "officer", page("POST", "/tasks/khong-co/complete", data={"score": "80"}),
               404, "error.not_found.message"),
    PortalCase("unknown instance", "officer", page("GET", "/instances/khong-co"), 404, "error.not_found.message"),
    PortalCase("unknown attachment", "officer", page("GET", "/attachments/khong-co"), 404, "error.not_found.message"),
    PortalCase("unknown campaign", "officer", page("GET", "/campaigns/khong-co"), 404, "error.not_found.message"),
    PortalCase("unknown model", "designer", page("GET", "/models/khong-co:1:x"), 404, "error.not_found.message"),
    PortalCase("inbox filter that does not exist", "officer", page("GET", "/inbox?due=hom-qua"), 400,
               "error.bad_request.message"),
    PortalCase("language that does not exist", "officer", page("POST", "/language", data={"language": "fr"}), 400,
               "error.bad_request.message"),
    PortalCase("sign-in without a password", None, page("POST", "/login", data={"username": "lan", "password": ""}),
               400, "auth.error.empty"),
    PortalCase("unit code left empty", "admin", page("POST", "/admin/units", data={"code": " ", "name": "Phòng Mới"}),
               400, "admin.error.unit_code"),
]
