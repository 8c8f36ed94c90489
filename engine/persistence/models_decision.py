"""The table of decision evaluations: the DMN history (Camunda 7's historic decision instances).

Kept apart from engine/persistence/models.py (the tables of every workflow step) but on the same metadata, so
migrations, schema checks and test truncation see it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.models import Base, UtcDateTime, index_when_set


class DecisionInstance(Base):
    """One evaluated decision: a business rule task's, or one evaluated over REST. A decision
    that others require is a row of its own pointing at the evaluated one (`root_id`)."""

    __tablename__ = "decision_instance"
    __table_args__ = (index_when_set("decision_instance", "instance_id"),
                      index_when_set("decision_instance", "root_id"),
                      Index("ix_decision_instance_decision_key", "decision_key"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    root_id: Mapped[str | None] = mapped_column(String(36))
    decision_definition_id: Mapped[str | None] = mapped_column(String(128))
    decision_key: Mapped[str] = mapped_column(String(255))
    decision_name: Mapped[str | None] = mapped_column(String(255))
    evaluated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Set when a business rule task evaluated it: the instance, its definition and the task.
    process_definition_id: Mapped[str | None] = mapped_column(String(128))
    process_definition_key: Mapped[str | None] = mapped_column(String(255))
    instance_id: Mapped[str | None] = mapped_column(String(36))
    activity_id: Mapped[str | None] = mapped_column(String(255))
    activity_name: Mapped[str | None] = mapped_column(String(255))  # for people: the step's name
    activity_instance_id: Mapped[str | None] = mapped_column(String(36))
    user_id: Mapped[str | None] = mapped_column(String(255))
    # JSON: [{clauseId, clauseName, value}] and [{ruleId, ruleOrder, outputs: [...]}], values
    # encoded as task data is (dates and decimals keep their type).
    inputs_json: Mapped[str] = mapped_column(Text)
    rules_json: Mapped[str] = mapped_column(Text)
    collect_result_json: Mapped[str | None] = mapped_column(Text)
