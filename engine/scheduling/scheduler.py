"""The one scheduler of the service: BPMN timers at their due time, reminder decisions, the outbox.

APScheduler 3 (BackgroundScheduler) keeps its jobs in the service's database (SQLAlchemy job
store, table `scheduler_job`). Every web worker may build a Scheduler, but only the one holding
the database lock acts: on PostgreSQL a session advisory lock (released by the server if the
process dies), on SQLite an exclusive flock on a file beside the database (one machine, which is
all SQLite serves). The others wait on standby and take over when the lock frees. The one acting
keeps checking that it still holds the lock (a killed connection or a restarted server drops an
advisory lock without a word) and stands by as soon as it does not.

Timers are scheduled from the instances' `next_timer_at` and the timer start events of deployed
processes (`timer_start_schedule`): one job runs at the earliest of them,
and a watch job picks up timers created or moved since. At start-up the job is rebuilt from the
database, so a timer that came due while the service was stopped fires once, at once. The
engine's clock is injectable: a due time is turned into a wall-clock run time by its distance
from the engine's `now`.
"""
from __future__ import annotations

import fcntl
import logging
import os
import threading
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from engine.mail import OutboxSender
from engine.persistence import ProcessInstance
from engine.runtime import earliest_timer_start

log = logging.getLogger(__name__)

JOB_TABLE = "scheduler_job"
# "thidua" in ASCII plus 1: the advisory lock key no other application of the database uses.
ADVISORY_LOCK_KEY = 0x746869647561_01
TIMER_BATCH, MAX_TIMER_BATCHES = 100, 50  # fire_due_timers' batch size; batches per run at most
TIMERS, TIMER_WATCH, REMINDERS, OUTBOX = "bpmn-timers", "bpmn-timer-watch", "reminders", "outbox"

# Jobs in a persistent store name a module-level function; it finds the scheduler acting for the
# job's database here. The jobs name the database, not the scheduler that stored them: one that
# lost its lock can still save its jobs' rows (APScheduler writes a job's whole state after each
# run) over its successor's before it stands by, and a row naming it would then run nothing.
_ACTIVE: dict[str, "Scheduler"] = {}


def run_job(store_key: str, job: str) -> None:
    scheduler = _ACTIVE.get(store_key)
    if scheduler is None:
        return  # a job stored by a scheduler that has stopped: its successor replaces it
    scheduler.run(job)


class Scheduler:
    def __init__(self, engine, sender: OutboxSender | None, *, timer_watch_seconds: float = 30,
                 reminder_seconds: float = 300, send_seconds: float = 60, lock_retry_seconds: float = 10,
                 lock_check_seconds: float = 10) -> None:
        self.engine, self.sender = engine, sender
        self.id = uuid.uuid4().hex
        self.store_key = _store_key(engine.context.db, self.id)
        self.intervals = {TIMER_WATCH: timer_watch_seconds, REMINDERS: reminder_seconds, OUTBOX: send_seconds}
        self.lock_retry_seconds, self.lock_check_seconds = lock_retry_seconds, lock_check_seconds
        self._lock = database_lock(engine.context.db)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._apscheduler: BackgroundScheduler | None = None
        self._scheduled_due: datetime | None = None
        self._stuck_due: datetime | None = None
        self._mutex = threading.Lock()
        # APScheduler's shutdown waits for running jobs while holding the lock its job-store
        # calls need: a job that reschedules then would wait forever. Jobs run under this lock
        # and do nothing once `_stopping` is set, so stop() can wait for them first.
        self._job_lock = threading.Lock()
        self._stopping = False
        self.lost_locks = 0  # times the lock went away under this scheduler while it acted
        self._lock_lost = threading.Event()

    @property
    def active(self) -> bool:
        return self._apscheduler is not None

    # -- life ------------------------------------------------------------------------------

    def start(self) -> "Scheduler":
        """Returns at once; acts as soon as it holds the lock (maybe never, if another does)."""
        self._thread = threading.Thread(target=self._watch_lock, name=f"scheduler-{self.id[:8]}", daemon=True)
        self._thread.start()
        log.info("scheduler %s started; it acts when it holds the lock", self.id[:8])
        return self

    def stop(self) -> None:
        self._stop.set()
        self._lock_lost.set()  # wakes the watcher
        if self._thread is not None:
            self._thread.join()
        with self._job_lock:
            self._stopping = True
        with self._mutex:
            if self._apscheduler is not None:
                self._apscheduler.shutdown(wait=True)
                self._apscheduler = None
            self._leave()
        self._lock.release()

    def wake(self) -> None:
        """Runs every job now (after the engine's clock moved, or to test the scheduler)."""
        with self._mutex:
            if self._apscheduler is None:
                return
            now = datetime.now(timezone.utc)
            for job in self._apscheduler.get_jobs():
                job.modify(next_run_time=now)

    def _watch_lock(self) -> None:
        """Takes the lock when it is free, then keeps checking it is still held: a lock whose
        connection was killed, or whose file was removed, is another scheduler's to take."""
        while not self._stop.is_set():
            if self.active:
                if not self._stop.is_set() and (self._lock_lost.is_set() or not self._lock.held()):
                    self._stand_by()
                    continue
                self._lock_lost.wait(self.lock_check_seconds)
            elif self._lock.acquire():
                with self._mutex:
                    if not self._stop.is_set():
                        self._activate()
                        continue
                self._lock.release()
            else:
                self._stop.wait(self.lock_retry_seconds)

    def _stand_by(self) -> None:
        log.warning("scheduler %s lost its database lock; it stops acting and waits for the lock again",
                    self.id[:8])
        self.lost_locks += 1
        with self._job_lock:
            self._stopping = True  # a job running now finishes without acting
        self._leave()
        with self._mutex:
            scheduler, self._apscheduler = self._apscheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        self._lock.release()
        self._lock_lost.clear()
        with self._job_lock:
            self._stopping = False
        self._stop.wait(self.lock_retry_seconds)

    def _leave(self) -> None:
        if _ACTIVE.get(self.store_key) is self:  # not its successor's place
            del _ACTIVE[self.store_key]

    def _activate(self) -> None:
        _ACTIVE[self.store_key] = self
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine.context.db, tablename=JOB_TABLE)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            timezone=timezone.utc)
        # Paused first: the job store creates its table, and the jobs a stopped scheduler left
        # are replaced (same ids) before anything runs.
        scheduler.start(paused=True)
        for job, seconds in self.intervals.items():
            if job == OUTBOX and self.sender is None:
                continue
            scheduler.add_job(run_job, "interval", args=(self.store_key, job), id=job, seconds=seconds,
                              next_run_time=datetime.now(timezone.utc), replace_existing=True)
        if self.sender is None and scheduler.get_job(OUTBOX) is not None:
            scheduler.remove_job(OUTBOX)
        self._scheduled_due = None
        self._schedule_timers(scheduler)
        self._apscheduler = scheduler
        scheduler.resume()
        log.info("scheduler %s holds the lock and runs the jobs", self.id[:8])

    # -- jobs ------------------------------------------------------------------------------

    def tick(self) -> None:
        """Every job once, in order, in this thread: what a run of the scheduler does at a moment
        (the `thidua remind` command and tests on a moved clock use it)."""
        for job in (TIMERS, REMINDERS, OUTBOX):
            self.run(job)

    def run(self, job: str) -> None:
        with self._job_lock:
            if self._stopping:
                return
            if self.active and not self._lock.held():
                # Another scheduler may act by now; the lock's watcher makes this one stand by.
                self._lock_lost.set()
                return
            self._run(job)

    def _run(self, job: str) -> None:
        try:
            if job == TIMERS:
                for _ in range(MAX_TIMER_BATCHES):
                    if self.engine.runtime.fire_due_timer_starts(limit=TIMER_BATCH) < TIMER_BATCH:
                        break
                for _ in range(MAX_TIMER_BATCHES):
                    if self.engine.runtime.fire_due_timers(limit=TIMER_BATCH) < TIMER_BATCH:
                        break  # a full batch means more may be due
                # A timer still due after firing did not move (e.g. an instance stopped mid-step):
                # it is retried at the watch job's pace, not in a busy loop.
                due = self._earliest_due()
                self._stuck_due = due if due is not None and due <= self.engine.context.now() else None
                # The watch job places the next timer run: this date job is being removed as it runs.
                self._scheduled_due = None
                if self._apscheduler is not None:
                    self._apscheduler.modify_job(TIMER_WATCH, next_run_time=datetime.now(timezone.utc))
            elif job == TIMER_WATCH:
                self._schedule_timers(self._apscheduler)
            elif job == REMINDERS:
                self.engine.reminders.decide()
            elif job == OUTBOX and self.sender is not None:
                self.sender.send_due()
        except Exception:
            log.exception("scheduler job %s failed; it runs again at its next time", job)

    def _schedule_timers(self, scheduler: BackgroundScheduler | None) -> None:
        """Puts the timer job at the earliest due timer of any running instance or timer start event."""
        if scheduler is None:
            return
        due = self._earliest_due()
        if due is None:
            if scheduler.get_job(TIMERS) is not None:
                scheduler.remove_job(TIMERS)
            self._scheduled_due = None
            return
        if due == self._scheduled_due and scheduler.get_job(TIMERS) is not None:
            return
        # A few milliseconds late, so that the engine's clock has surely reached the due time.
        delay = max(due - self.engine.context.now(), timedelta(0)) + timedelta(milliseconds=5)
        if due == self._stuck_due:
            delay = timedelta(seconds=self.intervals[TIMER_WATCH])
        scheduler.add_job(run_job, "date", args=(self.store_key, TIMERS), id=TIMERS,
                          run_date=datetime.now(timezone.utc) + delay, replace_existing=True)
        self._scheduled_due = due

    def _earliest_due(self) -> datetime | None:
        with self.engine.context.db.connect() as conn:
            # "IS NOT NULL" changes nothing for min() but lets it read the partial index.
            due = [conn.scalar(select(func.min(ProcessInstance.next_timer_at))
                               .where(ProcessInstance.next_timer_at.is_not(None),
                                      ProcessInstance.status == "active", ProcessInstance.suspended.is_(False))),
                   earliest_timer_start(conn)]
        return min((d for d in due if d is not None), default=None)


# -- the lock ---------------------------------------------------------------------------------

class _AdvisoryLock:
    """A PostgreSQL session lock held on a connection kept open while the scheduler acts. The
    lock's watcher and the jobs ask `held()` from their own threads: one connection serves one
    thread at a time, or a query runs inside another's transaction."""

    def __init__(self, db: Engine) -> None:
        self._db, self._conn = db, None
        self._using = threading.Lock()

    def acquire(self) -> bool:
        conn = self._db.connect()
        got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY}).scalar()
        conn.commit()
        if not got:
            conn.close()
            return False
        with self._using:
            self._conn = conn
        return True

    def held(self) -> bool:
        """Asked on the lock's own connection: a killed connection or a restarted server answers no."""
        with self._using:
            if self._conn is None:
                return False
            try:
                count = self._conn.execute(text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()"
                    " AND classid = :high AND objid = :low AND objsubid = 1"),
                    {"high": ADVISORY_LOCK_KEY >> 32, "low": ADVISORY_LOCK_KEY & 0xFFFFFFFF}).scalar()
                self._conn.commit()
            except SQLAlchemyError:
                return False
            return count == 1

    def release(self) -> None:
        with self._using:
            if self._conn is None:
                return
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
                self._conn.commit()
            except SQLAlchemyError:
                pass  # the connection is gone, and the server dropped the lock with it
            finally:
                self._conn.close()
                self._conn = None


class _FileLock:
    """flock on a file beside the SQLite database: held per open file, so also between two
    schedulers of one process; the system drops it when the process dies."""

    def __init__(self, path: Path | None) -> None:
        self._path, self._file = path, None

    def acquire(self) -> bool:
        if self._path is None:
            return True  # an in-memory database has one process by definition
        handle = open(self._path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        # Who holds it, for an operator (and a test) to read: the process id of the acting scheduler.
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def held(self) -> bool:
        if self._path is None:
            return True
        if self._file is None:
            return False
        # A lock file deleted (or replaced) under us would let another process lock a new one.
        try:
            return os.fstat(self._file.fileno()).st_ino == os.stat(self._path).st_ino
        except OSError:
            return False

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def _store_key(db: Engine, scheduler_id: str) -> str:
    url = make_url(db.url)
    if url.get_backend_name() == "sqlite" and (not url.database or url.database == ":memory:"):
        return scheduler_id  # an in-memory database, and its job store, are its engine's alone
    return url.render_as_string(hide_password=True)


def database_lock(db: Engine):
    url = make_url(db.url)
    if url.get_backend_name() == "postgresql":
        return _AdvisoryLock(db)
    if not url.database or url.database == ":memory:":
        return _FileLock(None)
    return _FileLock(Path(url.database).with_name(Path(url.database).name + ".scheduler-lock"))
