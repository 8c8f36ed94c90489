"""The scheduler itself (APScheduler, its job store in the database, the lock): BPMN timers at
their time and once (after a stop: tests/reliability/test_mail_and_time.py); of two schedulers on
one database only one acts; a non-interrupting boundary timer that sends a reminder."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone


from engine import EngineConfig, ProcessEngine, TaskQuery
from engine.runtime.service import InstanceQuery
from engine.scheduling.scheduler import Scheduler
from tests.scheduler.conftest import MODELS, build_office

FAST = {"lock_retry_seconds": 0.1, "timer_watch_seconds": 0.2, "reminder_seconds": 0.2, "send_seconds": 0.2}


def eventually(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the scheduler did not get there in time"
        time.sleep(0.05)


def timer_events(engine, instance_id: str) -> list:
    return engine.history.events(instance_id=instance_id, event_types=["timer"])


def open_elements(engine, instance_id: str) -> list[str]:
    return [t.element_id for t in engine.tasks.list(TaskQuery(instance_id=instance_id))]


def test_a_timer_fires_at_its_due_time(database_url):
    """On the wall clock: the timer job is placed at the due time, not found by polling."""
    with ProcessEngine(EngineConfig(database_url=database_url)) as engine:
        engine.repository.deploy([("timer_wait.bpmn", (MODELS / "timer_wait.bpmn").read_bytes())])
        due = datetime.now(timezone.utc) + timedelta(seconds=1.5)
        instance = engine.runtime.start_process_by_key("timer_wait", {"wakeAt": due.isoformat()})
        scheduler = Scheduler(engine, None, lock_retry_seconds=0.1, timer_watch_seconds=60).start()
        try:
            eventually(lambda: open_elements(engine, instance.id) == ["Task_after"], seconds=8)
            (fired,) = timer_events(engine, instance.id)
            assert due <= fired.time < due + timedelta(seconds=2)
        finally:
            scheduler.stop()


def test_two_schedulers_on_one_database_act_as_one(office, database_url, smtp_server):
    other = build_office(database_url, smtp_server, clock=office.clock)
    waiting = office.start("timer_wait", wakeAt="2025-08-08T07:00:00+07:00")
    office.start("deadline_task", group="reviewers", due="2025-08-08")
    office.at(2025, 8, 8, 8, 0)  # the timer is due and binh is owed a reminder
    first = Scheduler(office.engine, office.sender, **FAST).start()
    second = Scheduler(other.engine, other.sender, **FAST).start()
    try:
        eventually(lambda: len(smtp_server.received) == 1 and open_elements(office.engine, waiting.id))
        time.sleep(1.0)  # many runs of every job on the one that acts
        assert [first.active, second.active].count(True) == 1
        active, standby = (first, second) if first.active else (second, first)
        assert len(smtp_server.received) == 1 and len(timer_events(office.engine, waiting.id)) == 1
        # The one acting stops; the other takes over, and sends and fires nothing twice.
        active.stop()
        eventually(lambda: standby.active)
        standby.wake()
        time.sleep(1.0)
        assert len(smtp_server.received) == 1 and len(timer_events(office.engine, waiting.id)) == 1
        assert office.outbox() == [("binh", "due", "sent")]
    finally:
        first.stop()
        second.stop()
        other.engine.close()


def test_a_non_interrupting_boundary_timer_reminds_and_leaves_the_task_open(office):
    nudged = office.start("boundary_reminder")
    done_first = office.start("boundary_reminder")
    office.at(2025, 7, 28, 8, 0)
    office.engine.tasks.complete(office.task(done_first.id).id, {}, actor="binh")
    # Just past two hours after the start (SpiffWorkflow fires a timer only once its time has passed).
    office.at(2025, 7, 28, 9, 0, 1)
    mails = office.tick()
    assert [(m.recipients, m.subject) for m in mails] == [(["binh@sonla.gov.vn"], "[Nhắc việc] Xem xét hồ sơ")]
    assert f"https://thidua.example.vn/tasks/{office.task(nudged.id).id}" in mails[0].text
    assert open_elements(office.engine, nudged.id) == ["Task_review"]
    assert office.engine.runtime.get_instance(nudged.id).status == "active"
    assert office.engine.runtime.get_instance(done_first.id).status == "completed"
    assert len(timer_events(office.engine, nudged.id)) == 1 and timer_events(office.engine, done_first.id) == []
    office.at(2025, 7, 28, 12, 0)
    assert office.tick() == []
    assert office.outbox() == [("binh", "timer:Service_remind", "sent")]


def test_start_and_interrupting_boundary_timers_fire_through_the_scheduler(office):
    """A timer start event (09:00: the scheduler starts an instance of the deployed process, see
    test_timer_starts.py) and an interrupting boundary timer (an hour after 07:00)."""
    cut_off = office.start("timer_interrupting")
    assert open_elements(office.engine, cut_off.id) == ["Task_slow"]
    scheduler = Scheduler(office.engine, office.sender, **FAST).start()
    try:
        eventually(lambda: scheduler.active)
        office.at(2025, 7, 28, 8, 30)
        scheduler.wake()
        eventually(lambda: open_elements(office.engine, cut_off.id) == ["Task_escalated"])
        assert timer_started(office.engine) == []  # not yet 09:00
        office.at(2025, 7, 28, 9, 0, 1)
        scheduler.wake()
        eventually(lambda: len(timer_started(office.engine)) == 1)
        time.sleep(0.3)
        (started,) = timer_started(office.engine)
        assert open_elements(office.engine, started.id) == ["Task_started"]
        assert len(timer_events(office.engine, cut_off.id)) == 1
    finally:
        scheduler.stop()


def timer_started(engine) -> list:
    return engine.runtime.list_instances(InstanceQuery(definition_key="timer_start"))
