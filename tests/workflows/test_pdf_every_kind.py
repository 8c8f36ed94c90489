"""The PDF of every document kind from a real finished campaign (test_decision_end's scenario, run
once for the module), read back with pypdf and poppler: the names, numbers and dates the process
wrote; the same words as the DOCX of the same context; NFC text; A4 in the decree's margins; 13-14
pt text (the "Nơi nhận" list smaller, as the decree sets it); page numbers from page 2; a PNG of
each kind's first page under build/artefacts/pdf/. Each kind is rendered once."""
from __future__ import annotations

import io
import shutil
import unicodedata
from dataclasses import dataclass

import pytest
from docx import Document

from tests.workflows.document_data import positions
from tests.workflows.finished_campaign import finished_once  # noqa: F401 (fixture)
from tests.workflows.pdf_reading import A4, ARTEFACTS, MM, TOP_MARGIN_Y, all_text, fragments, png_of_page, read, \
    squeezed, text_of, word_boxes
from tests.workflows.test_docx_documents import texts
from workflows.documents.contexts import with_positions
from workflows.documents.docx_render import render as render_docx
from workflows.documents.kinds import KINDS, build
from workflows.documents.official import PAGE
from workflows.documents.pdf_render import DocumentRenderError, render_document_pdf, render_pdf

# The unit and nominee of the unit's documents; the achievement report in both of the decree's forms.
SOURCES = {"unit_proposal": ("tong_hop", None), "achievement_report": ("kinh_te", "nom-anhhtm"),
           "achievement_report/collective": ("noi_chinh", "nom-noi_chinh")}


@dataclass
class Rendered:
    context: dict
    pdf: bytes
    pages: list  # pypdf's pages
    text: str  # every page's text, as pypdf extracts it
    fragments: list  # per page: (x, y, size, text), pdf_reading.fragments


@pytest.fixture(scope="module")
def documents(finished_once) -> dict[str, Rendered]:
    """Every kind's context (the staff register's chức vụ added), its PDF and what pypdf reads of
    it, made once."""
    staff = positions(finished_once.office)
    variables = with_positions(finished_once.variables, staff)
    made = {}
    for name in [*KINDS, "achievement_report/collective"]:
        kind = name.split("/")[0]
        unit, nominee = SOURCES.get(name, ("tong_hop", None))
        context = build(kind, variables, with_positions(finished_once.units[unit], staff), nominee_id=nominee)
        pdf = render_pdf(kind, context)
        pages = read(pdf).pages
        made[name] = Rendered(context, pdf, pages, " ".join(text_of(p) for p in pages),
                              [fragments(page) for page in pages])
    return made


def test_every_kind_says_what_the_campaign_decided(documents):
    text = {name: squeezed(document.text) for name, document in documents.items()}
    expected = {
        "guidance": ["Số: 01/HD-VPUB", "Sơn La, ngày 25 tháng 6 năm 2025", "HƯỚNG DẪN",
                     "Bằng khen của Chủ tịch UBND tỉnh", "Thành phần hồ sơ"],
        "unit_proposal": ["VĂN PHÒNG UBND TỈNH SƠN LA", "PHÒNG TỔNG HỢP", "Số: .../TTr-VPUB", "TỜ TRÌNH",
                          "Kính gửi: Hội đồng Thi đua, Khen thưởng Văn phòng (qua phòng TCHCQT)",
                          "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG", "(Kèm theo Tờ trình số .../TTr-VPUB)",
                          "Hoàng Đức Anh", "Phạm Thị Lan", "Chuyên viên chính, Phòng Tổng hợp", "Lò Văn Pánh"],
        "achievement_report": ["PHÒNG KINH TẾ", "BÁO CÁO THÀNH TÍCH",
                               "ĐỀ NGHỊ TẶNG BẰNG KHEN CỦA CHỦ TỊCH UBND TỈNH", "Cá nhân: Hồ Thị Mai Anh",
                               "chức vụ: Phó Trưởng phòng",
                               "Báo cáo có số liệu: 120 văn bản tham mưu", "NGƯỜI BÁO CÁO"],
        "achievement_report/collective": ["Tập thể: Phòng Nội chính", "IV. KẾT QUẢ THỰC HIỆN CÁC TIÊU CHÍ",
                                          "Minh chứng", "Biên bản họp bình xét", "THỦ TRƯỞNG ĐƠN VỊ"],
        "council_list": ["Số: 05/TTr-VPUB", "Sơn La, ngày 10 tháng 8 năm 2025", "Danh sách trình Hội đồng",
                         "Không trình Hội đồng", "Lò Văn Pánh", "Không xét khen thưởng: đang bị xem xét kỷ luật",
                         "Chưa đủ 10 năm công tác tại Văn phòng"],
        "council_minutes": ["BIÊN BẢN", "Số: .../BB-VPUB", "Sơn La, ngày 15 tháng 8 năm 2025", "có mặt: 4",
                            "Thành viên Hội đồng", "Vắng mặt", "Kết quả biểu quyết", "Chủ tịch Hội đồng", "THƯ KÝ",
                            "Phạm Thu Hà", "CHỦ TỊCH HỘI ĐỒNG", "Trần Bình Minh", "5 đạt, 0 không đạt"],
        "chief_decision": ["Số: 01/QĐ-VPUB", "Sơn La, ngày 20 tháng 8 năm 2025", "QUYẾT ĐỊNH",
                           "Về việc tặng Giấy khen của Chánh Văn phòng", "CHÁNH VĂN PHÒNG UBND TỈNH SƠN LA",
                           "QUYẾT ĐỊNH:", "Điều 1. Tặng Giấy khen của Chánh Văn phòng cho 1 tập thể và 1 cá nhân",
                           "DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC TẶNG GIẤY KHEN CỦA CHÁNH VĂN PHÒNG",
                           "(Kèm theo Quyết định số 01/QĐ-VPUB)", "I. TẬP THỂ (01)", "II. CÁ NHÂN (01)",
                           "Phòng Nội chính", "Đinh Thị Vân", "Chuyên viên, Phòng Nội chính", "Như Điều 3;"],
        "chairman_proposal": ["Số: 06/TTr-VPUB", "Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh Sơn La",
                              "DANH SÁCH ĐỀ NGHỊ TẶNG BẰNG KHEN, BỨC TRƯỚNG", "Hoàng Đức Anh", "Hồ Thị Mai Anh",
                              "Phạm Thị Lan", "Chưa đủ 10 năm công tác tại Văn phòng"],
        "announcement": ["THÔNG BÁO", "Số: 01/TB-VPUB", "Sơn La, ngày ... tháng ... năm ...", "1520/QĐ-UBND",
                         "25/08/2025", "01/QĐ-VPUB", "20/08/2025", "Không được khen thưởng", "Hoàng Đức Anh"],
        "report": ["Số: 01/BC-VPUB", "Kính gửi: Sở Nội vụ tỉnh Sơn La", "Theo hình thức khen thưởng", "Theo đơn vị",
                   "1 Bằng khen của Chủ tịch UBND tỉnh 0 2 2", "2 Giấy khen của Chánh Văn phòng 1 1 2"],
    }
    for name, parts in expected.items():
        for part in parts:
            assert squeezed(part) in text[name], (name, part)
    # Who is not on a list is not printed on it.
    assert "PhạmThịLan" not in text["chief_decision"] and "LòVănPánh" not in text["announcement"]
    assert "IV.KẾTQUẢ" not in text["achievement_report"]
    assert "Số:" not in text["achievement_report"]  # the decree's form has no number
    # The announcement's list: the collective first, then people by given name (Anh < Lan < Vân).
    announced = text["announcement"]
    assert announced.index("PhòngNộichính") < announced.index("HồThịMaiAnh") < announced.index("PhạmThịLan") \
        < announced.index("ĐinhThịVân")


def test_the_pdf_says_what_the_docx_of_the_same_context_says(documents):
    for name, document in documents.items():
        pdf_text = squeezed(document.text)
        docx = Document(io.BytesIO(render_docx(document.context["kind"], document.context)))
        for paragraph in texts(docx):
            if paragraph.strip():
                assert squeezed(paragraph) in pdf_text, (name, paragraph)


def test_every_kind_is_nfc_on_a4_in_the_decrees_margins_and_sizes(documents):
    right_edge, bottom_edge = A4[0] - PAGE["right_mm"] * MM, PAGE["bottom_mm"] * MM
    for name, document in documents.items():
        assert unicodedata.is_normalized("NFC", document.text), name
        recipients = {"Nơi nhận:", *(f"- {line}" for line in document.context["recipients"])}
        for number, (page, found) in enumerate(zip(document.pages, document.fragments), start=1):
            assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.5), name
            assert found, (name, number)
            assert min(x for x, *_ in found) >= PAGE["left_mm"] * MM - 0.5, (name, number)
            assert min(y for _, y, *_ in found) >= bottom_edge, (name, number)
            body = [(y, size, text) for _, y, size, text in found if y < TOP_MARGIN_Y]
            # 13-14 pt, but for the "Nơi nhận" list (12 pt heading, 11 pt lines).
            small = {text for _, size, text in body if size < 13}
            assert all(13 <= size <= 14 for _, size, text in body if text not in small), (name, number)
            assert small <= recipients and all(size >= 11 for _, size, _ in body), (name, number, small)
        for number, words in enumerate(word_boxes(document.pdf), start=1):
            # A justified line may end a fraction of a point past the edge (rounding): half a millimetre.
            assert max(x_max for _, _, x_max, _, _ in words) <= right_edge + 1.5, (name, number)
        sizes = {text: size for _, _, size, text in document.fragments[0]}
        assert sizes[document.context["issuer"]["name"]] == 13.0 and sizes["Độc lập - Tự do - Hạnh phúc"] == 14.0, name


def test_page_numbers_from_page_two(documents):
    # The documents sent with their list (on a page of its own) have two pages at least.
    assert all(len(documents[kind].pages) >= 2 for kind in ("unit_proposal", "chief_decision", "chairman_proposal"))
    for name, document in documents.items():
        in_margin = [[text for _, y, _, text in page if y >= TOP_MARGIN_Y] for page in document.fragments]
        assert in_margin[0] == [], name
        assert in_margin[1:] == [[str(n)] for n in range(2, len(document.pages) + 1)], name


def test_a_png_of_every_kind(documents):
    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is installed by the Makefile"
    for name, document in documents.items():
        png = png_of_page(document.pdf, ARTEFACTS / "pdf" / f"{name.replace('/', '_')}.png")
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 20_000, name
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert height / width == pytest.approx(297 / 210, rel=0.01), name


def test_straight_from_the_variables_and_bad_input_refused_in_both_languages(finished_once, documents):
    variables, units = finished_once.variables, finished_once.units
    # The convenience call builds the same context: the same words as render_pdf's document.
    direct = squeezed(all_text(read(render_document_pdf("chief_decision", variables, number="07/QĐ-VPUB",
                                                         on="2025-08-22"))))
    for part in ("Số: 07/QĐ-VPUB", "Sơn La, ngày 22 tháng 8 năm 2025", "Đinh Thị Vân"):
        assert squeezed(part) in direct, part

    def refused(call, vietnamese: str, english: str) -> None:
        with pytest.raises(DocumentRenderError) as error:
            call()
        message = str(error.value)
        assert " / " in message and vietnamese in message and english in message, message

    refused(lambda: render_pdf("bien_ban", {}), "Không có mẫu PDF", "no PDF template")
    refused(lambda: render_document_pdf("giay_phep", variables), "Không có mẫu PDF", "no PDF template")
    context = dict(documents["guidance"].context)
    del context["summary"]
    refused(lambda: render_pdf("guidance", context), "thiếu mục 'summary'", "lacks 'summary'")
    refused(lambda: render_pdf("report", documents["announcement"].context), "không phải 'report'", "not of a 'report'")
    refused(lambda: render_document_pdf("unit_proposal", variables), "Không lập được văn bản", "unit instance")
    refused(lambda: render_document_pdf("achievement_report", variables, units["kinh_te"], nominee_id="nom-nobody"),
            "Không lập được văn bản", "nom-nobody")
