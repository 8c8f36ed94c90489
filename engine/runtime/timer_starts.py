"""Timer start events: a deployed process the engine starts by itself when its timer is due.

Camunda 7's semantics. The timer of a top-level start event is evaluated at deployment, without
process variables: a timeDate fires once at its moment, a timeDuration once that long after the
deployment, a timeCycle at each repetition while repetitions remain (a Quartz cron cycle at each
of its times, in the engine's time zone, without end unless its years end). A new version of the key
replaces the schedule of the previous one; deleting the deployment drops it (with the definition).
The stored spec has a plain start event instead: an instance started by hand runs at once.

Each due time starts one instance: the schedule row is advanced, guarded by the fire time read,
in the transaction that creates the instance. A due time missed while the service was stopped
fires once when it is back; for a cycle the repetitions missed meanwhile count as spent (they are
folded into that one instance) and the next one is the first still in the future, so a cycle
never starts more instances than its count nor runs past the span the designer drew.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition, DurationTimerEventDefinition, TimeDateEventDefinition, TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.event_definitions.simple import NoneEventDefinition
from sqlalchemy import Connection, delete, func, insert, select, update

from engine.errors import ConflictError, DeploymentError, Problem, SuspendedEntityError
from engine.expressions import CronCycleTimerEventDefinition, looks_like_cron, next_cron_time
from engine.persistence import HistoryEvent, ProcessDefinition, TimerStartSchedule

SCHEDULE, HISTORY = TimerStartSchedule.__table__, HistoryEvent.__table__
DEFINITION = ProcessDefinition.__table__
KINDS = {TimeDateEventDefinition: "timeDate", DurationTimerEventDefinition: "timeDuration",
         CycleTimerEventDefinition: "timeCycle", CronCycleTimerEventDefinition: "timeCycle"}
# The `period` of a cron cycle: its expression (the row's `expression`, up to 255 characters) is
# what each next time is computed from, and it may not fit the period column.
CRON_PERIOD = "cron"


@dataclass(frozen=True)
class TimerStartPlan:
    definition_key: str
    element_id: str
    kind: str
    expression: str
    next_fire_at: datetime
    repetitions_left: int | None
    period: str | None


# -- deployment -------------------------------------------------------------------------------

def plan_timer_starts(processes, contents: dict[str, bytes], evaluate,
                      now: datetime, zone: tzinfo) -> dict[str, list[TimerStartPlan]]:
    """The schedules of the parsed processes' timer start events, by process key.

    `evaluate` turns a timer's translated expression into its ISO-8601 or cron text (no variables
    exist yet); a cron cycle counts in `zone`. A timer that cannot be computed refuses the whole
    deployment, naming file, element, line.
    """
    plans: dict[str, list[TimerStartPlan]] = {}
    problems = []
    for process in processes:
        starts = [spec for spec in process.spec.task_specs.values() if isinstance(spec, StartEvent)]
        for spec in starts:
            kind = KINDS.get(type(spec.event_definition))
            if kind is None:
                continue
            line = _line_of(contents.get(process.file_name, b""), spec.bpmn_id)
            if len(starts) > 1:
                # Stored as a plain start (below), it would run beside the other start events.
                problems.append(Problem(process.file_name, "a process with a timer start event can have no other "
                                        "start event; it can still be started by hand", spec.bpmn_id, line))
                continue
            try:
                text = evaluate(spec.event_definition.expression)
                if not isinstance(text, str):
                    raise ValueError(f"it gave {type(text).__name__}, not ISO-8601 text")
                plan = _plan(process.key, spec.bpmn_id, kind, text.strip(), now, zone)
            except Exception as err:  # the evaluation runs designer expressions: any failure is theirs
                problems.append(Problem(process.file_name, f"the {kind} of a timer start event is computed at "
                                        f"deployment, where no process variables exist: {err}",
                                        element_id=spec.bpmn_id, line=line))
                continue
            if plan is not None:
                plans.setdefault(process.key, []).append(plan)
    if problems:
        raise DeploymentError(problems)
    return plans


def as_plain_start_events(processes) -> None:
    """Stores a timer start event as a plain start: the schedule holds its timer, as a Camunda job
    declaration does. An instance the scheduler starts then goes straight on (SpiffWorkflow would
    compute the timer afresh: a duration or cycle from the creation, a cycle spawning a token per
    repetition inside one instance), and one started by hand runs at once, as in Camunda."""
    for process in processes:
        for spec in process.spec.task_specs.values():
            if isinstance(spec, StartEvent) and type(getattr(spec, "event_definition", None)) in KINDS:
                spec.event_definition = NoneEventDefinition()


def _plan(key: str, element_id: str, kind: str, text: str, now: datetime, zone: tzinfo) -> TimerStartPlan | None:
    if kind == "timeDate":
        moment = TimerEventDefinition.parse_time_or_duration(text)
        if not isinstance(moment, datetime):
            raise ValueError(f"'{text}' is not a date and time")
        return TimerStartPlan(key, element_id, kind, text, moment, 1, None)
    if kind == "timeDuration":
        return TimerStartPlan(key, element_id, kind, text, _after(now, text), 1, None)
    if looks_like_cron(text):
        first = next_cron_time(text, now, zone)
        return None if first is None else TimerStartPlan(key, element_id, kind, text, first, None, CRON_PERIOD)
    count, first, period = _cycle(text, now)
    if count == 0:
        return None
    return TimerStartPlan(key, element_id, kind, text, first, None if count < 0 else count, period)


def _cycle(text: str, now: datetime) -> tuple[int, datetime, str]:
    """(repetitions, -1 for endless; first fire time; period) of R[n]/[start/]period[/end]."""
    head, *parts = text.split("/")
    if not re.fullmatch(r"[Rr]\d*", head) or not 1 <= len(parts) <= 2:
        raise ValueError(f"'{text}' is not a repeating interval such as R3/PT10M")
    count = int(head[1:]) if head[1:] else -1
    periods = [part for part in parts if part[:1] in "Pp"]
    if len(periods) != 1:
        raise ValueError(f"'{text}' needs exactly one period")
    period = periods[0]
    _after(now, period)  # validates it
    if len(parts) == 1:
        return count, _after(now, period), period
    moment = TimerEventDefinition.get_datetime(parts[1] if parts[0] == period else parts[0])
    if parts[0] == period:  # R3/PT1H/end: the last repetition is at the end
        delta = TimerEventDefinition.get_timedelta_from_end(TimerEventDefinition.parse_iso_duration(period), moment)
        return count, moment - delta, period
    return count, moment, period


def _after(moment: datetime, period: str) -> datetime:
    parsed = TimerEventDefinition.parse_iso_duration(period)
    return moment + TimerEventDefinition.get_timedelta_from_start(parsed, moment)


def _line_of(content: bytes, element_id: str) -> int | None:
    found = re.search(rb'\bid="' + re.escape(element_id.encode()) + rb'"', content)
    return content.count(b"\n", 0, found.start()) + 1 if found else None


def replace_timer_starts(session, created_definitions, plans: dict[str, list[TimerStartPlan]]) -> None:
    """A new version of a key replaces the timer start schedule of the previous one (as Camunda)."""
    if not created_definitions:
        return
    session.flush()  # the definition rows the schedule refers to
    session.execute(delete(TimerStartSchedule).where(
        TimerStartSchedule.definition_key.in_([d.key for d in created_definitions])))
    session.add_all(TimerStartSchedule(
        definition_id=definition.id, definition_key=plan.definition_key, element_id=plan.element_id,
        kind=plan.kind, expression=plan.expression, next_fire_at=plan.next_fire_at,
        repetitions_left=plan.repetitions_left, period=plan.period,
    ) for definition in created_definitions for plan in plans.get(definition.key, ()))


# -- firing -----------------------------------------------------------------------------------

def earliest_timer_start(conn: Connection) -> datetime | None:
    return conn.scalar(select(func.min(SCHEDULE.c.next_fire_at)).where(_not_suspended()))


def _not_suspended():
    """A suspended definition's timer waits; once activated, a time missed meanwhile fires once."""
    return SCHEDULE.c.definition_id.not_in(select(DEFINITION.c.id).where(DEFINITION.c.suspended.is_(True)))


def fire_due_timer_starts(ctx, now: datetime, limit: int) -> int:
    """Starts one instance for each due timer start event; returns how many were started."""
    with ctx.db.connect() as conn:
        due = conn.execute(select(SCHEDULE.c.definition_id, SCHEDULE.c.element_id)
                           .where(SCHEDULE.c.next_fire_at <= now, _not_suspended())
                           .order_by(SCHEDULE.c.next_fire_at).limit(limit)).all()
    started = 0
    for definition_id, element_id in due:
        try:
            with ctx.db.begin() as conn:
                started += _fire(ctx, conn, definition_id, element_id, now)
        except (ConflictError, SuspendedEntityError):
            continue  # fired elsewhere, or suspended since it was read: it waits for activation
    return started


def _fire(ctx, conn: Connection, definition_id: str, element_id: str, now: datetime) -> int:
    row = conn.execute(select(SCHEDULE).where(SCHEDULE.c.definition_id == definition_id,
                                              SCHEDULE.c.element_id == element_id)).first()
    if row is None or row.next_fire_at > now:
        return 0
    # First the schedule, guarded by the due time read: of two schedulers (or a restart racing a
    # transaction that committed), only the one whose write lands starts the instance.
    same = (SCHEDULE.c.definition_id == definition_id, SCHEDULE.c.element_id == element_id,
            SCHEDULE.c.next_fire_at == row.next_fire_at)
    following = next_fire(row.next_fire_at, row.repetitions_left, row.period, now,
                          cron=row.expression, zone=ctx.config.timezone)
    if following is None:
        written = conn.execute(delete(SCHEDULE).where(*same))
    else:
        written = conn.execute(update(SCHEDULE).where(*same).values(
            next_fire_at=following[0], repetitions_left=following[1]))
    if written.rowcount != 1:
        return 0
    started = ctx.create_instance(conn, definition_id, row.definition_key, {}, None, None)
    fired = {"timer_start": element_id, "kind": row.kind, "timer": row.expression,
             "due": row.next_fire_at.isoformat()}
    # An event of its own, not an edit of the start event: the history is append-only.
    conn.execute(insert(HISTORY).values(time=ctx.now(), event_type="timer_start", definition_id=definition_id,
                                        instance_id=started.id, element_id=element_id,
                                        data_json=json.dumps(fired)))
    return 1


def next_fire(due: datetime, repetitions_left: int | None, period: str | None, now: datetime,
              cron: str | None = None, zone: tzinfo | None = None) -> tuple[datetime, int | None] | None:
    """(next fire time, repetitions left after it) once `due` fired at `now`; None when none is left.

    Repetitions missed while the service was stopped are spent: the next is the first after `now`.
    A cron cycle (period CRON_PERIOD) takes its next time from `cron` in `zone`.
    """
    if period is None:
        return None
    if period == CRON_PERIOD:
        following = next_cron_time(cron, max(due, now), zone)
        return None if following is None else (following, None)
    left = None if repetitions_left is None else repetitions_left - 1
    following = _after(due, period)
    while following <= now and left != 0:
        following = _after(following, period)
        left = None if left is None else left - 1
    return None if left == 0 else (following, left)
