"""The campaign page's dashboard: the units counted by their current step, the deadlines on a line
with today marked, and the units table's order (the reader's own unit, then the overdue ones).

Drawn by the template as inline SVG: the Content-Security-Policy allows no inline script.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Sequence

DONE = "campaign.phase.done"  # a finished unit instance has no current step: counted as this
AXIS_LEFT, AXIS_WIDTH = 40, 920  # the timeline's line, in its viewBox of 1000 wide


@dataclass(frozen=True)
class Phase:
    label: str
    count: int
    done: bool = False


def phase_counts(instances, order: Sequence[str] = ()) -> list[Phase]:
    """How many unit instances are at each current step (by the step's name, once per instance),
    in the order of the process's flow (`order`, element ids: RepositoryService.flow_order), the
    steps it does not know in the order first met; the finished ones last, as one bar."""
    position = {element_id: index for index, element_id in enumerate(order)}
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    done = 0
    for instance in instances:
        if instance.status == "completed":
            done += 1
            continue
        for step, element_ids in _steps(instance).items():
            counts[step] = counts.get(step, 0) + 1
            here = min(position.get(e, len(position)) for e in element_ids)
            first[step] = min(first.get(step, here), here)
    ordered = sorted(counts, key=lambda step: first[step])  # stable: unknown steps keep their order
    return [Phase(label, counts[label]) for label in ordered] + ([Phase(DONE, done, done=True)] if done else [])


def _steps(instance) -> dict[str, list[str]]:
    """The instance's current steps by name, each with the elements under that name."""
    steps: dict[str, list[str]] = {}
    for active in instance.active:
        steps.setdefault(active.name or active.element_id, []).append(active.element_id)
    return steps


def parsed_day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def timeline_axis(items: list[dict], today: date) -> dict | None:
    """The deadlines placed on one line, x in the SVG's units, with today's mark. The line spans the
    first to the last deadline, stretched to today when today lies outside, so the mark is on it.
    None when no deadline is a date."""
    dated = [(item, day) for item in items if (day := parsed_day(item["date"])) is not None]
    if not dated:
        return None
    days = [day for _, day in dated]
    start, end = min(days + [today]), max(days + [today])
    span = (end - start).days or 1

    def x(day: date) -> float:
        return round(AXIS_LEFT + (day - start).days / span * AXIS_WIDTH, 1)

    points = [{"key": item["key"], "label": item["label"], "date": item["date"], "x": x(day),
               "past": day < today} for item, day in dated]
    return {"points": points, "today": x(today), "start": AXIS_LEFT, "end": AXIS_LEFT + AXIS_WIDTH}


def overdue_days(unit, now: datetime, tz) -> int | None:
    """Whole days the unit's open task is past its due date (at least 1 once past); None if not late."""
    if unit.status == "completed" or unit.due_at is None or unit.due_at >= now:
        return None
    return max(1, (now.astimezone(tz).date() - unit.due_at.astimezone(tz).date()).days)


def ordered_units(units: list, own_unit: str | None, overdue: dict[str, int | None]) -> list:
    """The reader's own unit first, then the overdue ones (longest late first), then the rest as given."""
    def key(pair):
        position, unit = pair
        late = overdue.get(unit.instance_id)
        return (unit.unit != own_unit or own_unit is None, late is None, -(late or 0), position)
    return [unit for _, unit in sorted(enumerate(units), key=key)]
