"""Checking one row of the staff spreadsheet: every problem of the row as a FieldError, or a Staff."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from engine.identity import USER_ID
from workflows.staff_directory import EMAIL, Staff, Unit, fold

MAX_TEXT = 255
FIRST_START_YEAR = 1945  # the Office was founded on 28/8/1945: an earlier start date is a typo
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

    known = ", ".join(f"{u.code} ({u.name})" for u in sorted(units, key=lambda u: u.code) if u.active)

    def resolve(text: str) -> tuple[Unit | None, tuple[str, str] | None]:
        """The unit, or the problem as (Vietnamese, English)."""
        codes = by_key.get(text.casefold(), set()) or by_key.get(fold(text), set())
        if len(codes) > 1:
            listed = ", ".join(sorted(codes))
            return None, (f"Đơn vị '{text}' trùng tên với nhiều đơn vị ({listed}): hãy ghi mã đơn vị",
                          f"the unit '{text}' names several units ({listed}): write the unit code")
        if not codes:
            return None, (f"Đơn vị '{text}' không có trong danh mục đơn vị (các đơn vị: {known})",
                          f"the unit '{text}' is not in the list of units (the units: {known})")
        unit = by_code[next(iter(codes))]
        if not unit.active:
            return None, (f"Đơn vị '{text}' đã ngừng hoạt động", f"the unit '{text}' is no longer active")
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

    def error(field_name: str, vi: str, en: str) -> None:
        errors.append(FieldError(number, field_name, f"Dòng {number}: {vi} / Row {number}: {en}"))

    def get(field_name: str) -> str | date:
        index = columns.get(field_name)
        return cells[index] if index is not None and index < len(cells) else ""

    values = {f: _shown(get(f)) for f in columns}
    extra = [c for c in cells[width:] if c != ""]
    if extra:
        error("row", f"có {width + len(extra)} cột dữ liệu, nhiều hơn số cột của dòng tiêu đề ({width})",
              f"{width + len(extra)} cells of data, more than the {width} columns of the header row")

    raw_id = _shown(get("staff_id"))
    staff_id = raw_id.casefold()
    if not raw_id:
        error("staff_id", "Thiếu mã cán bộ", "the staff code is missing")
    elif not USER_ID.fullmatch(staff_id):
        error("staff_id", f"Mã cán bộ '{raw_id}' không hợp lệ (2 đến 64 ký tự: chữ không dấu, chữ số, "
                          "'.', '_' hoặc '-', bắt đầu bằng chữ hoặc số)",
              f"the staff code '{raw_id}' is invalid (2 to 64 unaccented letters, digits, '.', '_' or '-', "
              "starting with a letter or digit)")
    elif staff_id in seen:
        error("staff_id", f"Mã cán bộ '{raw_id}' trùng với dòng {seen[staff_id]}",
              f"the staff code '{raw_id}' repeats row {seen[staff_id]}")
    else:
        seen[staff_id] = number

    full_name = _shown(get("full_name"))
    if not full_name:
        error("full_name", "Thiếu họ và tên", "the full name is missing")
    elif len(full_name) > MAX_TEXT:
        error("full_name", f"Họ và tên dài quá {MAX_TEXT} ký tự", f"the full name is longer than {MAX_TEXT} characters")

    unit_text = _shown(get("unit"))
    unit = None
    if not unit_text:
        error("unit", "Thiếu đơn vị", "the unit is missing")
    else:
        unit, problem = resolve_unit(unit_text)
        if problem:
            error("unit", *problem)

    position = _shown(get("position")) or None
    if position is not None and len(position) > MAX_TEXT:
        error("position", f"Chức vụ dài quá {MAX_TEXT} ký tự", f"the position is longer than {MAX_TEXT} characters")

    raw_start = get("office_start_date")
    start = None
    if raw_start == "":
        error("office_start_date", "Thiếu ngày bắt đầu công tác tại Văn phòng", "the office start date is missing")
    else:
        start = parse_date(raw_start)
        if start is None or start.year < FIRST_START_YEAR:
            start = None
            error("office_start_date", f"Ngày bắt đầu công tác '{_shown(raw_start)}' không hợp lệ "
                                       "(dùng dd/mm/yyyy hoặc yyyy-mm-dd)",
                  f"the office start date '{_shown(raw_start)}' is invalid (use dd/mm/yyyy or yyyy-mm-dd)")

    email = _shown(get("email")) or None
    if email is not None and (len(email) > MAX_TEXT or not EMAIL.fullmatch(email)):
        error("email", f"Email '{email}' không hợp lệ", f"the e-mail '{email}' is invalid")

    ratings = {}
    for index, year in sorted(rating_columns.items(), key=lambda item: item[1]):
        text = _shown(cells[index]) if index < len(cells) else ""
        values[f"rating:{year}"] = text
        if not text:
            continue
        code = parse_rating(text)
        if code is None:
            error(f"rating:{year}", f"Xếp loại năm {year} '{text}' không hợp lệ (dùng: "
                                    f"{', '.join(RATING_NAMES)})",
                  f"the {year} rating '{text}' is invalid (use one of the names above)")
        else:
            ratings[year] = code

    staff = None
    if not errors:
        staff = Staff(id=staff_id, full_name=full_name, unit_code=unit.code, office_start_date=start,
                      position=position, email=email, active=True)
    return ImportRow(row=number, values=values, staff=staff, ratings=ratings, errors=tuple(errors))
