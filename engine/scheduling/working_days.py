"""The office's working days: Monday-Friday minus the public holidays of the configured country
(the `holidays` package, EngineConfig.holiday_country), corrected by the days an admin sets each
year (make-up working days a government swaps, extra days off).

A deadline that falls on a day off runs to the end of the next working day (as civil codes
commonly count periods); the portal shows that day beside the date, and reminders count from it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from sqlalchemy import Connection, delete, select

from engine.errors import EngineError
from engine.persistence import CalendarDay

CALENDAR_KINDS = ("working", "day_off")
# No office calendar stretches further than this without a working day; a bound against loops.
MAX_DAYS_OFF_IN_A_ROW = 60


class CalendarError(EngineError, ValueError):
    pass


@lru_cache(maxsize=64)
def _public_holidays(country: str | None, year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(days off, weekend days that are working days) of a country's official calendar for a year
    (the `holidays` package, ISO 3166 code); none without a country."""
    if country is None:
        return frozenset(), frozenset()
    calendar = holidays.country_holidays(country, years=year)
    swapped = frozenset(d for d in getattr(calendar, "weekend_workdays", ()) if d.year == year)
    return frozenset(calendar), swapped


@dataclass(frozen=True)
class WorkingCalendar:
    """Whether a day is worked; `working` and `days_off` are the admin's corrections."""

    working: frozenset[date] = field(default_factory=frozenset)
    days_off: frozenset[date] = field(default_factory=frozenset)
    country: str | None = None  # whose public holidays are days off (EngineConfig.holiday_country)

    def is_working_day(self, day: date) -> bool:
        if day in self.working:
            return True
        if day in self.days_off:
            return False
        off, swapped = _public_holidays(self.country, day.year)
        if day in swapped:
            return True
        return day.weekday() < 5 and day not in off

    def next_working_day(self, day: date) -> date:
        """The day itself when it is worked, else the first working day after it."""
        for offset in range(MAX_DAYS_OFF_IN_A_ROW):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise CalendarError(f"no working day in the {MAX_DAYS_OFF_IN_A_ROW} days from {day:%d/%m/%Y}")

    def shift_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (before it when negative); `day` itself for 0."""
        step = 1 if count > 0 else -1
        remaining, current, checked = abs(count), day, 0
        while remaining:
            current += timedelta(days=step)
            checked += 1
            if checked > abs(count) + MAX_DAYS_OFF_IN_A_ROW * (abs(count) // 5 + 1):
                raise CalendarError(f"no {abs(count)} working days around {day:%d/%m/%Y}")
            if self.is_working_day(current):
                remaining -= 1
        return current


def effective_deadline(due: date, calendar: WorkingCalendar) -> date | None:
    """The next working day to show beside a deadline that falls on a day off, else None.

    10/8/2025 is a Sunday: the portal shows "10/08/2025 (11/08/2025)".
    """
    moved = calendar.next_working_day(due)
    return None if moved == due else moved


def local_due_date(due_at: datetime, tz) -> date:
    return due_at.astimezone(tz).date()


# -- the admin's corrections, in the database -------------------------------------------------

def load_calendar(conn: Connection, country: str | None) -> WorkingCalendar:
    rows = conn.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkingCalendar(working=frozenset(d for d, kind in rows if kind == "working"),
                           days_off=frozenset(d for d, kind in rows if kind == "day_off"), country=country)


def list_calendar_days(conn: Connection) -> list:
    return conn.execute(select(CalendarDay.day, CalendarDay.kind, CalendarDay.note).order_by(CalendarDay.day)).all()


def set_calendar_day(conn: Connection, day: date, kind: str | None, note: str | None = None) -> None:
    """Marks a day as a make-up working day or an extra day off; kind None removes the mark."""
    if kind is not None and kind not in CALENDAR_KINDS:
        raise CalendarError(f"calendar day kind must be one of {', '.join(CALENDAR_KINDS)}, not '{kind}'")
    conn.execute(delete(CalendarDay).where(CalendarDay.day == day))
    if kind is not None:
        conn.execute(CalendarDay.__table__.insert().values(day=day, kind=kind, note=note))


class CalendarService:
    """The office calendar as the portal and the command line use it."""

    def __init__(self, ctx) -> None:
        self._ctx = ctx

    def working_calendar(self) -> WorkingCalendar:
        with self._ctx.db.connect() as conn:
            return load_calendar(conn, self._ctx.config.holiday_country)

    def days(self) -> list:
        """The admin's marked days (day, kind, note), in date order."""
        with self._ctx.db.connect() as conn:
            return list_calendar_days(conn)

    def set_day(self, day: date, kind: str | None, note: str | None = None) -> None:
        with self._ctx.db.begin() as conn:
            set_calendar_day(conn, day, kind, note)

    def moved_deadline(self, due: datetime | date, calendar: WorkingCalendar | None = None) -> date | None:
        """The next working day when the deadline's day (in the office's time zone) is off, else None."""
        if isinstance(due, datetime):
            due = local_due_date(due, self._ctx.config.timezone)
        return effective_deadline(due, calendar or self.working_calendar())
