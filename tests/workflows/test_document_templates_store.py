"""The Office's DOCX templates (workflows/documents/templates_store.py), on both databases: an
edited template uploaded is the next version and in force; a bad upload is refused with the
placeholder or the reason named in Vietnamese and English, and changes nothing."""
from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import datetime, timezone

import pytest
from docx import Document
from sqlalchemy import func, select

from engine.forms.submission import FormValidationError
from workflows.documents.build_templates import default_template
from workflows.documents.docx_render import render
from workflows.documents.kinds import sample_context
from workflows.documents.templates_store import TABLE, TemplateStore, TemplateVersion

KIND = "chief_decision"
NOW = datetime(2025, 8, 1, 9, 0, tzinfo=timezone.utc)


def edited(*runs: str, template: bytes | None = None, lines: tuple[str, ...] = ()) -> bytes:
    """The default template as the Office edits it in Word: a paragraph added at the end, typed in
    several runs (Word splits a placeholder across runs when it is typed or formatted in parts),
    then `lines`, a paragraph each."""
    doc = Document(io.BytesIO(template or default_template(KIND)))
    paragraph = doc.add_paragraph()
    for text in runs:
        paragraph.add_run(text)
    for line in lines:
        doc.add_paragraph(line)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def text_of(docx: bytes) -> str:
    doc = Document(io.BytesIO(docx))
    return "\n".join(p.text for p in doc.paragraphs)


def stored(db) -> int:
    with db.connect() as conn:
        return conn.scalar(select(func.count()).select_from(TABLE))


def test_a_kind_without_an_upload_uses_the_default(db):
    store = TemplateStore(db)
    assert store.current(KIND) == default_template(KIND)
    assert store.in_force(KIND) == TemplateVersion(KIND, 0, None, None) and store.versions(KIND) == []
    with pytest.raises(KeyError, match="not a document kind"):
        store.current("certificate")


def test_an_edited_template_uploaded_is_the_next_version_and_in_force(db):
    store = TemplateStore(db)
    first = edited("Ghi chú: trình ký theo kế hoạch số ", "{{ plan_", "number }}", ".")
    assert store.upload(KIND, first, "hoa", now=NOW) == TemplateVersion(KIND, 1, "hoa", NOW)
    context = sample_context(KIND)  # a small campaign: plan 01/KH-VPUB, one Giấy khen for Nguyễn Văn A
    assert "Ghi chú: trình ký theo kế hoạch số 01/KH-VPUB." in text_of(render(KIND, context, store.current(KIND)))
    second = edited("Bản sửa lần hai của ", "{{ issuer.name }}", template=first,
                    lines=("{%p for r in rows %}", "Tặng: {{ r.full_name }} ({{ r.unit_name }})", "{%p endfor %}"))
    version = store.upload(KIND, second, "minh", now=NOW)
    assert version.version == 2 and store.in_force(KIND).uploaded_by == "minh"
    assert [v.version for v in store.versions(KIND)] == [2, 1]
    assert store.current(KIND) == second and store.content(KIND, 1) == first
    assert store.content(KIND, 0) == default_template(KIND)
    rendered = text_of(render(KIND, context, store.current(KIND)))
    assert "Bản sửa lần hai của VĂN PHÒNG" in rendered and "kế hoạch số 01/KH-VPUB" in rendered
    assert "Tặng: Nguyễn Văn A (Phòng X)" in rendered
    # Versions are per kind: the others still use their default.
    assert store.current("report") == default_template("report") and store.versions("report") == []


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


BAD = {
    "unknown placeholder": (lambda: edited("Người ký: ", "{{ nguoi_ky }}", " ", "{{ signer.name }}"),
                            "template_placeholder", ["nguoi_ky"]),
    "two unknown placeholders": (lambda: edited("{{ so_qd }} và ", "{{ danh_sach|length }}"),
                                 "template_placeholder", ["danh_sach, so_qd"]),
    "a row key misspelt": (lambda: edited(lines=("{%p for r in rows %}", "{{ r.ful_name }}", "{%p endfor %}")),
                           "template_placeholder", ["ful_name"]),
    "placeholder syntax": (lambda: edited("Số: {{ number "), "template_syntax", []),
    "data it cannot fill": (lambda: edited("{{ signer.name.first.letter }}"), "template_render", []),
    "reaching into Python": (lambda: edited("{{ signer.__class__.__mro__ }}"), "template_render", []),
    "a PDF": (lambda: b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n", "template_not_office", []),
    "a legacy .doc": (lambda: bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504, "template_not_office", []),
    "a zip without a document": (lambda: zipped({"[Content_Types].xml": b"<Types/>", "readme.txt": b"x"}),
                                 "template_not_docx", ["word/document.xml"]),
    "a truncated DOCX": (lambda: default_template(KIND)[:20000], "template_not_office", []),
    "a damaged DOCX": (lambda: zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document"}),
                       "template_broken", []),
    "an empty file": (lambda: b"", "template_empty", []),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_upload_is_refused_with_the_reason_and_changes_nothing(db, case):
    store = TemplateStore(db)
    good = edited("Mẫu đang dùng")
    store.upload(KIND, good, "hoa", now=NOW)
    before = (stored(db), store.versions(KIND), store.current(KIND))
    content, code, named = BAD[case]
    with pytest.raises(FormValidationError) as refusal:
        store.upload(KIND, content(), "hoa")
    [error] = refusal.value.errors
    assert (error.field, error.code) == ("template", code)
    vietnamese, english = error.message.split(" / ", 1)
    assert vietnamese and english and unicodedata.is_normalized("NFC", error.message)
    for name in named:
        assert name in vietnamese and name in english
    assert (stored(db), store.versions(KIND), store.current(KIND)) == before  # the old template stays in force


def test_an_upload_for_an_unknown_kind_is_refused(db):
    store = TemplateStore(db)
    with pytest.raises(FormValidationError) as refusal:
        store.upload("certificate", default_template(KIND), "hoa")
    assert refusal.value.errors[0].code == "template_kind" and "'certificate'" in refusal.value.errors[0].message
    assert stored(db) == 0


def test_a_placeholder_of_another_kind_is_unknown_here(db):
    """`by_award` is the report's; a decision's template may not use it."""
    store = TemplateStore(db)
    with pytest.raises(FormValidationError) as refusal:
        store.upload(KIND, edited("{{ by_award }}"), "hoa")
    assert "by_award" in refusal.value.errors[0].message
    store.upload("report", edited("{{ by_award }}", template=default_template("report")), "hoa")
    assert [v.version for v in store.versions("report")] == [1] and store.versions(KIND) == []


def test_the_portal_can_say_every_refusal_in_both_languages():
    """web/portal/translations/documents.*.json carry each code as form.error.<code>, same placeholders."""
    import json
    import string
    from pathlib import Path

    from workflows.documents.templates_store import MESSAGES

    folder = Path(__file__).resolve().parents[2] / "web" / "portal" / "translations"
    for index, language in enumerate(("vi", "en")):
        catalog = json.loads((folder / f"documents.{language}.json").read_text(encoding="utf-8"))
        for code, pair in MESSAGES.items():
            fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
            assert fields(catalog[f"form.error.{code}"]) == fields(pair[index]), (language, code)
