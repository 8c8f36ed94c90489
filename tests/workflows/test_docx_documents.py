"""The DOCX documents of a real finished campaign (tests/workflows/test_decision_end.py's scenario),
read back with python-docx: the decree's page, fonts, header blocks, numbers, dates, names, lists
and page numbers from page 2. The rendered files are kept under build/artefacts/docx/ to open in
Word; no PNG of them is made (that needs LibreOffice, which this machine does not have).
"""
from __future__ import annotations

import io
import unicodedata
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docxtpl import DocxTemplate

from tests.artefacts import ARTEFACTS, keep
from tests.workflows.finished_campaign import clock, council, engine, finished, office, people  # noqa: F401
from workflows.documents.build_templates import build as build_template, default_template, main, parts
from workflows.documents.docx_render import render
from workflows.documents.kinds import KINDS, build, context_keys

DATED = {"chairman_proposal": "2025-08-21", "announcement": "2025-08-26", "report": "2025-08-27"}


def test_the_committed_templates_are_what_the_script_builds():
    """python -m workflows.documents.build_templates wrote them; a change to the script without
    rebuilding (or a hand edit of a committed file) fails here. The zip's own timestamps differ,
    so the parts are compared."""
    for kind in KINDS:
        assert parts(default_template(kind)) == parts(build_template(kind)), kind


def test_the_script_writes_every_kind_and_leaves_an_unchanged_file_alone(tmp_path, capsys):
    main(["--out", str(tmp_path)])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{kind}.docx" for kind in KINDS)
    assert all(parts((tmp_path / f"{kind}.docx").read_bytes()) == parts(default_template(kind)) for kind in KINDS)
    capsys.readouterr()
    main(["--out", str(tmp_path)])  # a rebuild of the same templates rewrites nothing
    assert capsys.readouterr().out == ""


def test_every_template_names_only_its_kinds_context():
    for kind in KINDS:
        used = DocxTemplate(io.BytesIO(default_template(kind))).get_undeclared_template_variables()
        assert used and used <= context_keys(kind), (kind, used - context_keys(kind))


def rendered(finished) -> dict[str, Document]:
    v, units = finished.variables, finished.units
    unit_of = {"unit_proposal": "tong_hop", "achievement_report": "kinh_te"}
    documents = {}
    for kind in KINDS:
        context = build(kind, v, units[unit_of.get(kind, "tong_hop")], nominee_id="nom-anhhtm", on=DATED.get(kind))
        docx = render(kind, context)
        keep(ARTEFACTS / "docx" / f"{kind}.docx", docx)
        documents[kind] = Document(io.BytesIO(docx))
        with zipfile.ZipFile(io.BytesIO(docx)) as archive:
            xml = archive.read("word/document.xml").decode()
        assert "{{" not in xml and "{%" not in xml and "%}" not in xml, kind  # every tag filled
    return documents


def texts(doc) -> list[str]:
    """Every paragraph's text, in the body and in every table cell, in order."""
    found = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                found += [p.text for p in cell.paragraphs]
    return found


def runs(doc):
    """Every run but those of the "Nơi nhận" list, which the decree sets smaller (12 pt, 11 pt)."""
    for paragraph in doc.paragraphs:
        yield from paragraph.runs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                if not cell.text.startswith("Nơi nhận:"):
                    for paragraph in cell.paragraphs:
                        yield from paragraph.runs


def page_field(part) -> bool:
    return any((i.text or "").strip() == "PAGE" for i in part._element.iter(qn("w:instrText")))


def check_layout(kind: str, doc) -> None:
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297), kind
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [20, 20, 30, 15], kind
    # Page numbers from page 2: the first page's header has none, the others' a PAGE field.
    assert section.different_first_page_header_footer, kind
    assert page_field(section.header) and not page_field(section.first_page_header), kind
    normal = doc.styles["Normal"]
    assert (normal.font.name, normal.font.size.pt) == ("Times New Roman", 14), kind
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:cs")} == {"Times New Roman"}, kind
    # Text is 13-14 pt; only the "Nơi nhận" list is smaller.
    sizes = {(r.font.size.pt if r.font.size else 14) for r in runs(doc) if r.text.strip()}
    assert sizes <= {13, 14}, (kind, sizes)
    everything = "\n".join(texts(doc))
    assert unicodedata.is_normalized("NFC", everything), kind
    # The two-column header: issuer top left (parent, name in bold), the national title top right.
    left, right = doc.tables[0].rows[0].cells
    assert [p.text for p in left.paragraphs][:2] == ["UBND TỈNH SƠN LA", "VĂN PHÒNG"] or kind in (
        "unit_proposal", "achievement_report"), kind
    assert left.paragraphs[1].runs[0].bold, kind
    # The short lines under the issuer's name and under the motto.
    assert all(cell.paragraphs[2]._p.pPr.find(qn("w:pBdr")) is not None for cell in (left, right)), kind
    assert [p.text for p in right.paragraphs][:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    date_line = right.paragraphs[-1]
    assert date_line.text.startswith("Sơn La, ngày ") and all(r.italic for r in date_line.runs if r.text), kind


def test_every_document_of_a_finished_campaign_in_the_decree_layout(finished):
    documents = rendered(finished)
    for kind, doc in documents.items():
        check_layout(kind, doc)
    number = lambda kind: documents[kind].tables[0].rows[0].cells[0].paragraphs[-1].text  # noqa: E731
    date_of = lambda kind: documents[kind].tables[0].rows[0].cells[1].paragraphs[-1].text  # noqa: E731

    # The Chief's decision: its number from the register, its date, tên loại and trích yếu, the list.
    decision = documents["chief_decision"]
    assert (number("chief_decision"), date_of("chief_decision")) == ("Số: 01/QĐ-VPUB", "Sơn La, ngày 20 tháng 8 năm 2025")
    body = [p.text for p in decision.paragraphs]
    title = body.index("QUYẾT ĐỊNH")
    assert body[title + 1] == "Về việc tặng Giấy khen của Chánh Văn phòng"
    assert body[title + 2] == "CHÁNH VĂN PHÒNG UBND TỈNH SƠN LA"  # who decides, before the grounds
    assert all(r.bold for r in decision.paragraphs[title].runs) and decision.paragraphs[title].alignment == 1
    assert "QUYẾT ĐỊNH:" in body and any(t.startswith("Điều 1. Tặng Giấy khen của Chánh Văn phòng cho 1 tập thể và"
                                                       " 1 cá nhân") for t in body)
    assert "(Kèm theo Quyết định số 01/QĐ-VPUB)" in body
    listed = decision.tables[-1]
    assert [r.cells[1].text for r in listed.rows] == ["Tên tập thể, họ và tên cá nhân", "Phòng Nội chính", "Đinh Thị Vân"]
    signature = "\n".join(c.text for c in decision.tables[1].rows[0].cells)
    assert "CHÁNH VĂN PHÒNG" in signature and "Trần Bình Minh" in signature
    assert "Nơi nhận:\n- Như Điều 3;" in signature and "- Lưu: VT, TCHCQT." in signature

    # The numbers the register gave the campaign's issue steps (in the variables their `target`
    # names); the minutes' context takes its number only when issued, so built here it is a draft.
    assert number("council_minutes") == "Số: .../BB-VPUB" and number("announcement") == "Số: 01/TB-VPUB"
    assert number("guidance") == "Số: 01/HD-VPUB" and number("report") == "Số: 01/BC-VPUB"
    assert number("chairman_proposal") == "Số: 06/TTr-VPUB"  # after the units' four tờ trình and the council's
    assert date_of("announcement") == "Sơn La, ngày 26 tháng 8 năm 2025"
    assert date_of("guidance") == "Sơn La, ngày 25 tháng 6 năm 2025"

    # The minutes: who sat, the votes per nominee, the result; the secretary and the chair sign.
    minutes = documents["council_minutes"]
    members = [[c.text for c in r.cells] for r in minutes.tables[1].rows]
    assert members[1] == ["1", "Trần Bình Minh", "Chủ tịch Hội đồng", "", "Có mặt"]
    assert [m[4] for m in members[1:]].count("Có mặt") == 4 and [m[4] for m in members[1:]].count("Vắng mặt") == 1
    votes = [[c.text for c in r.cells] for r in minutes.tables[2].rows]
    assert [v[1] for v in votes[1:]] == ["Phòng Nội chính", "Hoàng Đức Anh", "Hồ Thị Mai Anh", "Phạm Thị Lan",
                                         "Đinh Thị Vân"]
    assert all(v[4:] == ["4", "0", "0", "Đạt"] for v in votes[1:])
    assert any("có mặt: 4" in t for t in texts(minutes))
    signers = [c.text for c in minutes.tables[-1].rows[0].cells]
    assert "THƯ KÝ" in signers[0] and "Phạm Thu Hà" in signers[0] and "Trần Bình Minh" in signers[1]

    # The announcement names exactly the awarded; the report counts them by form and by unit.
    announced = texts(documents["announcement"])
    assert all(name in announced for name in ("Phòng Nội chính", "Hồ Thị Mai Anh", "Phạm Thị Lan", "Đinh Thị Vân"))
    assert "1520/QĐ-UBND" in announced and "25/08/2025" in announced
    assert "Lò Văn Pánh" not in announced
    report = documents["report"]
    by_award = [[c.text for c in r.cells] for r in report.tables[1].rows]
    assert by_award[1:] == [["1", "Bằng khen của Chủ tịch UBND tỉnh", "0", "2", "2"],
                            ["2", "Giấy khen của Chánh Văn phòng", "1", "1", "2"]]
    assert "Kính gửi: Sở Nội vụ tỉnh Sơn La" in texts(report)

    # A unit's proposal: issued by the unit under the Office; its list on a page of its own.
    proposal = documents["unit_proposal"]
    assert [p.text for p in proposal.tables[0].rows[0].cells[0].paragraphs][:2] == [
        "VĂN PHÒNG UBND TỈNH SƠN LA", "PHÒNG TỔNG HỢP"]
    assert [r.cells[1].text for r in proposal.tables[-1].rows][1:] == ["Hoàng Đức Anh", "Phạm Thị Lan", "Lò Văn Pánh"]

    # A nominee's achievement report: the decree's individual form, her rewritten report.
    report_of = texts(documents["achievement_report"])
    assert "ĐỀ NGHỊ TẶNG BẰNG KHEN CỦA CHỦ TỊCH UBND TỈNH" in report_of
    assert "Cá nhân: Hồ Thị Mai Anh" in report_of and "Báo cáo có số liệu: 120 văn bản tham mưu" in report_of
    assert "IV. KẾT QUẢ THỰC HIỆN CÁC TIÊU CHÍ" not in report_of  # the collectives' part only


def test_a_collective_report_lists_its_criteria_and_data_stays_text(finished):
    v, units = finished.variables, finished.units
    team = texts(Document(io.BytesIO(render("achievement_report", build(
        "achievement_report", v, units["noi_chinh"], nominee_id="nom-noi_chinh")))))
    assert "Tập thể: Phòng Nội chính" in team and "IV. KẾT QUẢ THỰC HIỆN CÁC TIÊU CHÍ" in team
    assert team.count("Đạt") == 3
    # A name with XML's own characters is written as text, not markup.
    context = build("chief_decision", v)
    context["rows"] = [{**context["rows"][0], "full_name": "Tổ Kế toán & Tài vụ <Quỹ>"}]
    assert "Tổ Kế toán & Tài vụ <Quỹ>" in texts(Document(io.BytesIO(render("chief_decision", context))))


def test_an_unknown_kind_has_no_template():
    with pytest.raises(KeyError, match="not a document kind"):
        default_template("certificate")
