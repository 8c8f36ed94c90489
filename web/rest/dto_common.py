"""Helpers shared by the Camunda DTO builders: optional attributes, links, durations, history event data."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Iterable


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """An attribute that a row may or may not have (columns added later, stand-ins in tests)."""
    return getattr(obj, name, default) if obj is not None else default


def _link(base_url: str, path: str, rel: str = "self", method: str = "GET") -> dict:
    return {"method": method, "href": f"{base_url.rstrip('/')}/{path}", "rel": rel}


def _millis(start: datetime | None, end: datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return int(round((end - start).total_seconds() * 1000))


def _key_of(definition_id: str | None) -> str | None:
    # Definition ids are "<key>:<version>:<uuid>", as Camunda's; BPMN ids cannot contain ':'.
    return definition_id.split(":", 1)[0] if definition_id else None


def _event_data(event: Any) -> dict:
    raw = _get(event, "data_json")
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _iso(text: Any) -> datetime | None:
    """A datetime the engine wrote into history data with isoformat()."""
    if isinstance(text, datetime):
        return text
    if not isinstance(text, str) or not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _ordered(events: Iterable[Any]) -> list:
    return sorted(events, key=lambda e: (_get(e, "time") is None, _get(e, "time") or datetime.min,
                                         _get(e, "id") or 0))
