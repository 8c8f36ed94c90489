"""Batches: a long operation runs in the background and another process reads how far it got."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from engine import EngineConfig, ProcessEngine
from engine.errors import NotFoundError
from engine.persistence.models_batch import Batch


def test_progress_is_readable_from_another_engine_while_the_work_runs(engine, database_url):
    reached, go_on = threading.Event(), threading.Event()

    def work(progress):
        progress(0, phase="checking")
        for row in range(1, 6):
            progress(row, item=f"dòng {row}")
        reached.set()
        assert go_on.wait(30)
        progress(5, phase="saving")
        return {"created": 5}

    started = engine.batches.submit("import", "Nhập 5 dòng", work, owner="admin", total=5)
    assert started.status == "running" and started.owner == "admin"
    assert reached.wait(30)
    # A second engine on the same database stands for the other gunicorn worker the page reaches.
    other = ProcessEngine(EngineConfig(database_url=database_url))
    try:
        midway = other.batches.get(started.id)
        assert (midway.status, midway.done, midway.total, midway.phase) == ("running", 5, 5, "checking")
        assert midway.item == "dòng 5" and not midway.finished
        go_on.set()
        engine.batches.wait(started.id, 30)
        done = other.batches.get(started.id)
    finally:
        other.close()
    assert (done.status, done.result, done.percent, done.phase) == ("completed", {"created": 5}, 100, "saving")
    assert done.finished_at is not None and done.finished
    assert [b.id for b in engine.batches.list(owner="admin")] == [started.id]
    assert engine.batches.list(owner="someone else") == []


def test_a_failing_work_fails_its_batch_with_the_message(engine):
    def work(progress):
        progress(2, total=4, phase="rendering")
        raise ValueError("Tệp hỏng / broken file")

    batch = engine.batches.wait(engine.batches.submit("render", "Văn bản", work, total=4).id, 30)
    assert batch.status == "failed"
    assert batch.result == {"error": "Tệp hỏng / broken file"}
    assert (batch.done, batch.total, batch.percent) == (2, 4, 50)


def test_a_batch_whose_process_went_away_reads_as_interrupted(engine):
    gate = threading.Event()
    batch = engine.batches.submit("render", "Văn bản", lambda progress: gate.wait(30), total=3)
    with engine.context.sessions.begin() as session:
        session.execute(update(Batch).where(Batch.id == batch.id)
                        .values(updated_at=datetime.now(timezone.utc) - timedelta(minutes=5)))
    assert engine.batches.get(batch.id).status == "interrupted"
    gate.set()
    assert engine.batches.wait(batch.id, 30).status == "completed"


def test_finished_batches_are_kept_a_week(engine):
    old = engine.batches.wait(engine.batches.submit("render", "Cũ", lambda progress: None).id, 30)
    with engine.context.sessions.begin() as session:
        session.execute(update(Batch).where(Batch.id == old.id)
                        .values(finished_at=datetime.now(timezone.utc) - timedelta(days=8)))
    recent = engine.batches.wait(engine.batches.submit("render", "Mới", lambda progress: None).id, 30)
    assert engine.batches.get(recent.id).status == "completed"
    with pytest.raises(NotFoundError, match="does not exist"):
        engine.batches.get(old.id)
