"""The PDFs of a campaign's documents from the demo Office's data (tests/workflows/document_data.py)
and the Giấy khen, read back with pypdf: the text (names, numbers, dates, in NFC), the page size,
where the text sits (the decree's margins, page numbers from page 2 only), the font sizes, one
typeface for every letter, a long list over several pages; PNG artefacts of a decision page and a
certificate under build/artefacts/. Every kind from a real campaign: test_pdf_every_kind.py."""
from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest

from tests.workflows.document_data import CAMPAIGN, decision_end, positions, whole_office
from tests.workflows.pdf_reading import (A4, ARTEFACTS, MM, TOP_MARGIN_Y, flat, fragments, png_of_page, read,
                                         text_of)
from workflows.demo_office import demo_office
from workflows.documents.certificates import certificate_contexts, render_certificates
from workflows.documents.contexts import with_positions
from workflows.documents.kinds import build
from workflows.documents.official import PAGE
from workflows.documents.pdf_render import DocumentRenderError, render_document_pdf, render_pdf, serif_families


def pdf_of(kind: str, variables: dict, office) -> bytes:
    """The document with each person's chức vụ from the staff register."""
    return render_document_pdf(kind, with_positions(variables, positions(office)))


@pytest.fixture(scope="module")
def office():
    return demo_office()


@pytest.fixture(scope="module")
def long_decision(office) -> bytes:
    return pdf_of("chief_decision", whole_office(office), office)


def test_the_chief_decision_names_its_awardees_under_its_number_and_date(office):
    reader = read(pdf_of("chief_decision", decision_end(office), office))
    text = flat(" ".join(text_of(p) for p in reader.pages))
    for part in ("UBND TỈNH SƠN LA", "VĂN PHÒNG", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                 "Số: 01/QĐ-VPUB", "Sơn La, ngày 20 tháng 8 năm 2025", "QUYẾT ĐỊNH",
                 "Về việc tặng Giấy khen của Chánh Văn phòng", "CHÁNH VĂN PHÒNG UBND TỈNH SƠN LA",
                 "Căn cứ Kế hoạch số 05/KH-VPUB", "tại cuộc họp ngày 15/08/2025", "cho 1 tập thể và 1 cá nhân",
                 "Nơi nhận:", "CHÁNH VĂN PHÒNG", "Trần Bình Minh", "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC TẶNG GIẤY KHEN",
                 "(Kèm theo Quyết định số 01/QĐ-VPUB)", "Phòng Nội chính", "Đinh Thị Vân",
                 "Chuyên viên, Phòng Nội chính"):
        assert part in text, part
    # The Bằng khen are the Chairman's: not in the Chief's decision.
    assert "Phạm Thị Lan" not in text and "Hồ Thị Mai Anh" not in text
    assert unicodedata.is_normalized("NFC", text)


def test_the_decision_is_a4_in_the_decrees_margins_and_fonts(long_decision):
    reader = read(long_decision)
    assert len(reader.pages) >= 3  # decision, then a list of 70 rows over two pages
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5)
    first = fragments(reader.pages[0])
    # Nothing left of the 30 mm margin or above the 20 mm one on the first page.
    assert min(x for x, *_ in first) >= PAGE["left_mm"] * MM - 0.5
    assert max(y for _, y, *_ in first) < TOP_MARGIN_Y
    sizes = {text: size for _, _, size, text in first}
    assert sizes["UBND TỈNH SƠN LA"] == sizes["VĂN PHÒNG"] == 13.0  # header blocks 13 pt
    assert sizes["Độc lập - Tự do - Hạnh phúc"] == 14.0 and sizes["QUYẾT ĐỊNH"] == 14.0
    assert next(s for _, _, s, t in first if t.startswith("Căn cứ Luật")) == 14.0  # body 14 pt


def test_page_numbers_start_on_page_two(long_decision):
    reader = read(long_decision)
    in_margin = [[t for _, y, _, t in fragments(page) if y >= TOP_MARGIN_Y] for page in reader.pages]
    assert in_margin[0] == []
    assert in_margin[1:] == [[str(n)] for n in range(2, len(reader.pages) + 1)]


def test_every_letter_is_set_in_one_typeface(long_decision):
    """A font without Vietnamese letters would have Pango borrow ơ, ư, ấ from another: a name in
    two typefaces. Every font embedded is one family in its styles."""
    reader = read(long_decision)
    names = {str(font["/BaseFont"]).split("+", 1)[-1]
             for page in reader.pages for font in page["/Resources"]["/Font"].get_object().values()
             if "/BaseFont" in font.get_object()}
    families = {re.sub(r"-(Bold|Italic|BoldItalic|Bold-Italic)$", "", name) for name in names}
    assert len(families) == 1, names
    assert families.pop().replace("-", " ").startswith(serif_families()[0].split()[0])


def test_the_long_list_sorts_people_by_given_name_collectives_first(long_decision, office):
    text = flat(" ".join(text_of(p) for p in read(long_decision).pages[1:]))
    assert "I. TẬP THỂ (07)" in text and "II. CÁ NHÂN" in text
    assert text.index("Ban Tiếp công dân") < text.index("Phòng Kinh tế") < text.index("Trung tâm Thông tin")
    # Given names in Vietnamese order: An < Anh < Ánh < Ân < Bảo ... < Yến.
    assert text.index("Nguyễn Văn An ") < text.index("Ngô Thị Lan Anh") < text.index("Vũ Thị Ngọc Ánh") \
        < text.index("Lê Thị Ân") < text.index("Đặng Quốc Bảo") < text.index("Trịnh Thị Yến")
    giay_khen = [e for e in whole_office(office)["awarded"] if e["award"] == "giay_khen"]
    people = sum(1 for e in giay_khen if e["kind"] == "individual")
    assert f"II. CÁ NHÂN ({people:02d})" in text
    assert all(e["fullName"] in text for e in giay_khen)
    # Numbered on from the collectives, as the DOCX numbers the same rows.
    assert f"{people + 7} Trịnh Thị Yến" in text


def test_a_draft_has_no_number_and_an_issuer_override_is_printed(office):
    variables = {**decision_end(office), "decisionNumber": None,
                 "issuer": {"parent": "UBND TỈNH ĐIỆN BIÊN", "place": "Điện Biên", "signer_name": "Lê Văn Quý"}}
    context = build("chief_decision", variables)
    assert (context["number"], context["draft"]) == (".../QĐ-VPUB", True)
    text = flat(text_of(read(render_pdf("chief_decision", context)).pages[0]))
    assert "UBND TỈNH ĐIỆN BIÊN" in text and "Điện Biên, ngày 20 tháng 8 năm 2025" in text
    assert "Lê Văn Quý" in text and "Số: .../QĐ-VPUB" in text and "01/QĐ" not in text


def test_text_typed_decomposed_is_printed_composed(office):
    variables = decision_end(office)
    for entry in variables["chiefAwardees"]:
        entry["fullName"] = unicodedata.normalize("NFD", entry["fullName"])
    assert not unicodedata.is_normalized("NFC", variables["chiefAwardees"][0]["fullName"])
    # As pypdf reads it, unnormalised: the PDF itself carries the composed letters.
    assert "Đinh Thị Vân" in flat(text_of(read(render_document_pdf("chief_decision", variables)).pages[1]))


def test_certificates_one_landscape_page_per_awardee(office):
    variables = decision_end(office)
    pdf = render_certificates(variables, positions(office))
    reader = read(pdf)
    expected = ["Phòng Nội chính", "Đinh Thị Vân"]  # Giấy khen only: collectives first
    assert len(reader.pages) == len(expected)
    for page, name in zip(reader.pages, expected):
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4[::-1], abs=0.5)
        text = flat(text_of(page))
        for part in ("GIẤY KHEN", "CHÁNH VĂN PHÒNG UBND TỈNH SƠN LA", name, CAMPAIGN["campaignName"],
                     "Quyết định số 01/QĐ-VPUB", "Sơn La, ngày 20 tháng 8 năm 2025", "Trần Bình Minh"):
            assert part in text, part
    assert "Chuyên viên, Phòng Nội chính" in flat(text_of(reader.pages[1]))
    assert "Văn phòng UBND tỉnh Sơn La" in flat(text_of(reader.pages[0]))


def test_the_whole_office_prints_one_certificate_each(office):
    variables = whole_office(office)
    expected = [e for e in variables["awarded"] if e["award"] == "giay_khen"]
    reader = read(render_certificates(variables, positions(office)))
    assert len(reader.pages) == len(expected) == len(certificate_contexts(variables))
    names = [c["awardee"] for c in certificate_contexts(variables)]
    assert all(name in flat(text_of(page)) for page, name in zip(reader.pages, names))


def test_nothing_to_print_and_an_unknown_kind_are_refused_in_both_languages(office):
    with pytest.raises(DocumentRenderError) as nothing:
        render_certificates({**CAMPAIGN, "awarded": []})
    assert "không có gì để in" in str(nothing.value) and "nothing to print" in str(nothing.value)
    with pytest.raises(DocumentRenderError) as unknown:
        render_document_pdf("bien_ban", decision_end(office))
    assert "Không có mẫu PDF" in str(unknown.value) and "no PDF template" in str(unknown.value)


def test_png_artefacts_of_a_decision_page_and_a_certificate(long_decision, office):
    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is installed by the Makefile"
    outputs = {"quyet_dinh_giay_khen": (long_decision, (1, 2)),
               "thong_bao_ket_qua": (pdf_of("announcement", decision_end(office), office), (1,)),
               "giay_khen": (render_certificates(decision_end(office), positions(office)), (1, 2))}
    for name, (pdf, pages) in outputs.items():
        for page in pages:
            png = png_of_page(pdf, ARTEFACTS / f"{name}-{page}.png", page)
            assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000


def test_certificates_of_two_decisions_each_carry_their_own(office):
    """The frame is shared by the certificates of one decision only."""
    variables = decision_end(office)
    collective = next(e for e in variables["awarded"] if e["kind"] == "collective")
    collective.update(decisionNumber="02/QĐ-VPUB", decisionDate="2025-08-22")
    reader = read(render_certificates(variables, positions(office)))
    first, second = (flat(text_of(page)) for page in reader.pages)
    assert "Phòng Nội chính" in first and "Quyết định số 02/QĐ-VPUB" in first and "ngày 22 tháng 8 năm 2025" in first
    assert "01/QĐ-VPUB" not in first
    assert "Đinh Thị Vân" in second and "Quyết định số 01/QĐ-VPUB" in second and "02/QĐ" not in second
