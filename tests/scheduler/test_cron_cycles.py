"""Quartz cron expressions in a timeCycle (Camunda 7 accepts them beside ISO-8601 cycles): timer
start events and boundary timers fire at the cron's times in the engine's time zone, as the
engine's clock moves, each time once; a cron the engine cannot run is refused at deployment."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine import EngineConfig, HandlerRegistry, ProcessEngine, TaskQuery
from engine.errors import DeploymentError
from engine.persistence.models import Deployment, ProcessDefinition
from engine.persistence.models_timer_start import TimerStartSchedule
from tests.conftest import FakeClock
from tests.scheduler.conftest import OFFICE_TZ, local

MODELS = Path(__file__).parent / "models"
TIMER_START_MODELS = Path(__file__).parent / "timer_start_models"


def boundary_model(cron: str) -> tuple[str, bytes]:
    text = (MODELS / "boundary_reminder.bpmn").read_text(encoding="utf-8")
    old = '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT2H</bpmn:timeDuration>'
    assert old in text
    return "boundary_reminder.bpmn", text.replace(
        old, f'<bpmn:timeCycle xsi:type="bpmn:tFormalExpression">{cron}</bpmn:timeCycle>').encode()


def start_model(cron: str) -> tuple[str, bytes]:
    text = (TIMER_START_MODELS / "start_daily.bpmn").read_text(encoding="utf-8")
    old = "R3/2025-06-01T08:00:00+07:00/P1D"
    assert old in text
    return "start_daily.bpmn", text.replace(old, cron).encode()


class Office:
    def __init__(self, database_url: str) -> None:
        self.clock = FakeClock(local(2025, 6, 6, 7, 0))  # a Friday
        self.reminded: list = []
        handlers = HandlerRegistry()
        handlers.register("reminder", lambda context: self.reminded.append(context.now) or {})
        self.engine = ProcessEngine(EngineConfig(database_url=database_url, clock=self.clock, timezone=OFFICE_TZ),
                                    handlers=handlers)

    def run_until(self, end, step=timedelta(minutes=30)) -> None:
        """Moves the clock in steps, firing what is due at each, twice (the second must do nothing)."""
        while self.clock.now < end:
            self.clock.now += step
            self.engine.runtime.fire_due_timer_starts()
            self.engine.runtime.fire_due_timers()
            assert self.engine.runtime.fire_due_timer_starts() == 0
            assert self.engine.runtime.fire_due_timers() == 0

    def started(self) -> list:
        return sorted(event.time for instance in self.engine.runtime.list_instances()
                      if instance.definition_key == "start_daily"
                      for event in self.engine.history.events(instance_id=instance.id, event_types=["start"]))

    def rows(self) -> dict[str, int]:
        with self.engine.context.sessions() as session:
            return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                    for model in (Deployment, ProcessDefinition, TimerStartSchedule)}


@pytest.fixture
def office(database_url):
    office = Office(database_url)
    yield office
    office.engine.close()


def test_deploy_accepts_a_daily_cron_and_schedules_its_next_time_in_the_office_zone(office):
    office.engine.repository.deploy([start_model("0 0 8 * * ?")])
    with office.engine.context.sessions() as session:
        [row] = session.scalars(select(TimerStartSchedule))
    assert row.next_fire_at == local(2025, 6, 6, 8, 0) and row.repetitions_left is None
    assert row.expression == "0 0 8 * * ?"


def test_a_cron_timer_start_starts_instances_at_its_times_and_never_twice(office):
    # 08:00 on working days, Quartz's 2-6 (MON-FRI); Friday 6/6 to Tuesday 10/6.
    office.engine.repository.deploy([start_model("0 0 8 ? * 2-6")])
    office.run_until(local(2025, 6, 10, 12, 0))
    assert office.started() == [local(2025, 6, 6, 8, 0), local(2025, 6, 9, 8, 0), local(2025, 6, 10, 8, 0)]
    instances = [i for i in office.engine.runtime.list_instances() if i.definition_key == "start_daily"]
    assert all(i.status == "active" for i in instances)
    assert all([t.element_id for t in office.engine.tasks.list(TaskQuery(instance_id=i.id))] == ["Task_report"]
               for i in instances)


def test_missed_cron_times_start_one_instance_then_the_next_is_ahead(office):
    office.engine.repository.deploy([start_model("0 0 8 ? * SUN-SAT")])
    office.clock.now = local(2025, 6, 9, 7, 0)  # the service was stopped Friday to Monday
    assert office.engine.runtime.fire_due_timer_starts() == 1
    with office.engine.context.sessions() as session:
        [row] = session.scalars(select(TimerStartSchedule))
    assert row.next_fire_at == local(2025, 6, 9, 8, 0)


def test_a_non_interrupting_boundary_timer_with_a_cron_fires_repeatedly(office):
    # Every day at 08:00 and 14:00 while the review is open.
    office.engine.repository.deploy([boundary_model("0 0 8,14 * * ?")])
    instance = office.engine.runtime.start_process_by_key("boundary_reminder")
    assert instance.next_timer_at == local(2025, 6, 6, 8, 0)
    office.run_until(local(2025, 6, 7, 15, 0))
    assert office.reminded == [local(2025, 6, 6, 8, 0), local(2025, 6, 6, 14, 0),
                               local(2025, 6, 7, 8, 0), local(2025, 6, 7, 14, 0)]
    [review] = office.engine.tasks.list(TaskQuery(instance_id=instance.id))
    assert review.element_id == "Task_review"
    assert office.engine.runtime.get_instance(instance.id).next_timer_at == local(2025, 6, 8, 8, 0)
    office.engine.tasks.complete(review.id, {})
    assert office.engine.runtime.get_instance(instance.id).status == "completed"
    office.run_until(local(2025, 6, 8, 15, 0))
    assert len(office.reminded) == 4


@pytest.mark.parametrize(("cron", "fragment"), [
    ("0 0 25 * * ?", "hours '25'"),
    ("0 0 8 L * ?", "day-of-month 'L'"),
    ("0 0 8 ? * 6L", "day-of-week '6L'"),
    ("0 0 8 ? * 2#1", "day-of-week '2#1'"),
    ("0 0 8 * *", "6 or 7 fields"),
    ("0 0 8 * * ? 2025 1", "6 or 7 fields"),
])
@pytest.mark.parametrize("where", ["start", "boundary"])
def test_a_cron_the_engine_cannot_run_is_refused_naming_the_element_and_field(office, cron, fragment, where):
    before = office.rows()
    deployed = start_model(cron) if where == "start" else boundary_model(cron)
    with pytest.raises(DeploymentError) as refused:
        office.engine.repository.deploy([deployed])
    message = str(refused.value)
    assert fragment in message, message
    assert ("StartEvent_timer" if where == "start" else "Timer_nudge") in message
    assert office.rows() == before
