"""An instance's history as a timeline: who did what, when, at which step, with what they decided.

A completed task carries what was submitted (an appraisal's decisions and reasons, a meeting's
votes): shown labelled and formatted like the variables, filtered by the same reading rights.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from engine.history import event_data
from web.portal.i18n import has_text, translate
from web.portal.variable_view import Shown, is_technical, resolved, shown

SHOWN_EVENTS = ("start", "claim", "unclaim", "assign", "complete", "service_task", "timer", "call", "call_ended",
                "incident", "end", "delete", "task_cancelled", "migrate")
# Bootstrap colour of each kind of step's marker.
TONES = {"start": "primary", "complete": "success", "end": "success", "incident": "danger", "delete": "danger",
         "task_cancelled": "secondary", "timer": "info", "service_task": "secondary", "migrate": "warning"}


@dataclass
class Step:
    time: datetime
    what: str
    step: str
    actor: str
    tone: str
    detail: str = ""
    decisions: list[Shown] = field(default_factory=list)


def what_happened(event_type: str) -> str:
    key = f"instance.event.{event_type}"
    return translate(key) if has_text(key) else event_type


def timeline(events: list, names: dict[str, str], readable: Callable[[dict], dict], refs: dict,
             fields: dict) -> list[Step]:
    """The shown events, oldest first; `readable(data)` keeps what the viewer may read of a submission."""
    steps = []
    for event in events:
        if event.event_type not in SHOWN_EVENTS:
            continue
        data = event_data(event)
        submitted = readable(data) if event.event_type == "complete" else {}
        steps.append(Step(
            time=event.time, what=what_happened(event.event_type),
            step=event.element_name or "",
            actor=names.get(event.actor, event.actor) if event.actor else translate("instance.actor.system"),
            tone=TONES.get(event.event_type, "secondary"),
            detail=_detail(event.event_type, data),
            decisions=[shown(name, resolved({name: value}, refs)[name], fields) for name, value in submitted.items()
                       if not is_technical(name) and value not in (None, "", [], {})]))
    return steps


def _detail(event_type: str, data: dict) -> str:
    if event_type == "incident":
        return data.get("message", "")
    if event_type == "migrate":  # which model version the instance left and now follows
        return f"{data.get('from')} → {data.get('to')}"
    return ""
