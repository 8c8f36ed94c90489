"""Evaluates a user task's Camunda attributes (assignee, candidates, due and follow-up dates, priority)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


@dataclass(frozen=True)
class TaskAttributes:
    assignee: str | None
    candidate_users: tuple[str, ...]
    candidate_groups: tuple[str, ...]
    due_at: datetime | None
    follow_up_at: datetime | None
    priority: int


def evaluate_task_attributes(spiff_task, created_at: datetime, tz: ZoneInfo) -> TaskAttributes:
    expressions = (spiff_task.task_spec.extensions or {}).get("expressions", {})
    engine = spiff_task.workflow.script_engine

    def value(name: str):
        source = expressions.get(name)
        return None if source is None else engine.evaluate(spiff_task, source)

    priority = value("priority")
    return TaskAttributes(
        assignee=_text(value("assignee")),
        candidate_users=_names(value("candidateUsers")),
        candidate_groups=_names(value("candidateGroups")),
        due_at=to_deadline(value("dueDate"), created_at, tz),
        follow_up_at=to_deadline(value("followUpDate"), created_at, tz),
        priority=50 if priority in (None, "") else int(priority),
    )


def _text(value) -> str | None:
    return None if value in (None, "") else str(value)


def _names(value) -> tuple[str, ...]:
    if value in (None, ""):
        return ()
    items = value if isinstance(value, (list, tuple, set)) else str(value).split(",")
    return tuple(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))


def to_deadline(value, created_at: datetime, tz: ZoneInfo) -> datetime | None:
    """A due value as an aware datetime.

    A bare date means the end of that day in the office's time zone: "report by 08/8" means
    the whole of 8 August. An ISO duration counts from the task's creation.
    """
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(23, 59, 59), tz)
    text = str(value).strip()
    if text.upper().startswith("P"):
        return created_at + TimerEventDefinition.get_timedelta_from_start(
            TimerEventDefinition.parse_iso_duration(text), created_at)
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(23, 59, 59), tz)
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


