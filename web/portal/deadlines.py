"""Deadlines as the office reads them: one that falls on a day off is shown with the next working
day beside it (10/08/2025 is a Sunday: "10/08/2025 → 11/08/2025"), from the admin's calendar."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask, g

from engine.scheduling import WorkingCalendar
from web.portal.auth import engine


def calendar() -> WorkingCalendar:
    if "working_calendar" not in g:  # read once per request, however many deadlines a page shows
        g.working_calendar = engine().calendar.working_calendar()
    return g.working_calendar


def moved_deadline(due: datetime | date | None) -> date | None:
    """Jinja filter: the next working day when the deadline's day is off, else None."""
    if not isinstance(due, (datetime, date)):
        return None
    return engine().calendar.moved_deadline(due, calendar())


def init_app(app: Flask) -> None:
    app.jinja_env.filters["moved_deadline"] = moved_deadline
