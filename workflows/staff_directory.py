"""The Office's staff directory: units, people, their yearly ratings and disciplinary records.

It answers the facts the eligibility rules (bpmn/eligibility.dmn) need about a nominee, on a date
that comes from the campaign. Names are stored in NFC; search folds tones and reads đ as d; lists
of people are sorted by given name (workflows.vietnamese.person_sort_key).
"""
from __future__ import annotations

from datetime import date
from typing import Iterable, Mapping

from sqlalchemy import Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.errors import ConflictError, NotFoundError
from workflows.models import UNIT_KINDS, DisciplinaryRecord, OrgUnit, StaffMember, YearlyRating
from workflows.service_record import RATING_YEARS, rated_years, whole_years, worst_rating
from workflows.staff_records import (  # noqa: F401 (the records and checks are the directory's vocabulary)
    EMAIL, UNIT_CODE, Discipline, Staff, StaffDirectoryError, StaffNotFoundError, Unit, _check_ratings,
    check_discipline, check_rating, check_staff, check_unit, fold, nfc,
)
from workflows.vietnamese import person_sort_key

_KIND_ORDER = {kind: rank for rank, kind in enumerate(UNIT_KINDS)}
STAFF_FIELDS = ("id", "full_name", "unit_code", "position", "office_start_date", "email", "active")
# Rows per statement when reading or writing many people at once (keeps IN lists short).
_CHUNK = 500


def person_key(staff: Staff) -> tuple:
    return person_sort_key(staff.full_name), staff.id


class StaffDirectory:
    def __init__(self, db: Engine) -> None:
        self.db = db  # the campaign tables next to the directory (pending cases, awards) share it
        self._sessions = sessionmaker(db, expire_on_commit=False)

    # -- units -------------------------------------------------------------------------------

    def list_units(self, *, include_inactive: bool = False) -> list[Unit]:
        """Phòng first, then trung tâm, then ban; by name within a kind."""
        statement = select(OrgUnit)
        if not include_inactive:
            statement = statement.where(OrgUnit.active.is_(True))
        with self._sessions() as session:
            units = [_unit(u) for u in session.scalars(statement)]
        return sorted(units, key=lambda u: (_KIND_ORDER.get(u.kind, 9), fold(u.name), u.name, u.code))

    def get_unit(self, code: str) -> Unit:
        with self._sessions() as session:
            unit = session.get(OrgUnit, code) if isinstance(code, str) else None
            if unit is None:
                raise NotFoundError(f"Không có đơn vị '{code}' trong danh mục đơn vị / "
                                    f"there is no unit '{code}' in the list of units")
            return _unit(unit)

    def upsert_unit(self, code: str, name: str, kind: str, active: bool = True) -> Unit:
        """Creates the unit or updates its name, kind and active flag."""
        unit = check_unit(Unit(code, name, kind, active))
        try:
            with self._sessions.begin() as session:
                _upsert_units(session, [unit])
        except IntegrityError:
            raise ConflictError(f"đơn vị '{code}' vừa được thay đổi đồng thời; hãy thử lại / "
                                f"the unit '{code}' was changed at the same time; try again") from None
        return unit

    # -- staff -------------------------------------------------------------------------------

    def get(self, staff_id: str) -> Staff:
        with self._sessions() as session:
            return _staff(_require_staff(session, staff_id))

    def list_staff(self, unit_code: str | None = None, *, include_inactive: bool = False) -> list[Staff]:
        """People (of one unit, or of the whole Office) sorted by given name, then middle, then family."""
        statement = select(StaffMember)
        if unit_code is not None:
            statement = statement.where(StaffMember.unit_code == unit_code)
        if not include_inactive:
            statement = statement.where(StaffMember.active.is_(True))
        with self._sessions() as session:
            people = [_staff(s) for s in session.scalars(statement)]
        return sorted(people, key=person_key)

    def search(self, query: str, *, unit_code: str | None = None, include_inactive: bool = False,
               limit: int | None = 50) -> list[Staff]:
        """People whose name has a word starting with each word of the query, tones and đ folded
        ("nguyen th" finds "Nguyễn Thị Lan"; "dang" finds "Đặng"), or whose user name or e-mail
        contains the query. Sorted by given name; an empty query finds nobody."""
        words = fold(query or "").split()
        if not words:
            return []
        whole = " ".join(words)
        found = []
        for person in self.list_staff(unit_code, include_inactive=include_inactive):
            name_words = fold(person.full_name).split()
            if (all(any(w.startswith(q) for w in name_words) for q in words)
                    or whole in person.id.casefold() or whole in (person.email or "").casefold()):
                found.append(person)
        return found[:limit] if limit is not None else found

    def upsert_staff(self, staff: Staff, ratings: Mapping[int, str] | None = None) -> Staff:
        """Creates or updates one person (and sets the given years' ratings)."""
        self.save([staff], ratings={staff.id: ratings} if ratings else None)
        return check_staff(staff)

    def save(self, staff: Iterable[Staff], *, ratings: Mapping[str, Mapping[int, str]] | None = None,
             disciplines: Iterable[Discipline] = (), units: Iterable[Unit] = (),
             update_fields: Iterable[str] | None = None) -> None:
        """Writes units, people, ratings and disciplinary records in one transaction.

        People are created or updated (for people already stored, only `update_fields` when given:
        an import without an "Email" column keeps the e-mails); a rating replaces that person's
        rating for that year (other years are kept); a disciplinary record already stored (same
        person, date and form) is not added twice. Any bad value raises StaffDirectoryError and
        nothing is written.
        """
        updated = set(STAFF_FIELDS if update_fields is None else update_fields) - {"id"}
        if updated - set(STAFF_FIELDS):
            unknown = sorted(updated - set(STAFF_FIELDS))
            raise StaffDirectoryError(f"Không có trường cán bộ {unknown} / unknown staff fields {unknown}")
        units = [check_unit(u) for u in units]
        people = [check_staff(s) for s in staff]
        ids = [p.id for p in people]
        if len(set(ids)) != len(ids):
            duplicate = next(i for i in ids if ids.count(i) > 1)
            raise StaffDirectoryError(f"Cán bộ '{duplicate}' xuất hiện hai lần / '{duplicate}' appears twice")
        rating_rows = _check_ratings(ratings or {})
        discipline_rows = [check_discipline(d) for d in disciplines]
        try:
            with self._sessions.begin() as session:
                _upsert_units(session, units)
                self._require_units(session, {p.unit_code for p in people})
                _upsert_people(session, people, updated)
                known = set(ids)
                self._require_people(session, {r[0] for r in rating_rows} | {d.staff_id for d in discipline_rows},
                                     known)
                _upsert_ratings(session, rating_rows)
                _add_disciplines(session, discipline_rows)
        except IntegrityError as err:
            raise ConflictError("danh bạ cán bộ vừa được thay đổi đồng thời, hoặc dữ liệu vi phạm ràng buộc; "
                                f"không ghi gì. Hãy thử lại / the staff directory was changed at the same time, or the data "
                                f"breaks a constraint; nothing was written. Try again ({err.orig})") from None

    def set_active(self, staff_id: str, active: bool) -> None:
        with self._sessions.begin() as session:
            _require_staff(session, staff_id).active = bool(active)

    # -- ratings and disciplinary records ----------------------------------------------------

    def set_rating(self, staff_id: str, year: int, rating: str) -> None:
        self.save([], ratings={staff_id: {year: rating}})

    def ratings(self, staff_id: str) -> dict[int, str]:
        with self._sessions() as session:
            _require_staff(session, staff_id)
            rows = session.execute(select(YearlyRating.year, YearlyRating.rating)
                                   .where(YearlyRating.staff_id == staff_id).order_by(YearlyRating.year))
            return dict(rows.all())

    def add_discipline(self, staff_id: str, decided_on: date, form: str, note: str | None = None) -> None:
        self.save([], disciplines=[Discipline(staff_id, decided_on, form, note)])

    def disciplines(self, staff_id: str) -> list[Discipline]:
        with self._sessions() as session:
            _require_staff(session, staff_id)
            rows = session.scalars(select(DisciplinaryRecord).where(DisciplinaryRecord.staff_id == staff_id)
                                   .order_by(DisciplinaryRecord.decided_on, DisciplinaryRecord.id))
            return [Discipline(r.staff_id, r.decided_on, r.form, r.note, r.id) for r in rows]

    def facts(self, staff_id: str, as_of: date) -> dict:
        """What bpmn/eligibility.dmn needs to know of a person, on the date `as_of`:

        - yearsAtOffice: completed years from the start of work at the Office to `as_of`;
        - yearsSinceDiscipline: completed years since the latest disciplinary record decided on or
          before `as_of`, None if there is none;
        - worstRatingLast10: the worst rating of the 10 full years before `as_of`'s year, None if
          none of them has one;
        - missingRatingYears: the years of that window without a rating although the person was
          at the Office for six months or more of it ("2019, 2021"), None when none is missing.
          A gap must not pass as "good": the decision table reads it before the ratings.
        """
        if not isinstance(as_of, date):
            raise StaffDirectoryError(f"Ngày xét phải là một ngày, không phải {as_of!r} / "
                                      f"the date of the facts must be a date, not {as_of!r}")
        first_year, last_year = as_of.year - RATING_YEARS, as_of.year - 1
        with self._sessions() as session:
            person = _require_staff(session, staff_id)
            latest = session.scalar(select(DisciplinaryRecord.decided_on)
                                    .where(DisciplinaryRecord.staff_id == staff_id,
                                           DisciplinaryRecord.decided_on <= as_of)
                                    .order_by(DisciplinaryRecord.decided_on.desc()).limit(1))
            ratings = dict(session.execute(select(YearlyRating.year, YearlyRating.rating)
                                           .where(YearlyRating.staff_id == staff_id,
                                                  YearlyRating.year.between(first_year, last_year))).all())
        missing = [year for year in rated_years(person.office_start_date, first_year, last_year)
                   if year not in ratings]
        return {
            "yearsAtOffice": whole_years(person.office_start_date, as_of),
            "yearsSinceDiscipline": whole_years(latest, as_of) if latest is not None else None,
            "worstRatingLast10": worst_rating(ratings.values()),
            "missingRatingYears": ", ".join(str(year) for year in missing) or None,
        }

    # -- helpers -----------------------------------------------------------------------------

    def _require_units(self, session: Session, codes: set[str]) -> None:
        found = _existing(session, OrgUnit.code, codes)
        missing = sorted(codes - found)
        if missing:
            listed = ", ".join(repr(c) for c in missing)
            raise StaffDirectoryError(f"Không có đơn vị {listed} trong danh mục đơn vị / "
                                      f"no unit {listed} in the list of units")

    def _require_people(self, session: Session, staff_ids: set[str], known: set[str]) -> None:
        wanted = staff_ids - known
        missing = sorted(wanted - _existing(session, StaffMember.id, wanted))
        if missing:
            listed = ", ".join(repr(m) for m in missing)
            raise StaffNotFoundError(f"Không có cán bộ {listed} trong danh bạ cán bộ / "
                                     f"no staff member {listed} in the staff directory")


# --- writing in bulk ----------------------------------------------------------------------------

def _chunks(items: list, size: int = _CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _existing(session: Session, column, values: set) -> set:
    found = set()
    for chunk in _chunks(sorted(values)):
        found |= set(session.scalars(select(column).where(column.in_(chunk))))
    return found


def _upsert_units(session: Session, units: list[Unit]) -> None:
    if not units:
        return
    existing = _existing(session, OrgUnit.code, {u.code for u in units})
    rows = [{"code": u.code, "name": u.name, "kind": u.kind, "active": u.active} for u in units]
    new = [r for r in rows if r["code"] not in existing]
    old = [{"b_" + k: v for k, v in r.items()} for r in rows if r["code"] in existing]
    if new:
        session.execute(insert(OrgUnit), new)
    if old:
        session.connection().execute(
            update(OrgUnit.__table__).where(OrgUnit.__table__.c.code == bindparam("b_code"))
            .values(name=bindparam("b_name"), kind=bindparam("b_kind"), active=bindparam("b_active")), old)


def _upsert_people(session: Session, people: list[Staff], updated: set[str]) -> None:
    if not people:
        return
    existing = _existing(session, StaffMember.id, {p.id for p in people})
    rows = [{c: getattr(p, c) for c in STAFF_FIELDS} for p in people]
    new = [r for r in rows if r["id"] not in existing]
    columns = [c for c in STAFF_FIELDS if c in updated]
    old = [{"b_" + c: r[c] for c in ("id", *columns)} for r in rows if r["id"] in existing]
    if new:
        session.execute(insert(StaffMember), new)
    if old and columns:
        table = StaffMember.__table__
        session.connection().execute(
            update(table).where(table.c.id == bindparam("b_id"))
            .values({c: bindparam("b_" + c) for c in columns}), old)


def _upsert_ratings(session: Session, rows: list[tuple[str, int, str]]) -> None:
    if not rows:
        return
    table = YearlyRating.__table__
    stored: dict[tuple[str, int], str] = {}
    for chunk in _chunks(sorted({r[0] for r in rows})):
        for staff_id, year, rating in session.execute(
                select(table.c.staff_id, table.c.year, table.c.rating).where(table.c.staff_id.in_(chunk))):
            stored[(staff_id, year)] = rating
    wanted = {(s, y): r for s, y, r in rows}
    new = [{"staff_id": s, "year": y, "rating": r} for (s, y), r in wanted.items() if (s, y) not in stored]
    changed = [{"b_staff_id": s, "b_year": y, "b_rating": r} for (s, y), r in wanted.items()
               if (s, y) in stored and stored[(s, y)] != r]
    if new:
        session.connection().execute(insert(table), new)
    if changed:
        session.connection().execute(
            update(table).where(table.c.staff_id == bindparam("b_staff_id"), table.c.year == bindparam("b_year"))
            .values(rating=bindparam("b_rating")), changed)


def _add_disciplines(session: Session, records: list[Discipline]) -> None:
    for record in records:
        duplicate = session.scalar(select(DisciplinaryRecord.id).where(
            DisciplinaryRecord.staff_id == record.staff_id, DisciplinaryRecord.decided_on == record.decided_on,
            DisciplinaryRecord.form == record.form).limit(1))
        if duplicate is None:
            session.add(DisciplinaryRecord(staff_id=record.staff_id, decided_on=record.decided_on,
                                           form=record.form, note=record.note))
    session.flush()


def _require_staff(session: Session, staff_id: str) -> StaffMember:
    person = session.get(StaffMember, staff_id) if isinstance(staff_id, str) else None
    if person is None:
        raise StaffNotFoundError(f"Không có cán bộ '{staff_id}' trong danh bạ cán bộ / "
                                 f"no staff member '{staff_id}' in the staff directory")
    return person


def _unit(row: OrgUnit) -> Unit:
    return Unit(row.code, row.name, row.kind, row.active)


def _staff(row: StaffMember) -> Staff:
    return Staff(id=row.id, full_name=row.full_name, unit_code=row.unit_code,
                 office_start_date=row.office_start_date, position=row.position, email=row.email,
                 active=row.active)
