"""Importing staff from the Office's CSV or XLSX spreadsheet: preview, row errors, one transaction."""
from __future__ import annotations

import io
import unicodedata
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from workflows.models import StaffMember, YearlyRating
from workflows.staff_import import (
    MAX_ROWS, ImportHasErrors, ImportRefused, StaffImporter, parse_date, parse_rating,
)

HEADER = ["Mã cán bộ", "Họ và tên", "Đơn vị", "Chức vụ", "Ngày bắt đầu công tác tại Văn phòng", "Email",
          "Xếp loại 2023", "Xếp loại 2024"]
GOOD_ROWS = [
    ["lannt", "Nguyễn Thị Lan", "tong_hop", "Chuyên viên", "01/08/2015", "lannt@sonla.gov.vn",
     "Hoàn thành tốt nhiệm vụ", "Hoàn thành xuất sắc nhiệm vụ"],
    ["minhtv", "Trần Văn Minh", "Phòng Kinh tế", "", "2016-08-01", "", "Hoàn thành nhiệm vụ", ""],
    ["DungDT", "Đặng Thị Dung", "KINH TẾ", "Phó Trưởng phòng", "5/8/2015", "", "", "không hoàn thành nhiệm vụ"],
]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def csv_bytes(rows, *, delimiter=",", bom=False) -> bytes:
    def quote(cell):
        cell = str(cell)
        return f'"{cell}"' if delimiter in cell or '"' in cell or "\n" in cell else cell
    text = "\r\n".join(delimiter.join(quote(c) for c in row) for row in rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def xlsx_bytes(rows, *, title_rows=(), extra_sheet=True) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    for row in [*title_rows, *rows]:
        sheet.append(list(row))
    if extra_sheet:
        other = workbook.create_sheet("Ghi chú")
        other.append(["Mã cán bộ", "Họ và tên"])
        other.append(["khongdoc", "Không đọc trang này"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def office(directory):
    directory.upsert_unit("tong_hop", "Phòng Tổng hợp", "phong")
    directory.upsert_unit("kinh_te", "Phòng Kinh tế", "phong")
    directory.upsert_unit("cu", "Phòng Cũ", "phong", active=False)
    return directory


@pytest.fixture
def importer(office) -> StaffImporter:
    return StaffImporter(office)


def count(db, model) -> int:
    with db.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model))


def assert_imported(office):
    lan, minh, dung = office.get("lannt"), office.get("minhtv"), office.get("dungdt")
    assert (lan.full_name, lan.unit_code, lan.position, lan.office_start_date, lan.email) == (
        "Nguyễn Thị Lan", "tong_hop", "Chuyên viên", date(2015, 8, 1), "lannt@sonla.gov.vn")
    assert (minh.unit_code, minh.position, minh.office_start_date, minh.email) == (
        "kinh_te", None, date(2016, 8, 1), None)
    assert (dung.full_name, dung.unit_code, dung.office_start_date) == ("Đặng Thị Dung", "kinh_te", date(2015, 8, 5))
    for person in (lan, minh, dung):
        assert unicodedata.is_normalized("NFC", person.full_name)
    assert office.ratings("lannt") == {2023: "good", 2024: "excellent"}
    assert office.ratings("minhtv") == {2023: "completed"}
    assert office.ratings("dungdt") == {2024: "not_completed"}


# --- good files -------------------------------------------------------------------------------

def test_csv_with_bom_and_semicolons(importer, office):
    # Excel's "CSV UTF-8" in a Vietnamese locale: a BOM, semicolons, decomposed accents from a Mac.
    content = csv_bytes([[nfd(c) for c in row] for row in [HEADER, *GOOD_ROWS]], delimiter=";", bom=True)
    preview = importer.preview(content, "danh_sach_can_bo.csv")
    assert preview.ok and preview.format == "csv" and preview.errors == []
    assert [r.row for r in preview.rows] == [2, 3, 4]
    assert preview.rating_years == (2023, 2024) and preview.new_ids == ["lannt", "minhtv", "dungdt"]
    assert preview.rows[0].values["full_name"] == "Nguyễn Thị Lan"
    result = importer.apply(preview)
    assert (result.created, result.updated, result.ratings) == (3, 0, 4)
    assert_imported(office)


def test_csv_with_commas_and_loose_headers(importer, office):
    header = ["MA CAN BO", "ho va ten", "Đơn Vị", "CHỨC VỤ", "ngày bắt đầu công tác tại văn phòng (*)",
              "E-mail", "Xếp loại năm 2023", "XẾP LOẠI 2024", "Ghi chú"]
    rows = [row + ["ghi chú, có dấu phẩy"] for row in GOOD_ROWS]
    preview = importer.preview(csv_bytes([header, *rows]), "CAN_BO.CSV")
    assert preview.errors == [] and preview.warnings == ("Cột 'Ghi chú' không được nhận dạng, bỏ qua / the column 'Ghi chú' is not known, ignored",)
    importer.apply(preview)
    assert_imported(office)
    # Importing again updates, it does not duplicate.
    again = importer.preview(csv_bytes([header, *rows]), "CAN_BO.CSV")
    assert again.new_ids == [] and importer.apply(again).updated == 3


def test_xlsx_first_sheet_with_a_title_and_date_cells(importer, office, db):
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][4] = datetime(2015, 8, 1)  # a real date cell
    rows[1][6] = "HTNV"  # the abbreviation offices write
    content = xlsx_bytes([HEADER, *rows], title_rows=[["DANH SÁCH CÁN BỘ VĂN PHÒNG UBND TỈNH"], []])
    preview = importer.preview(content, "can_bo.xlsx")
    assert preview.errors == [] and preview.format == "xlsx"
    assert [r.row for r in preview.rows] == [4, 5, 6]
    importer.apply(preview)
    assert_imported(office)
    assert count(db, StaffMember) == 3  # the second sheet is not read


def test_xlsx_row_errors_name_the_sheet_rows(importer, db):
    rows = [list(r) for r in GOOD_ROWS]
    rows[2][4] = "31/02/2010"
    preview = importer.preview(xlsx_bytes([HEADER, *rows], extra_sheet=False), "can_bo.xlsx")
    assert [e.message for e in preview.errors] == [
        "Dòng 4: Ngày bắt đầu công tác '31/02/2010' không hợp lệ (dùng dd/mm/yyyy hoặc yyyy-mm-dd) / "
        "Row 4: the office start date '31/02/2010' is invalid (use dd/mm/yyyy or yyyy-mm-dd)"]
    with pytest.raises(ImportHasErrors):
        importer.apply(preview)
    assert count(db, StaffMember) == 0


# --- bad rows ---------------------------------------------------------------------------------

BAD_ROWS = [
    # (row, field, cells changed from a good row, message in Vietnamese, its English half)
    ("staff_id", {0: ""}, "Thiếu mã cán bộ", "the staff code is missing"),
    ("staff_id", {0: "lan nt"}, "Mã cán bộ 'lan nt' không hợp lệ", "the staff code 'lan nt' is invalid"),
    ("staff_id", {0: "lannt"}, "Mã cán bộ 'lannt' trùng với dòng 2", "the staff code 'lannt' repeats row 2"),
    ("full_name", {1: ""}, "Thiếu họ và tên", "the full name is missing"),
    ("full_name", {1: "A" * 256}, "Họ và tên dài quá 255 ký tự", "the full name is longer than 255 characters"),
    ("unit", {2: ""}, "Thiếu đơn vị", "the unit is missing"),
    ("unit", {2: "Phòng Văn hóa"}, "Đơn vị 'Phòng Văn hóa' không có trong danh mục đơn vị (các đơn vị: "
                                   "kinh_te (Phòng Kinh tế), tong_hop (Phòng Tổng hợp))",
     "the unit 'Phòng Văn hóa' is not in the list of units (the units: kinh_te (Phòng Kinh tế), "
     "tong_hop (Phòng Tổng hợp))"),
    ("unit", {2: "cu"}, "Đơn vị 'cu' đã ngừng hoạt động", "the unit 'cu' is no longer active"),
    ("office_start_date", {4: ""}, "Thiếu ngày bắt đầu công tác tại Văn phòng", "the office start date is missing"),
    ("office_start_date", {4: "31/02/2010"}, "Ngày bắt đầu công tác '31/02/2010' không hợp lệ",
     "the office start date '31/02/2010' is invalid"),
    ("office_start_date", {4: "2010/13/01"}, "Ngày bắt đầu công tác '2010/13/01' không hợp lệ",
     "the office start date '2010/13/01' is invalid"),
    ("office_start_date", {4: "01/01/1900"}, "Ngày bắt đầu công tác '01/01/1900' không hợp lệ",
     "the office start date '01/01/1900' is invalid"),
    ("email", {5: "lan.sonla.gov.vn"}, "Email 'lan.sonla.gov.vn' không hợp lệ",
     "the e-mail 'lan.sonla.gov.vn' is invalid"),
    ("position", {3: "C" * 256}, "Chức vụ dài quá 255 ký tự", "the position is longer than 255 characters"),
    ("rating:2024", {7: "Tốt"}, "Xếp loại năm 2024 'Tốt' không hợp lệ (dùng: Hoàn thành xuất sắc nhiệm vụ, "
                                "Hoàn thành tốt nhiệm vụ, Hoàn thành nhiệm vụ, Không hoàn thành nhiệm vụ)",
     "the 2024 rating 'Tốt' is invalid"),
    ("row", {8: "thừa"}, "có 9 cột dữ liệu, nhiều hơn số cột của dòng tiêu đề (8)",
     "9 cells of data, more than the 8 columns of the header row"),
]


@pytest.mark.parametrize("field, changes, message, english", BAD_ROWS, ids=[b[2][:40] for b in BAD_ROWS])
def test_each_bad_row_is_reported_and_nothing_is_written(importer, db, field, changes, message, english):
    good = ["lannt", "Nguyễn Thị Lan", "tong_hop", "Chuyên viên", "01/08/2015", "lannt@sonla.gov.vn",
            "Hoàn thành tốt nhiệm vụ", "Hoàn thành xuất sắc nhiệm vụ"]
    bad = ["ngocdt", "Dương Thị Ngọc", "tong_hop", "Chuyên viên", "08/03/2022", "", "", ""]
    for index, value in changes.items():
        if index == len(bad):
            bad.append(value)
        else:
            bad[index] = value
    # Rows 2..6 are good, row 7 is the bad one, row 8 is good again.
    filler = [[f"cb{i}", f"Cán bộ {i}", "kinh_te", "", "2010-01-01", "", "", ""] for i in range(4)]
    content = csv_bytes([HEADER, good, *filler, bad, ["hoaht", "Hoàng Thị Hoa", "tong_hop", "", "12/07/2016",
                                                      "", "", ""]])
    preview = importer.preview(content, "can_bo.csv")
    [error] = preview.errors
    assert (error.row, error.field) == (7, field) and error.message.startswith(f"Dòng 7: {message}")
    assert f" / Row 7: {english}" in error.message and unicodedata.is_normalized("NFC", error.message)
    assert not preview.ok and preview.rows[5].staff is None and preview.rows[0].staff is not None
    with pytest.raises(ImportHasErrors, match="Dòng 7") as refused:
        importer.apply(preview)
    assert refused.value.errors == preview.errors
    vietnamese, english = error.message.split(" / ")
    assert str(refused.value) == (f"Tệp có 1 lỗi, không ghi dòng nào: {vietnamese} / "
                                  f"1 error(s) in the file, no row was written: {english}")
    assert count(db, StaffMember) == 0 and count(db, YearlyRating) == 0


def test_a_row_with_several_errors_lists_them_all(importer):
    content = csv_bytes([HEADER, ["", "", "Phòng Văn hóa", "", "hôm qua", "x@", "giỏi", ""]])
    preview = importer.preview(content, "can_bo.csv")
    assert [e.message for e in preview.errors] == [
        "Dòng 2: Thiếu mã cán bộ / Row 2: the staff code is missing",
        "Dòng 2: Thiếu họ và tên / Row 2: the full name is missing",
        "Dòng 2: Đơn vị 'Phòng Văn hóa' không có trong danh mục đơn vị (các đơn vị: kinh_te (Phòng Kinh tế), "
        "tong_hop (Phòng Tổng hợp)) / Row 2: the unit 'Phòng Văn hóa' is not in the list of units (the units: "
        "kinh_te (Phòng Kinh tế), tong_hop (Phòng Tổng hợp))",
        "Dòng 2: Ngày bắt đầu công tác 'hôm qua' không hợp lệ (dùng dd/mm/yyyy hoặc yyyy-mm-dd) / "
        "Row 2: the office start date 'hôm qua' is invalid (use dd/mm/yyyy or yyyy-mm-dd)",
        "Dòng 2: Email 'x@' không hợp lệ / Row 2: the e-mail 'x@' is invalid",
        "Dòng 2: Xếp loại năm 2023 'giỏi' không hợp lệ (dùng: Hoàn thành xuất sắc nhiệm vụ, Hoàn thành tốt "
        "nhiệm vụ, Hoàn thành nhiệm vụ, Không hoàn thành nhiệm vụ) / "
        "Row 2: the 2023 rating 'giỏi' is invalid (use one of the names above)",
    ]


def test_blank_lines_are_skipped_but_counted(importer):
    content = csv_bytes([HEADER, GOOD_ROWS[0], [], ["", "", ""], GOOD_ROWS[1][:4] + ["32/01/2016"] + GOOD_ROWS[1][5:]])
    preview = importer.preview(content, "can_bo.csv")
    assert [r.row for r in preview.rows] == [2, 5]
    assert [e.message[:7] for e in preview.errors] == ["Dòng 5:"]


def test_a_quoted_cell_over_two_lines_keeps_the_numbering(importer):
    rows = [HEADER, [GOOD_ROWS[0][0], GOOD_ROWS[0][1], "tong_hop", "Chuyên viên\nkiêm Văn thư", "01/08/2015"],
            ["minhtv", "Trần Văn Minh", "tong_hop", "", "30/02/2016"]]
    preview = importer.preview(csv_bytes(rows), "can_bo.csv")
    assert [r.row for r in preview.rows] == [2, 4]
    assert preview.errors[0].message.startswith("Dòng 4: Ngày bắt đầu công tác '30/02/2016'")


# --- refused files ----------------------------------------------------------------------------

def test_files_that_cannot_be_imported_are_refused(importer, db):
    good = csv_bytes([HEADER, *GOOD_ROWS])
    cases = [
        (good + b"#" * (5 * 1024 * 1024), "can_bo.csv", "lớn hơn 5 MB", "is larger than 5 MB"),
        (b"%PDF-1.7 ...", "can_bo.pdf", "không phải CSV hoặc XLSX", "is neither CSV nor XLSX"),
        (good, "can_bo.txt", "không phải CSV hoặc XLSX", "is neither CSV nor XLSX"),
        (good, "can_bo", "không phải CSV hoặc XLSX", "is neither CSV nor XLSX"),
        (b"\xd0\xcf\x11\xe0 old excel", "can_bo.xls", "Excel 97-2003", "is not supported"),
        (good, "can_bo.xlsx", "không phải bảng tính XLSX", "is not an XLSX workbook"),
        (xlsx_bytes([HEADER, *GOOD_ROWS]), "can_bo.csv", "không phải tệp văn bản CSV", "is not a CSV text file"),
        (b"PK\x03\x04 not really a zip", "can_bo.xlsx", "không đọc được như một bảng tính XLSX",
         "cannot be read as an XLSX workbook"),
        ("Mã cán bộ,Họ và tên\nlannt,Nguyễn Thị Lan\n".encode("cp1258", errors="replace"), "can_bo.csv",
         "không được mã hóa UTF-8", "is not UTF-8 encoded"),
        (b"", "can_bo.csv", "trống", "is empty"),
        (b"\r\n\r\n", "can_bo.csv", "trống", "is empty"),
        (csv_bytes([HEADER]), "can_bo.csv", "không có dòng dữ liệu", "has no row of data"),
        (csv_bytes([["Mã cán bộ", "Họ và tên", "Chức vụ"], GOOD_ROWS[0][:3]]), "can_bo.csv",
         "thiếu cột bắt buộc: Đơn vị, Ngày bắt đầu công tác tại Văn phòng",
         "lacks required columns: Đơn vị, Ngày bắt đầu công tác tại Văn phòng"),
        (csv_bytes([["Họ và tên", "Đơn vị"], ["A", "B"]]), "can_bo.csv", "thiếu cột bắt buộc: Mã cán bộ",
         "lacks required columns: Mã cán bộ"),
        (csv_bytes([HEADER + ["Họ và tên"], GOOD_ROWS[0]]), "can_bo.csv", "hai cột 'Họ và tên'",
         "has two 'Họ và tên' columns"),
        (csv_bytes([HEADER + ["Xếp loại năm 2024"], GOOD_ROWS[0]]), "can_bo.csv", "hai cột 'Xếp loại 2024'",
         "has two 'Xếp loại 2024' columns"),
    ]
    for content, filename, vietnamese, english in cases:
        with pytest.raises(ImportRefused) as refused:
            importer.preview(content, filename)
        message = str(refused.value)
        assert vietnamese in message.split(" / ")[0] and english in message.split(" / ", 1)[1], message
        assert unicodedata.is_normalized("NFC", message)
    assert count(db, StaffMember) == 0


def test_row_limit(importer, office, db):
    row = ["", "Cán bộ", "tong_hop", "", "2010-01-01", "", "Hoàn thành tốt nhiệm vụ", "HTXSNV"]
    rows = [[f"cb{i:05d}", *row[1:]] for i in range(MAX_ROWS)]
    preview = importer.preview(csv_bytes([HEADER, *rows]), "can_bo.csv")
    assert preview.ok and len(preview.rows) == MAX_ROWS
    result = importer.apply(preview)
    assert (result.created, result.ratings) == (MAX_ROWS, 2 * MAX_ROWS)
    assert count(db, StaffMember) == MAX_ROWS and count(db, YearlyRating) == 2 * MAX_ROWS
    with pytest.raises(ImportRefused, match="hơn 5.000 dòng .* more than 5,000 rows"):
        importer.preview(csv_bytes([HEADER, *rows, ["cb_last", *row[1:]]]), "can_bo.csv")
    with pytest.raises(ImportRefused, match="hơn 5.000 dòng"):
        importer.preview(xlsx_bytes([HEADER, *rows, ["cb_last", *row[1:]]]), "can_bo.xlsx")


def test_apply_writes_nothing_when_a_unit_vanished_after_the_preview(importer, office, db):
    preview = importer.preview(csv_bytes([HEADER, *GOOD_ROWS]), "can_bo.csv")
    with db.begin() as connection:
        connection.exec_driver_sql("DELETE FROM org_unit WHERE code = 'kinh_te'")
    with pytest.raises(Exception, match="kinh_te"):
        importer.apply(preview)
    assert count(db, StaffMember) == 0


def test_parsers():
    assert parse_date("05/08/2015") == parse_date("5/8/2015") == parse_date("2015-08-05") == date(2015, 8, 5)
    assert parse_date("05.08.2015") == parse_date("05-08-2015") == date(2015, 8, 5)
    assert parse_date("29/02/2023") is None and parse_date("08/2015") is None and parse_date("2015") is None
    assert parse_rating(nfd("HOÀN THÀNH TỐT NHIỆM VỤ")) == "good"
    assert parse_rating("htxsnv") == parse_rating("excellent") == "excellent"
    assert parse_rating("Hoàn thành nhiệm vụ") == "completed"
    assert parse_rating("Không hoàn thành nhiệm vụ") == "not_completed"
    assert parse_rating("Tốt") is None


def test_a_file_without_optional_columns_keeps_what_is_stored(importer, office):
    importer.apply(importer.preview(csv_bytes([HEADER, *GOOD_ROWS]), "can_bo.csv"))
    short = [["Mã cán bộ", "Họ và tên", "Đơn vị", "Ngày bắt đầu công tác tại Văn phòng"],
             ["lannt", "Nguyễn Thị Lan", "kinh_te", "01/08/2015"]]
    result = importer.apply(importer.preview(csv_bytes(short), "can_bo.csv"))
    assert (result.created, result.updated, result.ratings) == (0, 1, 0)
    lan = office.get("lannt")
    assert (lan.unit_code, lan.position, lan.email) == ("kinh_te", "Chuyên viên", "lannt@sonla.gov.vn")
    assert office.ratings("lannt") == {2023: "good", 2024: "excellent"}
    # A column that is there but empty does clear the value.
    cleared = [short[0] + ["Email"], short[1] + [""]]
    importer.apply(importer.preview(csv_bytes(cleared), "can_bo.csv"))
    assert office.get("lannt").email is None and office.get("lannt").position == "Chuyên viên"


def test_a_unit_by_its_name_and_an_ambiguous_or_unknown_name(importer, office, directory):
    """The "Đơn vị" cell may be the unit's exact name in any case or accents; a name two units share
    and a name no unit has are refused, naming the value (and the known units), in both languages."""
    rows = [["an", "Lê Văn An", "PHÒNG TỔNG HỢP", "", "01/01/2020"],
            ["binh", "Lê Văn Bình", nfd("phong kinh te"), "", "01/01/2020"]]
    preview = importer.preview(csv_bytes([HEADER[:5], *rows]), "can_bo.csv")
    assert preview.errors == [] and [s.unit_code for s in preview.staff] == ["tong_hop", "kinh_te"]
    directory.upsert_unit("kinh_te_2", "Phòng Kinh tế", "phong")
    directory.upsert_unit("tong_hop_2", "Trung tâm Tổng hợp", "trung_tam")
    preview = importer.preview(csv_bytes([HEADER[:5], *rows, ["chi", "Lê Thị Chi", "Ban Ngoại vụ", "", "1/1/2020"]]),
                               "can_bo.csv")
    assert [e.message for e in preview.errors] == [
        "Dòng 3: Đơn vị 'phong kinh te' trùng tên với nhiều đơn vị (kinh_te, kinh_te_2): hãy ghi mã đơn vị / "
        "Row 3: the unit 'phong kinh te' names several units (kinh_te, kinh_te_2): write the unit code",
        "Dòng 4: Đơn vị 'Ban Ngoại vụ' không có trong danh mục đơn vị (các đơn vị: kinh_te (Phòng Kinh tế), "
        "kinh_te_2 (Phòng Kinh tế), tong_hop (Phòng Tổng hợp), tong_hop_2 (Trung tâm Tổng hợp)) / Row 4: the unit "
        "'Ban Ngoại vụ' is not in the list of units (the units: kinh_te (Phòng Kinh tế), kinh_te_2 (Phòng Kinh tế), "
        "tong_hop (Phòng Tổng hợp), tong_hop_2 (Trung tâm Tổng hợp))",
    ]
    assert all(unicodedata.is_normalized("NFC", e.message) for e in preview.errors)
    # "PHÒNG TỔNG HỢP" is still one unit: "Tổng hợp" alone would be two.
    assert preview.rows[0].staff.unit_code == "tong_hop"
