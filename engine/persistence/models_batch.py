"""The table of batches: long operations (an import, a deployment of many files, rendering a set of
documents) that run in the background while the person who started them watches their progress.

Kept apart from engine/persistence/models.py (the tables of every workflow step) but on the same metadata, so
migrations, schema checks and test truncation see it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.models import Base, UtcDateTime

BATCH_STATUSES = ("running", "completed", "failed")


class Batch(Base):
    """One long operation. Its progress is written in short transactions of its own, so any server
    process (the page that polls may reach another gunicorn worker) reads where it stands."""

    __tablename__ = "batch"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # What kind of operation, so the portal knows how to show its result: "deployment", ...
    kind: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(500))
    owner: Mapped[str | None] = mapped_column(String(64), index=True)
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer)
    # The step under way ("checking", "saving", ...) and what it works on (a file name, a row).
    phase: Mapped[str | None] = mapped_column(String(64))
    item: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    result: Mapped[str | None] = mapped_column(Text)  # JSON, once completed or failed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # A running batch that has not written for a while lost its process (a restart, a kill).
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
