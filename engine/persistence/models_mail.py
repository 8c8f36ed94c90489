"""The tables of deadlines and reminders: the mail outbox, the office calendar, settings per business key.

Kept apart from engine/persistence/models.py (the tables of every workflow step) but on the same metadata, so
migrations, schema checks and test truncation see them.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.models import Base, UtcDateTime

OUTBOX_STATUSES = ("pending", "sending", "sent", "failed", "cancelled")


class OutboxMail(Base):
    """One reminder to one person, written in the transaction that decides it, sent later.

    The unique key (task, kind, reminder time, recipient) is what makes a reminder exactly-once
    across restarts, retries and several schedulers: deciding it again writes nothing.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (
        UniqueConstraint("task_id", "kind", "remind_at", "recipient", name="uq_mail_outbox_reminder"),
        Index("ix_mail_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # No foreign key: a task row goes when the task is completed, its reminders stay as a record.
    task_id: Mapped[str] = mapped_column(String(36))
    instance_id: Mapped[str | None] = mapped_column(String(36), index=True)
    business_key: Mapped[str | None] = mapped_column(String(255))
    # before:7, before:3, before:1, due, overdue, escalate@1, timer:<element> ...
    kind: Mapped[str] = mapped_column(String(64))
    remind_at: Mapped[datetime] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recipient: Mapped[str] = mapped_column(String(64))
    email: Mapped[str] = mapped_column(String(255))
    # What the mail says (task, quoted variables, dates, link), fixed when the reminder is decided.
    payload_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class CalendarDay(Base):
    """A day the admin sets against the public-holiday calendar: a make-up working day
    (e.g. Saturday 26/4/2025) or an extra day off."""

    __tablename__ = "calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "working" or "day_off"
    note: Mapped[str | None] = mapped_column(String(255))


class ReminderSetting(Base):
    """A business key's own reminder offsets and escalation (a parent instance and the instances
    it calls share it), in the grammar of the task properties."""

    __tablename__ = "reminder_setting"

    business_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    reminders: Mapped[str | None] = mapped_column(String(255))
    escalate_to: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
