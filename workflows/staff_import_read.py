"""Reading the staff spreadsheet (CSV or XLSX) into a header and rows of cells; a file that cannot be
read at all is refused as a whole with ImportRefused. Checking the rows is staff_import_rows'."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import PurePath
from typing import Any, Iterator

from workflows.staff_directory import StaffDirectoryError, fold, nfc

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
# A 5 MB XLSX is a zip: refuse one that would inflate beyond this (a "zip bomb").
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024
HEADER_SEARCH_ROWS = 20  # title lines allowed above the header row

REQUIRED = ("staff_id", "full_name", "unit", "office_start_date")
HEADERS = {
    "ma can bo": "staff_id",
    "ho va ten": "full_name",
    "don vi": "unit",
    "chuc vu": "position",
    "ngay bat dau cong tac tai van phong": "office_start_date",
    "email": "email",
    "e mail": "email",
    "thu dien tu": "email",
}
LABELS = {
    "staff_id": "Mã cán bộ",
    "full_name": "Họ và tên",
    "unit": "Đơn vị",
    "position": "Chức vụ",
    "office_start_date": "Ngày bắt đầu công tác tại Văn phòng",
    "email": "Email",
}
RATING_HEADER = re.compile(r"xep loai (?:nam )?(\d{4})")


class ImportRefused(StaffDirectoryError):
    """The file as a whole cannot be imported (size, format, columns): nothing was read into rows."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{vi} / {en}")



def _format(name: str, content: bytes) -> str:
    suffix = PurePath(name).suffix.casefold()
    is_zip = content[:4] == b"PK\x03\x04"
    if suffix == ".xlsx":
        if not is_zip:
            raise ImportRefused(f"Tệp '{name}' có đuôi .xlsx nhưng không phải bảng tính XLSX",
                                f"the file '{name}' ends in .xlsx but is not an XLSX workbook")
        return "xlsx"
    if suffix == ".csv":
        if is_zip or b"\x00" in content:
            raise ImportRefused(f"Tệp '{name}' có đuôi .csv nhưng không phải tệp văn bản CSV "
                                "(nếu là bảng tính Excel, hãy đặt đuôi .xlsx)",
                                f"the file '{name}' ends in .csv but is not a CSV text file "
                                "(an Excel workbook must end in .xlsx)")
        return "csv"
    if suffix == ".xls":
        raise ImportRefused(f"Tệp '{name}' là định dạng Excel 97-2003 (.xls), không được hỗ trợ: "
                            "hãy mở bằng Excel và lưu thành .xlsx",
                            f"the file '{name}' is in the Excel 97-2003 format (.xls), which is not supported: "
                            "open it in Excel and save it as .xlsx")
    raise ImportRefused(f"Tệp '{name}' không phải CSV hoặc XLSX: chỉ nhận tệp .csv (UTF-8) hoặc .xlsx",
                        f"the file '{name}' is neither CSV nor XLSX: only .csv (UTF-8) or .xlsx files are taken")


def _read_csv(content: bytes, name: str) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(f"Tệp '{name}' không được mã hóa UTF-8: trong Excel, chọn Lưu thành "
                            "→ \"CSV UTF-8 (Comma delimited)\"",
                            f"the file '{name}' is not UTF-8 encoded: in Excel, choose Save As "
                            "→ \"CSV UTF-8 (Comma delimited)\"") from None
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        for record in reader:
            yield line + 1, record
            line = reader.line_num
    except csv.Error as err:
        raise ImportRefused(f"Tệp '{name}', dòng {reader.line_num}: không đọc được như CSV ({err})",
                            f"the file '{name}', line {reader.line_num}: cannot be read as CSV ({err})") from None


def _read_xlsx(content: bytes, name: str) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    unreadable = (f"Tệp '{name}' không đọc được như một bảng tính XLSX",
                  f"the file '{name}' cannot be read as an XLSX workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportRefused(*unreadable) from None
    if inflated > MAX_XLSX_UNCOMPRESSED:
        raise ImportRefused(f"Tệp '{name}' khi giải nén lớn hơn {MAX_XLSX_UNCOMPRESSED // 1024 // 1024} MB",
                            f"the file '{name}' inflates to more than {MAX_XLSX_UNCOMPRESSED // 1024 // 1024} MB")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds on a damaged file
        raise ImportRefused(f"{unreadable[0]} ({type(err).__name__})", f"{unreadable[1]} ({type(err).__name__})") from None
    try:
        if not workbook.worksheets:
            raise ImportRefused(f"Tệp '{name}' không có trang tính nào", f"the file '{name}' has no worksheet")
        sheet = workbook.worksheets[0]
        # The stored dimensions may be wrong (some writers leave "A1"): read what is there instead.
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    finally:
        workbook.close()


def _cell(value: Any) -> str | date:
    """A cell as trimmed NFC text, or a date for a date cell."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(nfc(str(value)).split())


def _blank(cells: list) -> bool:
    return all(_cell(c) == "" for c in cells)


def _split_header(table: Iterator[tuple[int, list]], name: str):
    """The header is the first row naming "Mã cán bộ" and another known column, so that title lines
    above it ("DANH SÁCH CÁN BỘ...") are skipped; without one, the first non-blank row."""
    first = None
    for number, cells in table:
        if _blank(cells):
            continue
        header = [_cell(c) for c in cells]
        keys = {_header_key(c) for c in header}
        if "ma can bo" in keys and len(keys & HEADERS.keys()) >= 2:
            return number, header, table
        first = first or (number, header)
        if number - first[0] >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise ImportRefused(f"Tệp '{name}' trống: không có dòng tiêu đề", f"the file '{name}' is empty: no header row")
    return first[0], first[1], iter(())


def _limited(records: Iterator[tuple[int, list]], name: str) -> Iterator[tuple[int, list]]:
    count = 0
    for number, cells in records:
        if _blank(cells):
            continue
        count += 1
        if count > MAX_ROWS:
            limit = f"{MAX_ROWS:,}".replace(",", ".")  # Vietnamese thousands separator
            raise ImportRefused(f"Tệp '{name}' có hơn {limit} dòng dữ liệu: hãy chia thành nhiều tệp",
                                f"the file '{name}' has more than {MAX_ROWS:,} rows of data: split it into several files")
        yield number, [_cell(c) for c in cells]


def _header_key(text: str | date) -> str:
    folded = fold(str(text))
    return " ".join(re.sub(r"[^a-z0-9@]+", " ", folded).split())


def _columns(header: list, name: str) -> tuple[dict[str, int], dict[int, int], list[str]]:
    """Field → column index, column index → rating year, and warnings about ignored columns."""
    columns: dict[str, int] = {}
    ratings: dict[int, int] = {}
    warnings = []
    seen_years: dict[int, int] = {}
    for index, text in enumerate(header):
        key = _header_key(text)
        if not key:
            continue
        field_name = HEADERS.get(key)
        year_match = RATING_HEADER.fullmatch(key)
        if field_name is not None:
            if field_name in columns:
                raise ImportRefused(f"Tệp '{name}' có hai cột '{LABELS[field_name]}'",
                                    f"the file '{name}' has two '{LABELS[field_name]}' columns")
            columns[field_name] = index
        elif year_match:
            year = int(year_match.group(1))
            if year in seen_years:
                raise ImportRefused(f"Tệp '{name}' có hai cột 'Xếp loại {year}'",
                                    f"the file '{name}' has two 'Xếp loại {year}' columns")
            seen_years[year] = index
            ratings[index] = year
        else:
            warnings.append(f"Cột '{text}' không được nhận dạng, bỏ qua / the column '{text}' is not known, ignored")
    missing = [LABELS[f] for f in REQUIRED if f not in columns]
    if missing:
        raise ImportRefused(f"Tệp '{name}' thiếu cột bắt buộc: {', '.join(missing)} "
                            "(dòng tiêu đề là dòng đầu tiên có dữ liệu)",
                            f"the file '{name}' lacks required columns: {', '.join(missing)} "
                            "(the header row is the first row with data)")
    return columns, ratings, warnings

