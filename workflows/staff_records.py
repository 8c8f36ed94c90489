"""The records of the staff directory (units, people, disciplinary records) and the checks of a value
before it is written: every refusal is a StaffDirectoryError in Vietnamese and English."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Mapping

from engine.errors import EngineError, NotFoundError
from engine.identity import USER_ID
from workflows.models import RATINGS, UNIT_KINDS
from workflows.service_record import RATING_RANK

UNIT_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class StaffDirectoryError(EngineError, ValueError):
    """Bad input to the directory: nothing was written."""


class StaffNotFoundError(NotFoundError):
    pass


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    active: bool = True


@dataclass(frozen=True)
class Staff:
    id: str
    full_name: str
    unit_code: str
    office_start_date: date
    position: str | None = None
    email: str | None = None
    active: bool = True


@dataclass(frozen=True)
class Discipline:
    staff_id: str
    decided_on: date
    form: str
    note: str | None = None
    id: int | None = field(default=None, compare=False)


# --- Vietnamese text ------------------------------------------------------------------------

def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower case, tones and letter marks dropped, đ read as d: what search compares."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


# --- validation ---------------------------------------------------------------------------------

def _text(value, what: tuple[str, str], max_length: int, *, required: bool = True) -> str | None:
    """`what` names the value in Vietnamese and in English."""
    vi, en = what
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise StaffDirectoryError(f"{vi} không được để trống / the {en} must not be empty")
        return None
    if not isinstance(value, str):
        raise StaffDirectoryError(f"{vi} phải là chữ, không phải {value!r} / the {en} must be text, not {value!r}")
    value = " ".join(nfc(value).split())
    if len(value) > max_length:
        raise StaffDirectoryError(f"{vi} dài quá {max_length} ký tự / the {en} is longer than {max_length} characters")
    return value


def check_unit(unit: Unit) -> Unit:
    if not isinstance(unit.code, str) or not UNIT_CODE.fullmatch(unit.code):
        raise StaffDirectoryError(f"Mã đơn vị {unit.code!r} không hợp lệ: dùng chữ thường không dấu, chữ số, "
                                  "'_' hoặc '-', tối đa 64 ký tự / "
                                  f"the unit code {unit.code!r} is invalid: use unaccented lower-case letters, "
                                  "digits, '_' or '-', at most 64 characters")
    if unit.kind not in UNIT_KINDS:
        kinds = ", ".join(UNIT_KINDS)
        raise StaffDirectoryError(f"Loại đơn vị {unit.kind!r} không hợp lệ (dùng {kinds}) / "
                                  f"the unit kind {unit.kind!r} is invalid (use {kinds})")
    return Unit(unit.code, _text(unit.name, ("Tên đơn vị", "unit name"), 255), unit.kind, bool(unit.active))


def check_staff(staff: Staff) -> Staff:
    if not isinstance(staff.id, str) or not USER_ID.fullmatch(staff.id):
        raise StaffDirectoryError(f"Mã cán bộ {staff.id!r} không hợp lệ: dùng 2 đến 64 chữ thường không dấu, "
                                  "chữ số, '.', '_' hoặc '-', bắt đầu bằng chữ hoặc số / "
                                  f"the staff code {staff.id!r} is invalid: use 2 to 64 unaccented lower-case "
                                  "letters, digits, '.', '_' or '-', starting with a letter or digit")
    if not isinstance(staff.office_start_date, date):
        raise StaffDirectoryError(f"Ngày bắt đầu công tác của '{staff.id}' phải là một ngày / "
                                  f"the office start date of '{staff.id}' must be a date")
    email = _text(staff.email, ("Email", "e-mail"), 255, required=False)
    if email is not None and not EMAIL.fullmatch(email):
        raise StaffDirectoryError(f"Email {email!r} không hợp lệ / the e-mail {email!r} is invalid")
    return Staff(id=staff.id, full_name=_text(staff.full_name, ("Họ và tên", "full name"), 255),
                 unit_code=_text(staff.unit_code, ("Đơn vị", "unit"), 64), office_start_date=staff.office_start_date,
                 position=_text(staff.position, ("Chức vụ", "position"), 255, required=False), email=email,
                 active=bool(staff.active))


def check_rating(year, rating) -> tuple[int, str]:
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
        raise StaffDirectoryError(f"Năm xếp loại {year!r} không hợp lệ / the rating year {year!r} is invalid")
    if rating not in RATING_RANK:
        raise StaffDirectoryError(f"Xếp loại {rating!r} không hợp lệ (dùng {', '.join(RATINGS)}) / "
                                  f"the rating {rating!r} is invalid (use {', '.join(RATINGS)})")
    return year, rating


def _check_ratings(ratings: Mapping[str, Mapping[int, str]]) -> list[tuple[str, int, str]]:
    rows = []
    for staff_id, by_year in ratings.items():
        for year, rating in (by_year or {}).items():
            rows.append((staff_id, *check_rating(year, rating)))
    return rows


def check_discipline(record: Discipline) -> Discipline:
    if not isinstance(record.decided_on, date):
        raise StaffDirectoryError(f"Ngày quyết định kỷ luật của '{record.staff_id}' phải là một ngày / "
                                  f"the date of the disciplinary decision of '{record.staff_id}' must be a date")
    return Discipline(record.staff_id, record.decided_on, _text(record.form, ("Hình thức kỷ luật", "disciplinary form"), 255),
                      _text(record.note, ("Ghi chú", "note"), 10_000, required=False))
