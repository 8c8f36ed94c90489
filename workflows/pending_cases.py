"""Open matters in the staff register that keep a person from being considered for commendation.

Luật Thi đua, khen thưởng 2022 and its decree: no commendation while a person is under
disciplinary review, investigation or inspection, or has a complaint or denunciation being
handled. An admin opens a case and closes it when it is settled (`thidua staff case ...`); the
`staff_facts` service task reads the first case open on the campaign's date and the eligibility
table blocks the nomination with the case's text as its reason.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import sessionmaker

from engine.errors import EngineError, NotFoundError
from workflows.models import PENDING_CASE_KINDS, PendingCase, StaffMember

# What the eligibility table shows after "Không xét khen thưởng: ", and the portal in English.
CASE_TEXTS = {
    "discipline_review": ("đang bị xem xét kỷ luật", "under disciplinary review"),
    "investigation": ("đang bị điều tra", "under investigation"),
    "inspection": ("đang bị thanh tra, kiểm tra", "under inspection"),
    "complaint": ("đang có khiếu nại chưa được giải quyết", "with a complaint not yet settled"),
    "denunciation": ("đang có tố cáo chưa được giải quyết", "with a denunciation not yet settled"),
}
MAX_NOTE = 2000


class PendingCaseError(EngineError, ValueError):
    """Bad input: nothing was written. The message is Vietnamese, then English."""


@dataclass(frozen=True)
class Case:
    id: int
    staff_id: str
    kind: str
    opened_on: date
    closed_on: date | None = None
    note: str | None = None

    @property
    def text(self) -> str:
        return case_text(self.kind)

    def open_on(self, day: date) -> bool:
        """Opened on or before `day` and not settled by then (a case closed on `day` is settled)."""
        return self.opened_on <= day and (self.closed_on is None or self.closed_on > day)


def case_text(kind: str, language: str = "vi") -> str:
    vi, en = CASE_TEXTS.get(kind, ("đang có vụ việc chưa được giải quyết", "with a matter not yet settled"))
    return en if language == "en" else vi


def _check_kind(kind) -> str:
    if kind not in PENDING_CASE_KINDS:
        raise PendingCaseError(f"Loại vụ việc {kind!r} không hợp lệ (dùng {', '.join(PENDING_CASE_KINDS)}) / "
                               f"unknown kind of case {kind!r}")
    return kind


def _check_day(value, what_vi: str, what_en: str) -> date:
    if not isinstance(value, date):
        raise PendingCaseError(f"{what_vi} phải là một ngày, không phải {value!r} / {what_en} must be a date")
    return value


def _check_note(note) -> str | None:
    if note is None or (isinstance(note, str) and not note.strip()):
        return None
    if not isinstance(note, str):
        raise PendingCaseError(f"Ghi chú phải là chữ, không phải {note!r} / the note must be text")
    note = " ".join(unicodedata.normalize("NFC", note).split())
    if len(note) > MAX_NOTE:
        raise PendingCaseError(f"Ghi chú dài quá {MAX_NOTE} ký tự / the note is longer than {MAX_NOTE} characters")
    return note


class PendingCases:
    def __init__(self, db: Engine) -> None:
        self._sessions = sessionmaker(db, expire_on_commit=False)

    def open(self, staff_id: str, kind: str, opened_on: date, note: str | None = None) -> Case:
        """Records a new open case; the same kind still open for the person is refused."""
        kind, note = _check_kind(kind), _check_note(note)
        opened_on = _check_day(opened_on, "Ngày mở", "the opening date")
        with self._sessions.begin() as session:
            if not isinstance(staff_id, str) or session.get(StaffMember, staff_id) is None:
                raise NotFoundError(f"Không có cán bộ '{staff_id}' trong danh bạ cán bộ / "
                                    f"no staff member '{staff_id}'")
            same = session.scalar(select(PendingCase).where(PendingCase.staff_id == staff_id, PendingCase.kind == kind,
                                                            PendingCase.closed_on.is_(None)).limit(1))
            if same is not None:
                raise PendingCaseError(f"'{staff_id}' đã có vụ việc '{case_text(kind)}' đang mở (số {same.id}) / "
                                       f"'{staff_id}' already has an open case of this kind (#{same.id})")
            row = PendingCase(staff_id=staff_id, kind=kind, opened_on=opened_on, note=note)
            session.add(row)
            session.flush()
            return _case(row)

    def close(self, case_id: int, closed_on: date) -> Case:
        """Settles a case on `closed_on` (not before it was opened; a closed case stays closed)."""
        closed_on = _check_day(closed_on, "Ngày kết thúc", "the closing date")
        with self._sessions.begin() as session:
            row = session.get(PendingCase, case_id) if isinstance(case_id, int) else None
            if row is None:
                raise NotFoundError(f"Không có vụ việc số {case_id!r} / no case #{case_id!r}")
            if row.closed_on is not None:
                raise PendingCaseError(f"Vụ việc số {case_id} đã kết thúc ngày {row.closed_on:%d/%m/%Y} / "
                                       f"case #{case_id} was already closed on {row.closed_on}")
            if closed_on < row.opened_on:
                raise PendingCaseError(f"Ngày kết thúc {closed_on:%d/%m/%Y} trước ngày mở {row.opened_on:%d/%m/%Y} / "
                                       "the closing date is before the opening date")
            row.closed_on = closed_on
            return _case(row)

    def cases(self, staff_id: str, *, open_on: date | None = None) -> list[Case]:
        """A person's cases, oldest first; only those open on `open_on` when given."""
        statement = select(PendingCase).where(PendingCase.staff_id == staff_id)
        if open_on is not None:
            statement = statement.where(PendingCase.opened_on <= open_on,
                                        or_(PendingCase.closed_on.is_(None), PendingCase.closed_on > open_on))
        with self._sessions() as session:
            rows = session.scalars(statement.order_by(PendingCase.opened_on, PendingCase.id))
            return [_case(r) for r in rows]

    def first_open(self, staff_id: str, day: date) -> Case | None:
        found = self.cases(staff_id, open_on=day)
        return found[0] if found else None

    def facts(self, staff_id: str, day: date) -> dict:
        """`pendingCase` (the kind of the first case open on `day`, or None) and its `pendingCaseText`."""
        case = self.first_open(staff_id, day)
        return {"pendingCase": case.kind if case else None, "pendingCaseText": case.text if case else None}


def _case(row: PendingCase) -> Case:
    return Case(row.id, row.staff_id, row.kind, row.opened_on, row.closed_on, row.note)
