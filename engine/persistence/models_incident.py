"""The table of incidents: a step the engine could not take, kept until an operator retries it.

The instance's own `status` / `incident_message` columns still say whether it is stopped (the
portal and the progress views read them); this table keeps each incident with its type, stack
trace, the job or external task to retry, and the operator's annotation, as Camunda 7 does.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.models import Base, UtcDateTime

FAILED_JOB = "failedJob"
FAILED_EXTERNAL_TASK = "failedExternalTask"


class Incident(Base):
    __tablename__ = "incident"
    __table_args__ = (Index("ix_incident_configuration", "configuration"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Deleted with its instance, as Camunda deletes runtime incidents (the history keeps the event).
    instance_id: Mapped[str] = mapped_column(ForeignKey("process_instance.id", ondelete="CASCADE"), index=True)
    definition_id: Mapped[str] = mapped_column(String(128))
    activity_id: Mapped[str | None] = mapped_column(String(255))
    incident_type: Mapped[str] = mapped_column(String(32))
    message: Mapped[str | None] = mapped_column(Text)
    stack_trace: Mapped[str | None] = mapped_column(Text)
    # The failed job (the workflow task of the failed step) or the external task's id.
    configuration: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    annotation: Mapped[str | None] = mapped_column(Text)
