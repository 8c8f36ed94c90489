"""Builds the default DOCX template of every document kind into workflows/documents/templates/.

    python -m workflows.documents.build_templates [--out DIR]

The committed files are what the service renders when the Office has uploaded none; the test
tests/workflows/test_docx_templates.py rebuilds them and checks the committed ones are the same
part by part, so a change here is a change of the committed files (run this, then commit both).
"""
from __future__ import annotations

import argparse
import io
import zipfile
from pathlib import Path

from workflows.documents import docx_layout as L
from workflows.documents.kinds import KINDS, sample_context

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _tables(doc, context: dict, names: list[str]) -> None:
    """Each named list, with its title, only when it has rows."""
    tables = {t["name"]: t for t in context["tables"]}
    for name in names:
        L.tag(doc, "{%p if " + name + " %}")
        L.paragraph(doc, tables[name]["title"], align=L.CENTER, bold=True, after=3)
        L.list_table(doc, tables[name])
        L.tag(doc, "{%p endif %}")


def _annex(doc, context: dict, heading: str) -> None:
    """The list sent with the document, on a page of its own after the signature."""
    L.page_break(doc)
    L.paragraph(doc, heading, align=L.CENTER, bold=True, after=0)
    L.paragraph(doc, "(Kèm theo ", "{{ kind_name|lower|capitalize }}", " số ", "{{ number }}", ")",
                align=L.CENTER, italic=True)
    L.list_table(doc, {**context["tables"][0], "name": "rows"})


def _standard(doc, context: dict, inline: list[str], annex: str | None) -> None:
    L.header(doc)
    L.title(doc)
    L.addressee(doc)
    L.repeated(doc, "body", indent=True)
    _tables(doc, context, inline)
    L.signature(doc)
    if annex:
        _annex(doc, context, annex)


def _decision(doc, context: dict) -> None:
    L.header(doc)
    L.title(doc)
    L.paragraph(doc, "{{ decider }}", align=L.CENTER, bold=True)
    L.repeated(doc, "grounds", italic=True, indent=True)
    L.paragraph(doc, "QUYẾT ĐỊNH:", align=L.CENTER, bold=True)
    L.repeated(doc, "articles", indent=True)
    L.signature(doc)
    _annex(doc, context, context["annex_title"])


def _minutes(doc, context: dict) -> None:
    L.header(doc)
    L.title(doc)
    L.repeated(doc, "body", indent=True)
    _tables(doc, context, ["members", "rows"])
    L.signature(doc, left=("secretary.title", "secretary.name"))


def _achievement(doc, context: dict) -> None:
    """The decree's form: the nominee named, then the sections; a collective adds its criteria."""
    L.header(doc, number=False)
    L.title(doc, "{{ kind_name }}", "ĐỀ NGHỊ TẶNG {{ nominee.award_name|upper }}")
    L.paragraph(doc, "{{ nominee.kind_label }}", ": ", ("{{ nominee.full_name }}", {"bold": True}), align=L.CENTER,
                after=0)
    L.paragraph(doc, "Đơn vị: ", "{{ nominee.unit_name }}", align=L.CENTER)
    L.tag(doc, "{%p for s in sections %}")
    L.paragraph(doc, "{{ s.title }}", bold=True, after=3)
    L.paragraph(doc, "{{ s.text }}", indent=True)
    L.tag(doc, "{%p endfor %}")
    L.tag(doc, "{%p if form == 'collective' %}")
    L.paragraph(doc, "IV. KẾT QUẢ THỰC HIỆN CÁC TIÊU CHÍ", bold=True, after=3)
    L.list_table(doc, {**context["tables"][0], "name": "criteria"})
    L.tag(doc, "{%p endif %}")
    L.signature(doc, recipients=False)


LAYOUTS = {
    "guidance": lambda doc, c: _standard(doc, c, ["rows"], None),
    "unit_proposal": lambda doc, c: _standard(doc, c, [], c["annex_title"]),
    "achievement_report": _achievement,
    "council_list": lambda doc, c: _standard(doc, c, ["rows", "not_eligible"], None),
    "council_minutes": _minutes,
    "chief_decision": _decision,
    "chairman_proposal": lambda doc, c: _standard(doc, c, [], c["annex_title"]),
    "announcement": lambda doc, c: _standard(doc, c, ["rows", "not_awarded"], None),
    "report": lambda doc, c: _standard(doc, c, ["by_award", "by_unit", "rows"], None),
}


def build(kind: str) -> bytes:
    doc = L.new_document()
    doc.core_properties.title = KINDS[kind].title
    LAYOUTS[kind](doc, sample_context(kind))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def parts(docx: bytes) -> dict[str, bytes]:
    """A DOCX's parts by name: what a rebuild compares (a zip's own timestamps differ)."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def default_template(kind: str) -> bytes:
    if kind not in KINDS:
        raise KeyError(f"{kind!r} is not a document kind ({', '.join(KINDS)})")
    return (TEMPLATES / f"{kind}.docx").read_bytes()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build the default DOCX templates of the official documents.")
    parser.add_argument("--out", type=Path, default=TEMPLATES)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        path, built = args.out / f"{kind}.docx", build(kind)
        if path.exists() and parts(path.read_bytes()) == parts(built):
            continue  # the same template: keep the file, so git sees no change
        path.write_bytes(built)
        print(path)


if __name__ == "__main__":
    main()
