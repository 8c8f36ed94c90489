"""The office calendar: weekends, Vietnam's public holidays, make-up working days, the admin's days."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from engine.persistence.db import make_engine
from engine.persistence.models_mail import CalendarDay
from engine.scheduling.working_days import (
    CalendarError, WorkingCalendar, effective_deadline, load_calendar, set_calendar_day,
)

CALENDAR = WorkingCalendar(country="VN")


@pytest.mark.parametrize("day, worked", [
    (date(2025, 8, 8), True),  # Friday
    (date(2025, 8, 10), False),  # Sunday
    (date(2025, 1, 29), False),  # Tết
    (date(2025, 4, 7), False),  # Hùng Vương (10/3 lunar)
    (date(2025, 4, 30), False), (date(2025, 5, 1), False),
    (date(2025, 5, 2), False),  # the day off swapped for Saturday 26/4
    (date(2025, 4, 26), True),  # the make-up Saturday
    (date(2025, 9, 1), False), (date(2025, 9, 2), False),  # National Day and the day beside it
])
def test_public_calendar(day, worked):
    assert CALENDAR.is_working_day(day) is worked


def test_next_working_day_and_counting():
    assert effective_deadline(date(2025, 8, 10), CALENDAR) == date(2025, 8, 11)
    assert effective_deadline(date(2025, 8, 8), CALENDAR) is None
    assert effective_deadline(date(2025, 8, 30), CALENDAR) == date(2025, 9, 3)  # weekend, then 1-2/9
    assert CALENDAR.shift_working_days(date(2025, 8, 8), -7) == date(2025, 7, 30)
    assert CALENDAR.shift_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)  # across Tết
    assert CALENDAR.shift_working_days(date(2025, 8, 8), 0) == date(2025, 8, 8)


def test_the_admins_days(database_url):
    db = make_engine(database_url)
    try:
        with db.begin() as conn:
            set_calendar_day(conn, date(2025, 8, 11), "day_off", "Nghỉ bù theo quyết định của UBND tỉnh")
            set_calendar_day(conn, date(2025, 8, 16), "working", "Làm bù")
        with db.connect() as conn:
            calendar = load_calendar(conn, "VN")
        assert not calendar.is_working_day(date(2025, 8, 11)) and calendar.is_working_day(date(2025, 8, 16))
        assert effective_deadline(date(2025, 8, 10), calendar) == date(2025, 8, 12)
        with db.begin() as conn:
            set_calendar_day(conn, date(2025, 8, 11), None)  # the mark removed
            with pytest.raises(CalendarError, match="working, day_off"):
                set_calendar_day(conn, date(2025, 8, 12), "holiday")
        with db.connect() as conn:
            assert load_calendar(conn, "VN").is_working_day(date(2025, 8, 11))
            assert conn.scalar(select(func.count()).select_from(CalendarDay)) == 1
    finally:
        db.dispose()


def test_public_holidays_are_the_configured_country_s_and_none_without_one():
    national_day = date(2025, 9, 2)  # Quốc khánh, a Tuesday
    assert not WorkingCalendar(country="VN").is_working_day(national_day)
    assert WorkingCalendar().is_working_day(national_day)  # a bare engine: weekends only
    assert not WorkingCalendar().is_working_day(date(2025, 9, 6))  # a Saturday
    from engine import EngineConfig
    from workflows.engine_hooks import office_config
    assert office_config(EngineConfig()).holiday_country == "VN"
    assert office_config(EngineConfig(holiday_country="LA")).holiday_country == "LA"
