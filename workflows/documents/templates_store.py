"""The service-wide store of the Office's DOCX templates: the Office downloads a kind's template,
edits it in Word, uploads it back. Every accepted upload is a new version of that kind and the
newest is in force; a kind nobody uploaded for uses the default (workflows/documents/templates/).

An upload is refused, with the reason or the placeholder named in Vietnamese and English
(FormValidationError, field "template"), when it is not a DOCX, cannot be read or rendered, or
names a variable the kind's context does not have; then nothing is written and the template in
force stays as it was.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone

from docx import Document
from docxtpl import DocxTemplate
from jinja2 import TemplateError, Undefined
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from engine.errors import ConflictError
from engine.forms import FormValidationError
from workflows.documents.build_templates import default_template
from workflows.documents.docx_render import render
from workflows.documents.kinds import KINDS, context_keys, sample_contexts
from workflows.models import DocumentTemplate
from workflows.task_checks import field_error

TABLE = DocumentTemplate.__table__
FIELD = "template"
MAX_BYTES = 10 * 1024 * 1024
DOCX_PARTS = ("[Content_Types].xml", "word/document.xml")
MESSAGES = {
    "template_kind": ("'{kind}' không phải là loại văn bản có mẫu.", "'{kind}' is not a kind of document with a template."),
    "template_empty": ("Tệp mẫu trống.", "The template file is empty."),
    "template_too_large": ("Tệp mẫu lớn hơn {limit} MB.", "The template file is larger than {limit} MB."),
    "template_not_office": ("Tệp không phải là văn bản Word (.docx).", "The file is not a Word document (.docx)."),
    "template_not_docx": ("Tệp không phải là văn bản Word (.docx): thiếu {reason}.",
                          "The file is not a Word document (.docx): {reason} is missing."),
    "template_broken": ("Không đọc được tệp mẫu: {reason}.", "The template cannot be read: {reason}."),
    "template_syntax": ("Mẫu có lỗi cú pháp trường dữ liệu: {reason}.",
                        "The template's placeholders have a syntax error: {reason}."),
    "template_placeholder": ("Mẫu dùng trường dữ liệu không có trong văn bản này: {names}.",
                             "The template uses placeholders this document does not have: {names}."),
    "template_render": ("Không tạo được văn bản từ mẫu: {reason}.", "The template does not render: {reason}."),
}


@dataclass(frozen=True)
class TemplateVersion:
    kind: str
    version: int  # 0: the default template that comes with the service
    uploaded_by: str | None
    uploaded_at: datetime | None


def _refuse(code: str, **params) -> FormValidationError:
    return FormValidationError([field_error(FIELD, code, MESSAGES, **params)])


def _short(error: Exception) -> str:
    return (str(error).strip() or type(error).__name__).splitlines()[0][:200]


def check(kind: str, content: bytes) -> None:
    """Raises FormValidationError unless `content` is a DOCX template the `kind` can render."""
    if kind not in KINDS:
        raise _refuse("template_kind", kind=kind)
    if not content:
        raise _refuse("template_empty")
    if len(content) > MAX_BYTES:
        raise _refuse("template_too_large", limit=MAX_BYTES // (1024 * 1024))
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise _refuse("template_not_office")  # a PDF, a legacy .doc, a picture, a cut-off download
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _refuse("template_broken", reason=_short(error)) from error
    missing = [part for part in DOCX_PARTS if part not in names]
    if missing:
        raise _refuse("template_not_docx", reason=", ".join(missing))
    if bad:
        raise _refuse("template_broken", reason=bad)
    try:
        Document(io.BytesIO(content))
    except Exception as error:  # python-docx raises many kinds on a damaged package
        raise _refuse("template_broken", reason=_short(error)) from error
    try:
        used = DocxTemplate(io.BytesIO(content)).get_undeclared_template_variables()
    except TemplateError as error:
        raise _refuse("template_syntax", reason=_short(error)) from error
    unknown = sorted(used - context_keys(kind))
    if unknown:
        raise _refuse("template_placeholder", names=", ".join(unknown))
    missing = set()
    for context in sample_contexts(kind):  # a small campaign with a row on every list
        try:
            render(kind, context, content, _recording(missing))
        except Exception as error:  # a filter or a loop the data cannot feed
            raise _refuse("template_render", reason=_short(error)) from error
    if missing:  # a key a row or a part does not have, as in {{ r.ful_name }}
        raise _refuse("template_placeholder", names=", ".join(sorted(missing)))


def _recording(missing: set[str]) -> SandboxedEnvironment:
    """An environment noting each attribute a template asks of the data that is not there."""
    class Recording(Undefined):
        def __init__(self, hint=None, obj=None, name=None, exc=None):
            super().__init__(hint, obj, name, exc)
            if name is not None and obj is not None and not isinstance(obj, Undefined):
                missing.add(str(name))

    return SandboxedEnvironment(undefined=Recording)


class TemplateStore:
    def __init__(self, db: Engine) -> None:
        self._db = db

    def current(self, kind: str) -> bytes:
        """The template in force: the newest upload, or the default."""
        if kind not in KINDS:
            raise KeyError(f"{kind!r} is not a document kind ({', '.join(KINDS)})")
        with self._db.connect() as conn:
            content = conn.scalar(select(TABLE.c.content).where(TABLE.c.kind == kind)
                                  .order_by(TABLE.c.version.desc()).limit(1))
        return bytes(content) if content is not None else default_template(kind)

    def in_force(self, kind: str) -> TemplateVersion:
        versions = self.versions(kind)
        return versions[0] if versions else TemplateVersion(kind, 0, None, None)

    def versions(self, kind: str) -> list[TemplateVersion]:
        """The uploads of `kind`, newest first."""
        with self._db.connect() as conn:
            rows = conn.execute(select(TABLE.c.kind, TABLE.c.version, TABLE.c.uploaded_by, TABLE.c.uploaded_at)
                                .where(TABLE.c.kind == kind).order_by(TABLE.c.version.desc()))
            return [TemplateVersion(**row._mapping) for row in rows]

    def content(self, kind: str, version: int) -> bytes:
        """One version's file (0: the default)."""
        if version == 0:
            return default_template(kind)
        with self._db.connect() as conn:
            content = conn.scalar(select(TABLE.c.content).where(TABLE.c.kind == kind, TABLE.c.version == version))
        if content is None:
            raise KeyError(f"no version {version} of the {kind} template")
        return bytes(content)

    def upload(self, kind: str, content: bytes, uploaded_by: str, now: datetime | None = None) -> TemplateVersion:
        """Checks the file, then stores it as the kind's next version, in force from now on."""
        check(kind, content)
        now = now or datetime.now(timezone.utc)
        for _ in range(3):
            try:
                with self._db.begin() as conn:
                    version = (conn.scalar(select(func.max(TABLE.c.version)).where(TABLE.c.kind == kind)) or 0) + 1
                    conn.execute(insert(TABLE).values(kind=kind, version=version, content=content,
                                                      uploaded_by=uploaded_by, uploaded_at=now))
                return TemplateVersion(kind, version, uploaded_by, now)
            except IntegrityError:  # another upload of the same kind took this version: take the next
                continue
        raise ConflictError(f"could not store the {kind} template: other uploads are under way, try again")
