"""The table of timer start events: when the engine itself starts a deployed process next.

Kept apart from engine/persistence/models.py (the tables of every workflow step) but on the same metadata, so
migrations, schema checks and test truncation see it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.models import Base, UtcDateTime


class TimerStartSchedule(Base):
    """One timer start event of the latest version of a process key.

    Advanced (or deleted, when no repetition is left) in the transaction that starts the instance,
    guarded by the fire time read: two schedulers, or one restarted, start one instance per due time.
    """

    __tablename__ = "timer_start_schedule"

    # A new version replaces its key's rows; deleting the deployment drops them with the definition.
    definition_id: Mapped[str] = mapped_column(ForeignKey("process_definition.id", ondelete="CASCADE"),
                                               primary_key=True)
    element_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    definition_key: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # timeDate, timeDuration or timeCycle
    expression: Mapped[str] = mapped_column(String(255))  # the ISO-8601 text it was computed from
    next_fire_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # None: a cycle repeating without end (R/P1D).
    repetitions_left: Mapped[int | None] = mapped_column(Integer)
    # A cycle's ISO-8601 period, added to each fire time (None for timeDate and timeDuration).
    period: Mapped[str | None] = mapped_column(String(64))
