"""Scheduling: the scheduler that runs the engine's jobs, the working-day calendar and the
generic reminder policy (offsets before a deadline, daily overdue reminders, escalation to groups)."""
from __future__ import annotations

from engine.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "Scheduler": "scheduler",
    "CalendarService": "working_days",
    "WorkingCalendar": "working_days",
    "ReminderService": "reminders",
    "ReminderRuleError": "reminder_rules",
    "REMINDER_TOPIC": "reminder_rules",
    "check_reminder_properties": "reminder_rules",
})
