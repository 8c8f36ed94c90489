"""Timer start events on deployed processes (Camunda 7): the engine starts an instance when the
timer is due, once per due time, across restarts and several schedulers."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import EngineConfig, ProcessEngine, TaskQuery
from engine.errors import DeploymentError
from engine.history.service import event_data
from engine.persistence.models import Deployment, HistoryEvent, ProcessDefinition
from engine.persistence.models_timer_start import TimerStartSchedule
from engine.scheduling.scheduler import Scheduler
from engine.runtime.timer_starts import next_fire
from tests.conftest import METADATAS, FakeClock, truncate_postgres
from tests.scheduler.conftest import local
from tests.scheduler.test_scheduler import FAST, eventually

MODELS = Path(__file__).parent / "timer_start_models"
ON_DATE, DAILY, AFTER_DEPLOY = "start_on_date", "start_daily", "start_after_deploy"
TICK = timedelta(microseconds=1)


def model(key: str, *replace: tuple[str, str]) -> tuple[str, bytes]:
    text = (MODELS / f"{key}.bpmn").read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text
        text = text.replace(old, new)
    return f"{key}.bpmn", text.encode()


class Timers:
    def __init__(self, database_url: str, clock: FakeClock) -> None:
        self.clock = clock
        self.engine = ProcessEngine(EngineConfig(database_url=database_url, clock=clock))

    def at(self, *args) -> None:
        self.clock.now = local(*args)

    def fire(self) -> int:
        return self.engine.runtime.fire_due_timer_starts()

    def instances(self, key: str) -> list:
        return [i for i in self.engine.runtime.list_instances() if i.definition_key == key]

    def schedule(self) -> list[tuple]:
        with self.engine.context.sessions() as session:
            return [(row.definition_key, row.next_fire_at, row.repetitions_left)
                    for row in session.scalars(select(TimerStartSchedule).order_by(TimerStartSchedule.definition_key))]

    def rows(self) -> dict[str, int]:
        with self.engine.context.sessions() as session:
            return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                    for model in (Deployment, ProcessDefinition, TimerStartSchedule, HistoryEvent)}


@pytest.fixture
def timers(database_url):
    timers = Timers(database_url, FakeClock(local(2025, 5, 31, 7, 0)))
    yield timers
    timers.engine.close()


def open_elements(engine, instance_id: str) -> list[str]:
    return [t.element_id for t in engine.tasks.list(TaskQuery(instance_id=instance_id))]


def test_a_time_date_starts_one_instance_exactly_at_its_moment(timers):
    timers.engine.repository.deploy([model(ON_DATE)])
    assert timers.schedule() == [(ON_DATE, local(2025, 6, 30, 8, 0), 1)]
    timers.clock.now = local(2025, 6, 30, 8, 0) - TICK
    assert timers.fire() == 0 and timers.instances(ON_DATE) == []
    timers.at(2025, 6, 30, 8, 0)
    assert timers.fire() == 1
    (instance,) = timers.instances(ON_DATE)
    # Straight past its start event: it does not wait at the timer that started it.
    assert instance.status == "active" and instance.next_timer_at is None
    assert open_elements(timers.engine, instance.id) == ["Task_report"]
    (start,) = timers.engine.history.events(instance_id=instance.id, event_types=["start"])
    assert start.actor is None and start.time == local(2025, 6, 30, 8, 0)
    # Which timer started it is an event of its own: the start event is never edited afterwards.
    (fired,) = timers.engine.history.events(instance_id=instance.id, event_types=["timer_start"])
    assert fired.actor is None and fired.time == start.time and fired.element_id == "StartEvent_timer"
    assert event_data(fired) == {"timer_start": "StartEvent_timer", "kind": "timeDate",
                          "timer": "2025-06-30T08:00:00+07:00", "due": "2025-06-30T01:00:00+00:00"}
    assert timers.schedule() == []
    timers.at(2025, 7, 30, 8, 0)
    assert timers.fire() == 0 and len(timers.instances(ON_DATE)) == 1


def test_a_cycle_of_three_starts_exactly_three_instances(timers):
    timers.engine.repository.deploy([model(DAILY)])
    moment = local(2025, 5, 31, 0, 0)
    while moment < local(2025, 6, 8, 0, 0):
        timers.clock.now = moment
        timers.fire()
        moment += timedelta(hours=2)
    starts = sorted(event.time for instance in timers.instances(DAILY)
                    for event in timers.engine.history.events(instance_id=instance.id, event_types=["start"]))
    assert starts == [local(2025, 6, 1, 8, 0), local(2025, 6, 2, 8, 0), local(2025, 6, 3, 8, 0)]
    assert all(open_elements(timers.engine, i.id) == ["Task_report"] for i in timers.instances(DAILY))
    assert timers.schedule() == []


def test_a_duration_counts_from_the_deployment(timers):
    timers.at(2025, 6, 2, 10, 0)
    timers.engine.repository.deploy([model(AFTER_DEPLOY)])
    timers.at(2025, 6, 2, 10, 30)
    assert timers.engine.repository.deploy([model(AFTER_DEPLOY)]).deployment is None  # unchanged: same schedule
    timers.clock.now = local(2025, 6, 2, 11, 0) - TICK
    assert timers.fire() == 0
    timers.at(2025, 6, 2, 11, 0)
    assert timers.fire() == 1 and len(timers.instances(AFTER_DEPLOY)) == 1
    timers.at(2025, 6, 9, 11, 0)
    assert timers.fire() == 0 and len(timers.instances(AFTER_DEPLOY)) == 1


def test_a_new_version_replaces_the_schedule(timers):
    first = timers.engine.repository.deploy([model(DAILY)]).processes[0]
    timers.at(2025, 6, 1, 8, 0)
    assert timers.fire() == 1
    # Version 2 starts once, on 5/6, instead of the daily cycle.
    second = timers.engine.repository.deploy([model(
        DAILY, ("timeCycle", "timeDate"), ("R3/2025-06-01T08:00:00+07:00/P1D", "2025-06-05T08:00:00+07:00"))]
    ).processes[0]
    assert second.version == 2 and timers.schedule() == [(DAILY, local(2025, 6, 5, 8, 0), 1)]
    for day in (2, 3, 4):
        timers.at(2025, 6, day, 8, 0)
        assert timers.fire() == 0
    timers.at(2025, 6, 5, 8, 0)
    assert timers.fire() == 1
    assert sorted(i.definition_id for i in timers.instances(DAILY)) == sorted([first.id, second.id])
    # A version without a timer start event ends the schedule too.
    timers.engine.repository.deploy([model(ON_DATE)])
    timers.engine.repository.deploy([model(ON_DATE, ('<bpmn:timerEventDefinition id="TimerEventDefinition_start">\n'
                                                     '        <bpmn:timeDate xsi:type="bpmn:tFormalExpression">'
                                                     '2025-06-30T08:00:00+07:00</bpmn:timeDate>\n'
                                                     '      </bpmn:timerEventDefinition>', ""))])
    timers.at(2025, 6, 30, 8, 0)
    assert timers.schedule() == [] and timers.fire() == 0 and timers.instances(ON_DATE) == []


def test_deleting_the_deployment_stops_its_timer(timers):
    deployed = timers.engine.repository.deploy([model(DAILY)])
    timers.at(2025, 6, 1, 8, 0)
    assert timers.fire() == 1
    timers.engine.repository.delete_deployment(deployed.deployment.id, cascade=True)
    assert timers.schedule() == []
    timers.at(2025, 6, 2, 8, 0)
    assert timers.fire() == 0 and timers.instances(DAILY) == []


def test_a_hand_start_runs_at_once_and_leaves_the_schedule(timers):
    timers.engine.repository.deploy([model(ON_DATE)])
    instance = timers.engine.runtime.start_process_by_key(ON_DATE, actor="lan")
    assert open_elements(timers.engine, instance.id) == ["Task_report"] and instance.next_timer_at is None
    assert timers.schedule() == [(ON_DATE, local(2025, 6, 30, 8, 0), 1)]


@pytest.mark.parametrize(("kind", "value", "says"), [
    ("timeDate", "${wakeAt}", "computed at deployment"),
    ("timeDate", "30/06/2025 08:00", "ISO-8601 date"),
    ("timeCycle", "R3/PT10X", "ISO-8601 duration"),
    ("timeCycle", "R3", "repeating interval"),
    ("timeDate", "${'soon'}", "computed at deployment"),
    ("timeDuration", "1 giờ", "duration"),
])
def test_a_malformed_timer_start_is_a_deploy_error_that_stores_nothing(timers, kind, value, says):
    timers.engine.repository.deploy([model(AFTER_DEPLOY)])
    before = timers.rows()
    bad = model(ON_DATE, ("timeDate", kind), ("2025-06-30T08:00:00+07:00", value))
    with pytest.raises(DeploymentError) as refused:
        timers.engine.repository.deploy([bad, model(DAILY)])
    (problem,) = refused.value.problems
    assert problem.file == "start_on_date.bpmn" and problem.element_id == "StartEvent_timer"
    assert problem.line and says in problem.message
    assert timers.rows() == before


def test_a_timer_start_beside_another_start_event_is_refused(timers):
    second_start = ('<bpmn:sequenceFlow id="Flow_1"',
                    '<bpmn:startEvent id="StartEvent_hand"><bpmn:outgoing>Flow_0</bpmn:outgoing></bpmn:startEvent>\n'
                    '    <bpmn:sequenceFlow id="Flow_0" sourceRef="StartEvent_hand" targetRef="Task_report" />\n'
                    '    <bpmn:sequenceFlow id="Flow_1"')
    with pytest.raises(DeploymentError) as refused:
        timers.engine.repository.deploy([model(ON_DATE, second_start)])
    (problem,) = refused.value.problems
    assert problem.element_id == "StartEvent_timer" and "no other start event" in str(problem)
    assert timers.rows()["deployment"] == 0


def test_missed_due_times_fire_once_at_start_up(timers):
    """The service is stopped from 31/5 to 2/6 noon: the date (1/6) and the cycle's first two
    repetitions (1/6 and 2/6) each start one instance at start-up; the cycle's third runs on 3/6."""
    timers.engine.repository.deploy([model(DAILY), model(ON_DATE, ("2025-06-30", "2025-06-01"))])
    timers.at(2025, 6, 2, 12, 0)
    scheduler = Scheduler(timers.engine, None, **FAST).start()
    try:
        eventually(lambda: len(timers.instances(DAILY)) == len(timers.instances(ON_DATE)) == 1)
        scheduler.wake()
        time.sleep(0.5)
        assert len(timers.instances(DAILY)) == len(timers.instances(ON_DATE)) == 1
        assert timers.schedule() == [(DAILY, local(2025, 6, 3, 8, 0), 1)]
        timers.at(2025, 6, 3, 8, 0)
        scheduler.wake()
        eventually(lambda: len(timers.instances(DAILY)) == 2)
        timers.at(2025, 6, 10, 8, 0)
        scheduler.wake()
        time.sleep(0.5)
        assert len(timers.instances(DAILY)) == 2 and timers.schedule() == []
    finally:
        scheduler.stop()


def test_the_running_scheduler_places_its_timer_job_at_the_due_time(database_url):
    """On the wall clock: a timer start deployed while the scheduler runs is picked up by the
    watch job and fired at its moment, not found by polling afterwards."""
    with ProcessEngine(EngineConfig(database_url=database_url)) as engine:
        scheduler = Scheduler(engine, None, lock_retry_seconds=0.1, timer_watch_seconds=0.5).start()
        try:
            eventually(lambda: scheduler.active)
            due = (datetime.now(timezone.utc) + timedelta(seconds=2)).replace(microsecond=0)
            engine.repository.deploy([model(ON_DATE, ("2025-06-30T08:00:00+07:00", due.isoformat()))])
            eventually(lambda: engine.runtime.count_instances() == 1, seconds=8)
            (instance,) = engine.runtime.list_instances()
            (start,) = engine.history.events(instance_id=instance.id, event_types=["start"])
            assert due <= start.time < due + timedelta(seconds=1)
        finally:
            scheduler.stop()


def test_two_schedulers_start_one_instance_per_due_time(timers, database_url):
    timers.engine.repository.deploy([model(DAILY)])
    other = ProcessEngine(EngineConfig(database_url=database_url, clock=timers.clock))
    first = Scheduler(timers.engine, None, **FAST).start()
    second = Scheduler(other, None, **FAST).start()
    try:
        eventually(lambda: first.active or second.active)
        for day in (1, 2, 3):
            timers.at(2025, 6, day, 8, 0)
            first.wake()
            second.wake()
            eventually(lambda day=day: len(timers.instances(DAILY)) == day)
        time.sleep(0.5)
        assert [first.active, second.active].count(True) == 1 and len(timers.instances(DAILY)) == 3
    finally:
        first.stop()
        second.stop()
        other.close()


@pytest.fixture
def postgres_timers(postgres_url):
    truncate_postgres(postgres_url, *METADATAS)
    timers = Timers(postgres_url, FakeClock(local(2025, 5, 31, 7, 0)))
    yield timers
    timers.engine.close()


def test_racing_transactions_start_one_instance_per_due_time(postgres_timers, postgres_url):
    """Below the scheduler lock, on PostgreSQL (SQLite serves one machine, where the lock file
    lets one scheduler act): two engines firing the same due time at the same moment."""
    timers = postgres_timers
    timers.engine.repository.deploy([model(DAILY)])
    other = ProcessEngine(EngineConfig(database_url=postgres_url, clock=timers.clock))
    try:
        for day in (1, 2, 3):
            timers.at(2025, 6, day, 8, 0)
            barrier, started = threading.Barrier(2), []

            def fire(engine):
                barrier.wait()
                started.append(engine.runtime.fire_due_timer_starts())

            threads = [threading.Thread(target=fire, args=(engine,)) for engine in (timers.engine, other)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert sorted(started) == [0, 1]
        assert len(timers.instances(DAILY)) == 3
    finally:
        other.close()


def test_next_fire_spends_the_repetitions_missed():
    period, due = "P1D", local(2025, 6, 1, 8, 0)
    assert next_fire(due, 3, period, due) == (local(2025, 6, 2, 8, 0), 2)
    assert next_fire(due, 3, period, local(2025, 6, 2, 12, 0)) == (local(2025, 6, 3, 8, 0), 1)
    assert next_fire(due, 3, period, local(2025, 6, 9, 0, 0)) is None
    assert next_fire(due, None, period, local(2025, 6, 9, 0, 0)) == (local(2025, 6, 9, 8, 0), None)
    assert next_fire(due, 1, None, due) is None
    monthly = next_fire(local(2025, 1, 15, 8, 0), None, "P1M", local(2025, 1, 15, 8, 0))
    assert monthly == (local(2025, 2, 15, 8, 0), None)
