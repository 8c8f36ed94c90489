"""Importing the staff directory from the spreadsheet an Office keeps (CSV or XLSX).

Two steps, so that a person can look before anything is written:

    importer = StaffImporter(directory)
    preview = importer.preview(content, "can_bo.xlsx")   # parses and checks every row, writes nothing
    preview.errors                                       # ["Dòng 7: Ngày bắt đầu công tác ... không hợp lệ", ...]
    importer.apply(preview)                              # all rows in one transaction, or none

Columns are recognised by their Vietnamese headers, whatever their case, accents or order:
"Mã cán bộ", "Họ và tên", "Đơn vị" (code or name), "Ngày bắt đầu công tác tại Văn phòng"
(dd/mm/yyyy or yyyy-mm-dd) are required; "Chức vụ", "Email" and "Xếp loại <năm>" (one column per
year, the Vietnamese rating names) are optional. A file is refused as a whole when it is larger than
5 MB, has more than 5,000 rows, is neither CSV (UTF-8, comma or semicolon) nor XLSX, or lacks a
required column.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any, Iterator

from engine.identity import USER_ID
from workflows.staff_directory import EMAIL, StaffDirectory, StaffDirectoryError, Staff, Unit, fold, nfc

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5_000
# A 5 MB XLSX is a zip: refuse one that would inflate beyond this (a "zip bomb").
MAX_XLSX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_TEXT = 255
HEADER_SEARCH_ROWS = 20  # title lines allowed above the header row
FIRST_START_YEAR = 1945  # the Office was founded on 28/8/1945: an earlier start date is a typo

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
RATING_NAMES = {
    "Hoàn thành xuất sắc nhiệm vụ": "excellent",
    "Hoàn thành tốt nhiệm vụ": "good",
    "Hoàn thành nhiệm vụ": "completed",
    "Không hoàn thành nhiệm vụ": "not_completed",
}
# Folded names, the abbreviations offices write (HTXSNV...) and the codes themselves.
_RATINGS = {
    **{fold(name): code for name, code in RATING_NAMES.items()},
    "htxsnv": "excellent", "httnv": "good", "htnv": "completed", "khtnv": "not_completed",
    **{code: code for code in RATING_NAMES.values()},
}
_DATE_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_KIND_WORDS = ("phong ", "trung tam ", "ban ")


class ImportRefused(StaffDirectoryError):
    """The file as a whole cannot be imported (size, format, columns): nothing was read into rows."""


class ImportHasErrors(StaffDirectoryError):
    """apply() was given a preview with row errors: nothing was written."""

    def __init__(self, errors: list["FieldError"]) -> None:
        self.errors = list(errors)
        shown = "; ".join(e.message for e in self.errors[:20])
        more = f" (và {len(self.errors) - 20} lỗi khác)" if len(self.errors) > 20 else ""
        super().__init__(f"Tệp có {len(self.errors)} lỗi, không ghi dòng nào: {shown}{more}")


@dataclass(frozen=True)
class FieldError:
    row: int
    field: str
    message: str  # complete, in Vietnamese, starting with "Dòng <row>: "

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ImportRow:
    row: int  # the row number in the file or sheet, the header being row 1 when it comes first
    values: dict[str, str]  # the cells as read (NFC, trimmed), by field
    staff: Staff | None  # None when the row has errors
    ratings: dict[int, str] = field(default_factory=dict)
    errors: tuple[FieldError, ...] = ()


@dataclass(frozen=True)
class ImportPreview:
    filename: str
    format: str  # "csv" or "xlsx"
    rows: tuple[ImportRow, ...]
    rating_years: tuple[int, ...]
    warnings: tuple[str, ...]
    existing_ids: frozenset[str]  # people of the file already in the directory (they will be updated)
    fields: frozenset[str] = frozenset(REQUIRED)  # the columns the file has

    @property
    def update_fields(self) -> set[str]:
        """What an update may change: a column the file lacks ("Email"...) keeps the stored value."""
        names = {"full_name", "unit_code", "office_start_date", "active"}
        return names | {f for f in ("position", "email") if f in self.fields}

    @property
    def errors(self) -> list[FieldError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def staff(self) -> list[Staff]:
        return [row.staff for row in self.rows if row.staff is not None]

    @property
    def new_ids(self) -> list[str]:
        return [s.id for s in self.staff if s.id not in self.existing_ids]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    ratings: int


class StaffImporter:
    def __init__(self, directory: StaffDirectory) -> None:
        self._directory = directory

    def preview(self, content: bytes, filename: str) -> ImportPreview:
        """Reads and checks the file; raises ImportRefused for a file that cannot be imported at all."""
        if not isinstance(content, (bytes, bytearray)):
            raise ImportRefused("Nội dung tệp phải là bytes")
        name = PurePath(filename or "").name or "(không tên)"
        if len(content) > MAX_BYTES:
            raise ImportRefused(f"Tệp '{name}' lớn hơn 5 MB ({len(content) / 1024 / 1024:.1f} MB): "
                                "hãy chia thành nhiều tệp")
        kind = _format(name, bytes(content))
        table = _read_xlsx(bytes(content), name) if kind == "xlsx" else _read_csv(bytes(content), name)
        header_row, header, records = _split_header(table, name)
        columns, rating_columns, warnings = _columns(header, name)
        rows_in = list(_limited(records, name))
        if not rows_in:
            raise ImportRefused(f"Tệp '{name}' không có dòng dữ liệu nào dưới dòng tiêu đề (dòng {header_row})")

        resolve_unit = _unit_resolver(self._directory.list_units(include_inactive=True))
        seen: dict[str, int] = {}
        rows = []
        for number, cells in rows_in:
            rows.append(_parse_row(number, cells, len(header), columns, rating_columns, resolve_unit, seen))
        ids = {row.staff.id for row in rows if row.staff is not None}
        existing = frozenset(s.id for s in self._directory.list_staff(include_inactive=True) if s.id in ids)
        return ImportPreview(filename=name, format=kind, rows=tuple(rows),
                             rating_years=tuple(sorted(rating_columns.values())), warnings=tuple(warnings),
                             existing_ids=existing, fields=frozenset(columns))

    def apply(self, preview: ImportPreview) -> ImportResult:
        """Writes every row of the preview in one transaction; with any row error, writes nothing."""
        errors = preview.errors
        if errors:
            raise ImportHasErrors(errors)
        staff = preview.staff
        ratings = {row.staff.id: row.ratings for row in preview.rows if row.staff is not None and row.ratings}
        self._directory.save(staff, ratings=ratings, update_fields=preview.update_fields)
        created = len(preview.new_ids)
        return ImportResult(created=created, updated=len(staff) - created,
                            ratings=sum(len(r) for r in ratings.values()))


# --- reading the file ---------------------------------------------------------------------------

def _format(name: str, content: bytes) -> str:
    suffix = PurePath(name).suffix.casefold()
    is_zip = content[:4] == b"PK\x03\x04"
    if suffix == ".xlsx":
        if not is_zip:
            raise ImportRefused(f"Tệp '{name}' có đuôi .xlsx nhưng không phải bảng tính XLSX")
        return "xlsx"
    if suffix == ".csv":
        if is_zip or b"\x00" in content:
            raise ImportRefused(f"Tệp '{name}' có đuôi .csv nhưng không phải tệp văn bản CSV "
                                "(nếu là bảng tính Excel, hãy đặt đuôi .xlsx)")
        return "csv"
    if suffix == ".xls":
        raise ImportRefused(f"Tệp '{name}' là định dạng Excel 97-2003 (.xls), không được hỗ trợ: "
                            "hãy mở bằng Excel và lưu thành .xlsx")
    raise ImportRefused(f"Tệp '{name}' không phải CSV hoặc XLSX: chỉ nhận tệp .csv (UTF-8) hoặc .xlsx")


def _read_csv(content: bytes, name: str) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused(f"Tệp '{name}' không được mã hóa UTF-8: trong Excel, chọn Lưu thành "
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
        raise ImportRefused(f"Tệp '{name}', dòng {reader.line_num}: không đọc được như CSV ({err})") from None


def _read_xlsx(content: bytes, name: str) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    unreadable = f"Tệp '{name}' không đọc được như một bảng tính XLSX"
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ImportRefused(unreadable) from None
    if inflated > MAX_XLSX_UNCOMPRESSED:
        raise ImportRefused(f"Tệp '{name}' khi giải nén lớn hơn {MAX_XLSX_UNCOMPRESSED // 1024 // 1024} MB")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds on a damaged file
        raise ImportRefused(f"{unreadable} ({type(err).__name__})") from None
    try:
        if not workbook.worksheets:
            raise ImportRefused(f"Tệp '{name}' không có trang tính nào")
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
        raise ImportRefused(f"Tệp '{name}' trống: không có dòng tiêu đề")
    return first[0], first[1], iter(())


def _limited(records: Iterator[tuple[int, list]], name: str) -> Iterator[tuple[int, list]]:
    count = 0
    for number, cells in records:
        if _blank(cells):
            continue
        count += 1
        if count > MAX_ROWS:
            limit = f"{MAX_ROWS:,}".replace(",", ".")  # Vietnamese thousands separator
            raise ImportRefused(f"Tệp '{name}' có hơn {limit} dòng dữ liệu: hãy chia thành nhiều tệp")
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
                raise ImportRefused(f"Tệp '{name}' có hai cột '{LABELS[field_name]}'")
            columns[field_name] = index
        elif year_match:
            year = int(year_match.group(1))
            if year in seen_years:
                raise ImportRefused(f"Tệp '{name}' có hai cột 'Xếp loại {year}'")
            seen_years[year] = index
            ratings[index] = year
        else:
            warnings.append(f"Cột '{text}' không được nhận dạng, bỏ qua")
    missing = [LABELS[f] for f in REQUIRED if f not in columns]
    if missing:
        raise ImportRefused(f"Tệp '{name}' thiếu cột bắt buộc: {', '.join(missing)} "
                            "(dòng tiêu đề là dòng đầu tiên có dữ liệu)")
    return columns, ratings, warnings


# --- checking a row -----------------------------------------------------------------------------

def _unit_resolver(units: list[Unit]):
    """Finds a unit by its code or its name (accents and case ignored, "Phòng" may be left out)."""
    by_key: dict[str, set[str]] = {}
    for unit in units:
        keys = {unit.code.casefold(), fold(unit.name)}
        for word in _KIND_WORDS:
            if fold(unit.name).startswith(word):
                keys.add(fold(unit.name)[len(word):])
        for key in keys:
            by_key.setdefault(key, set()).add(unit.code)
    by_code = {u.code: u for u in units}

    def resolve(text: str) -> tuple[Unit | None, str | None]:
        codes = by_key.get(text.casefold(), set()) or by_key.get(fold(text), set())
        if len(codes) > 1:
            return None, f"Đơn vị '{text}' trùng tên với nhiều đơn vị ({', '.join(sorted(codes))}): hãy ghi mã đơn vị"
        if not codes:
            return None, f"Đơn vị '{text}' không có trong danh mục đơn vị"
        unit = by_code[next(iter(codes))]
        if not unit.active:
            return None, f"Đơn vị '{text}' đã ngừng hoạt động"
        return unit, None

    return resolve


def parse_date(value: str | date) -> date | None:
    """dd/mm/yyyy (also with '-' or '.') or yyyy-mm-dd, or a date cell; None if not a real date."""
    if isinstance(value, date):
        return value
    for pattern, order in ((_DATE_DMY, (3, 2, 1)), (_DATE_ISO, (1, 2, 3))):
        match = pattern.fullmatch(value.strip())
        if match:
            year, month, day = (int(match.group(i)) for i in order)
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def parse_rating(value: str) -> str | None:
    return _RATINGS.get(" ".join(fold(value).replace(".", " ").split()))


def _shown(value: str | date) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, date) else value


def _parse_row(number: int, cells: list, width: int, columns: dict[str, int], rating_columns: dict[int, int],
               resolve_unit, seen: dict[str, int]) -> ImportRow:
    errors: list[FieldError] = []

    def error(field_name: str, message: str) -> None:
        errors.append(FieldError(number, field_name, f"Dòng {number}: {message}"))

    def get(field_name: str) -> str | date:
        index = columns.get(field_name)
        return cells[index] if index is not None and index < len(cells) else ""

    values = {f: _shown(get(f)) for f in columns}
    extra = [c for c in cells[width:] if c != ""]
    if extra:
        error("row", f"có {width + len(extra)} cột dữ liệu, nhiều hơn số cột của dòng tiêu đề ({width})")

    raw_id = _shown(get("staff_id"))
    staff_id = raw_id.casefold()
    if not raw_id:
        error("staff_id", "Thiếu mã cán bộ")
    elif not USER_ID.fullmatch(staff_id):
        error("staff_id", f"Mã cán bộ '{raw_id}' không hợp lệ (2 đến 64 ký tự: chữ không dấu, chữ số, "
                          "'.', '_' hoặc '-', bắt đầu bằng chữ hoặc số)")
    elif staff_id in seen:
        error("staff_id", f"Mã cán bộ '{raw_id}' trùng với dòng {seen[staff_id]}")
    else:
        seen[staff_id] = number

    full_name = _shown(get("full_name"))
    if not full_name:
        error("full_name", "Thiếu họ và tên")
    elif len(full_name) > MAX_TEXT:
        error("full_name", f"Họ và tên dài quá {MAX_TEXT} ký tự")

    unit_text = _shown(get("unit"))
    unit = None
    if not unit_text:
        error("unit", "Thiếu đơn vị")
    else:
        unit, problem = resolve_unit(unit_text)
        if problem:
            error("unit", problem)

    position = _shown(get("position")) or None
    if position is not None and len(position) > MAX_TEXT:
        error("position", f"Chức vụ dài quá {MAX_TEXT} ký tự")

    raw_start = get("office_start_date")
    start = None
    if raw_start == "":
        error("office_start_date", "Thiếu ngày bắt đầu công tác tại Văn phòng")
    else:
        start = parse_date(raw_start)
        if start is None or start.year < FIRST_START_YEAR:
            start = None
            error("office_start_date", f"Ngày bắt đầu công tác '{_shown(raw_start)}' không hợp lệ "
                                       "(dùng dd/mm/yyyy hoặc yyyy-mm-dd)")

    email = _shown(get("email")) or None
    if email is not None and (len(email) > MAX_TEXT or not EMAIL.fullmatch(email)):
        error("email", f"Email '{email}' không hợp lệ")

    ratings = {}
    for index, year in sorted(rating_columns.items(), key=lambda item: item[1]):
        text = _shown(cells[index]) if index < len(cells) else ""
        values[f"rating:{year}"] = text
        if not text:
            continue
        code = parse_rating(text)
        if code is None:
            error(f"rating:{year}", f"Xếp loại năm {year} '{text}' không hợp lệ (dùng: "
                                    f"{', '.join(RATING_NAMES)})")
        else:
            ratings[year] = code

    staff = None
    if not errors:
        staff = Staff(id=staff_id, full_name=full_name, unit_code=unit.code, office_start_date=start,
                      position=position, email=email, active=True)
    return ImportRow(row=number, values=values, staff=staff, ratings=ratings, errors=tuple(errors))
