"""The scheduler's database lock lost under it: detected, taken over, nothing fired or sent twice, and
the jobs the old one saved after losing it still run."""
from __future__ import annotations

import os
import threading
import time
import warnings

from sqlalchemy import create_engine, text

from engine.persistence.db import make_engine
from engine.scheduling.scheduler import JOB_TABLE, TIMER_WATCH, Scheduler, database_lock
from tests.conftest import PG_ADMIN_URL
from tests.scheduler.conftest import build_office, office, smtp_server  # noqa: F401 - fixtures
from tests.scheduler.test_scheduler import FAST, eventually, open_elements, timer_events


def lose_the_lock(scheduler: Scheduler, database_url: str) -> None:
    lock = scheduler._lock
    if database_url.startswith("postgresql"):
        # What a network cut, a failover or an administrator's kill does to the lock's connection.
        pid = lock._conn.connection.dbapi_connection.info.backend_pid
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        admin.dispose()
    else:
        # The lock file removed under a running scheduler: another process could lock a new one.
        os.unlink(lock._path)


def test_a_lost_lock_is_detected_and_the_standby_takes_over_without_doubles(office, database_url, smtp_server):  # noqa: F811
    other = build_office(database_url, smtp_server, clock=office.clock)
    waiting = office.start("timer_wait", wakeAt="2025-08-08T07:00:00+07:00")
    office.start("deadline_task", group="reviewers", due="2025-08-08")
    office.at(2025, 8, 8, 6, 0)  # nothing due yet
    # The first one, once it has lost the lock, retries slowly: the other one is the one to take over.
    first = Scheduler(office.engine, office.sender, **{**FAST, "lock_retry_seconds": 30, "lock_check_seconds": 0.2}).start()
    eventually(lambda: first.active)
    second = Scheduler(other.engine, other.sender, **FAST).start()
    try:
        time.sleep(0.5)
        assert first.active and not second.active
        lose_the_lock(first, database_url)
        # The acting scheduler notices at its next job run, stops acting; the standby takes over.
        eventually(lambda: second.active and not first.active)
        assert first.lost_locks == 1

        office.at(2025, 8, 8, 8, 0)  # now the timer is due and binh is owed a reminder
        second.wake()
        eventually(lambda: len(smtp_server.received) == 1 and open_elements(office.engine, waiting.id) == ["Task_after"])
        time.sleep(1.0)  # many more runs of every job
        assert [first.active, second.active].count(True) == 1
        assert len(smtp_server.received) == 1 and len(timer_events(office.engine, waiting.id)) == 1
        assert office.outbox() == [("binh", "due", "sent")]
    finally:
        second.stop()
        first.stop()
        other.engine.close()


def test_the_lock_answers_the_watcher_and_the_jobs_asking_at_once(database_url):
    """The watcher thread and the job threads ask `held()` at the same moment: each gets a
    true answer, and no query runs inside another thread's transaction on the lock's connection."""
    db = make_engine(database_url)
    lock = database_lock(db)
    assert lock.acquire()
    answers: list[bool] = []
    start = threading.Barrier(4)

    def ask() -> None:
        start.wait()
        answers.extend(lock.held() for _ in range(40))

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            askers = [threading.Thread(target=ask) for _ in range(4)]
            for asker in askers:
                asker.start()
            for asker in askers:
                asker.join(60)
        assert answers == [True] * 160
        assert [str(w.message) for w in caught] == []
    finally:
        lock.release()
        assert not lock.held()
        db.dispose()


def test_a_job_row_saved_by_the_scheduler_that_lost_the_lock_still_runs_under_its_successor(
        office, database_url, smtp_server):  # noqa: F811
    """A scheduler that has lost its lock may save its jobs' rows (APScheduler writes a job's whole
    state after each run) over its successor's before it stands by: the rows must still run."""
    other = build_office(database_url, smtp_server, clock=office.clock)
    office.at(2025, 8, 8, 8, 0)
    first = Scheduler(office.engine, None, **{**FAST, "lock_retry_seconds": 30, "lock_check_seconds": 0.2}).start()
    eventually(lambda: first.active)
    with office.engine.context.db.connect() as conn:
        stale = conn.scalar(text(f"SELECT job_state FROM {JOB_TABLE} WHERE id = :id"), {"id": TIMER_WATCH})
    second = Scheduler(other.engine, None, **FAST).start()
    try:
        lose_the_lock(first, database_url)
        eventually(lambda: second.active and not first.active)
        for _ in range(20):  # for a second, as the old one's runs would: the successor reads it in between
            with office.engine.context.db.begin() as conn:
                conn.execute(text(f"UPDATE {JOB_TABLE} SET job_state = :state WHERE id = :id"),
                             {"state": stale, "id": TIMER_WATCH})
            time.sleep(0.05)
        # A timer created now (due a second later, and then the clock moves past it): only the watch
        # job can find it.
        waiting = office.start("timer_wait", wakeAt="2025-08-08T08:00:01+07:00")
        office.at(2025, 8, 8, 8, 0, 2)
        eventually(lambda: open_elements(office.engine, waiting.id) == ["Task_after"])
        assert len(timer_events(office.engine, waiting.id)) == 1
    finally:
        second.stop()
        first.stop()
        other.engine.close()
