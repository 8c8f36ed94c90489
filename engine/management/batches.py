"""Batches: long operations run in the background, their progress readable from any process.

Like Camunda's batches, a batch is a row that says how much of its work is done. The work runs in
a thread of the process that started it and reports as it goes; the row is written in short
transactions of its own (never inside the work's own transaction, which on SQLite would wait for
it), at most a few times a second. A page that polls reads the row, whichever server process it
reaches. A process that dies takes its threads with it: a running batch silent for longer than
STALE_AFTER is shown as interrupted, not as running for ever.
"""
from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from sqlalchemy import delete, select, update

from engine.runtime import EngineContext
from engine.errors import NotFoundError
from engine.persistence import Batch

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=2)
KEEP_FOR = timedelta(days=7)
WRITE_EVERY_SECONDS = 0.4


@dataclass(frozen=True)
class BatchRecord:
    id: str
    kind: str
    label: str
    owner: str | None
    total: int
    done: int
    phase: str | None
    item: str | None
    status: str  # running, completed, failed, or interrupted (running, but its process is gone)
    result: Any
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.status != "running"

    @property
    def percent(self) -> int:
        if self.status == "completed":
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total > 0 else 0


class Progress:
    """Handed to a batch's work: `progress(done, total=None, phase=None, item=None)` as it goes."""

    def __init__(self, service: "BatchService", batch_id: str, total: int) -> None:
        self._service, self.batch_id = service, batch_id
        self.done, self.total, self.phase, self.item = 0, total, None, None
        self._written_at = 0.0

    def __call__(self, done: int, total: int | None = None, phase: str | None = None,
                 item: str | None = None) -> None:
        new_phase = phase is not None and phase != self.phase
        self.done = done
        self.total = self.total if total is None else total
        self.phase = self.phase if phase is None else phase
        self.item = item
        now = time.monotonic()
        if new_phase or done >= self.total or now - self._written_at >= WRITE_EVERY_SECONDS:
            self._written_at = now
            self._service._write(self.batch_id, done=self.done, total=self.total, phase=self.phase,
                                 item=(item or "")[:500] or None)


class BatchService:
    def __init__(self, ctx: EngineContext) -> None:
        self._ctx = ctx
        self._threads: dict[str, threading.Thread] = {}

    def submit(self, kind: str, label: str, work: Callable[[Progress], Any], *, owner: str | None = None,
               total: int = 0) -> BatchRecord:
        """Records the batch and starts `work(progress)` in a thread; what it returns (JSON-able) is
        the batch's result. An exception fails the batch with its message; the caller's work turns
        the refusals it expects into a result of its own instead."""
        now = datetime.now(timezone.utc)
        batch_id = str(uuid.uuid4())
        with self._ctx.sessions.begin() as session:
            # Finished batches are kept a week: long enough to come back to a result.
            session.execute(delete(Batch).where(Batch.status != "running", Batch.finished_at < now - KEEP_FOR))
            session.add(Batch(id=batch_id, kind=kind, label=label[:500], owner=owner, total=max(0, total), done=0,
                              status="running", created_at=now, updated_at=now))
        thread = threading.Thread(target=self._run, args=(batch_id, work, Progress(self, batch_id, total)),
                                  name=f"batch-{kind}", daemon=True)
        self._threads[batch_id] = thread
        thread.start()
        return self.get(batch_id)

    def wait(self, batch_id: str, timeout: float | None = None) -> BatchRecord:
        """Waits for a batch started by this process (the command line, tests) and returns it."""
        thread = self._threads.get(batch_id)
        if thread is not None:
            thread.join(timeout)
        return self.get(batch_id)

    def wait_all(self, timeout: float = 60.0) -> None:
        """Lets the batches of this process finish (closing the engine): their last write needs the
        database the close is about to let go of."""
        deadline = time.monotonic() + timeout
        for thread in list(self._threads.values()):
            thread.join(max(0.0, deadline - time.monotonic()))

    def get(self, batch_id: str) -> BatchRecord:
        with self._ctx.sessions() as session:
            row = session.get(Batch, batch_id)
            if row is None:
                raise NotFoundError(f"batch '{batch_id}' does not exist")
            return _record(row)

    def list(self, owner: str | None = None, limit: int = 20) -> list[BatchRecord]:
        query = select(Batch).order_by(Batch.created_at.desc()).limit(limit)
        if owner is not None:
            query = query.where(Batch.owner == owner)
        with self._ctx.sessions() as session:
            return [_record(row) for row in session.scalars(query)]

    def _run(self, batch_id: str, work: Callable[[Progress], Any], progress: Progress) -> None:
        try:
            result = work(progress)
        except Exception as err:  # noqa: BLE001 - the work is the caller's code: any failure ends the batch
            log.exception("batch %s failed", batch_id)
            self._finish(batch_id, "failed", {"error": str(err) or type(err).__name__}, progress)
        else:
            self._finish(batch_id, "completed", result, progress)
        finally:
            self._threads.pop(batch_id, None)

    def _finish(self, batch_id: str, status: str, result: Any, progress: Progress) -> None:
        now = datetime.now(timezone.utc)
        done = progress.total if status == "completed" else progress.done
        self._write(batch_id, status=status, result=json.dumps(result, ensure_ascii=False, default=str),
                    finished_at=now, done=done, total=progress.total, phase=progress.phase)

    def _write(self, batch_id: str, **values) -> None:
        with self._ctx.sessions.begin() as session:
            session.execute(update(Batch).where(Batch.id == batch_id)
                            .values(updated_at=datetime.now(timezone.utc), **values))


def _record(row: Batch) -> BatchRecord:
    status = row.status
    if status == "running" and datetime.now(timezone.utc) - row.updated_at > STALE_AFTER:
        status = "interrupted"
    return BatchRecord(id=row.id, kind=row.kind, label=row.label, owner=row.owner, total=row.total, done=row.done,
                       phase=row.phase, item=row.item, status=status,
                       result=json.loads(row.result) if row.result else None, created_at=row.created_at,
                       updated_at=row.updated_at, finished_at=row.finished_at)
