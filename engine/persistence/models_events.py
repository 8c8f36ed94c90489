"""The index of event subscriptions (Camunda's name): which instance waits at which element for which
message or signal, and which deployed process a message or signal starts.

Kept apart from engine/persistence/models.py (the tables of every workflow step) but on the same metadata, so
migrations, schema checks and test truncation see it. Correlating a message reads this index instead
of loading every running instance; the rows of an instance are rewritten when it is saved and the
set of elements it waits at changed (engine/persistence/event_index.py).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.models import Base, UtcDateTime

EVENT_TYPES = ("message", "signal")


class EventSubscription(Base):
    __tablename__ = "event_subscription"
    __table_args__ = (Index("ix_event_subscription_type_name", "event_type", "event_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_type: Mapped[str] = mapped_column(String(16))  # message or signal
    event_name: Mapped[str] = mapped_column(String(255))
    # A start event of the latest version has no instance: the message or signal starts one.
    instance_id: Mapped[str | None] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"),
                                                    index=True)
    definition_id: Mapped[str] = mapped_column(ForeignKey("process_definition.id", ondelete="CASCADE"), index=True)
    definition_key: Mapped[str] = mapped_column(String(255))
    activity_id: Mapped[str] = mapped_column(String(255))
    # The waiting SpiffWorkflow task (Camunda's execution); None for a start event.
    execution_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
