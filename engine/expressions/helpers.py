"""Run-time helpers: the only functions generated code may call."""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sized
from datetime import date, datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.expressions.source import _is_private
from engine.expressions.timers import (
    _TIMER_EXPECTATIONS,
    _BadValue,
    _check_timer_kind,
    _check_timer_text,
    _parse_date,
    _parse_feel_datetime,
)

def _service_zone() -> ZoneInfo:
    # Read on every call, not at import, so the zone follows the environment of the
    # process that evaluates the expression.
    name = os.environ.get("THIDUA_TIMEZONE", "Asia/Ho_Chi_Minh")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"THIDUA_TIMEZONE={name!r} is not a known time zone") from exc


def _juel_prop(obj: Any, key: Any) -> Any:
    """JUEL's ``obj.key`` / ``obj[key]``: a dict key, a list index or a public attribute."""
    if isinstance(key, str) and _is_private(key):
        raise ValueError(f"property names starting with '_' are not allowed: {key!r}")
    if obj is None:
        # As in JUEL, a property of null is null, so a.b.c tolerates missing data.
        return None
    if isinstance(obj, Mapping):
        return obj.get(key)
    if isinstance(obj, (list, tuple)):
        index = _list_index(key)
        # JUEL yields null for an index out of range; Python's negative indexing is not JUEL.
        return obj[index] if 0 <= index < len(obj) else None
    if not isinstance(key, str):
        raise ValueError(f"cannot read property {key!r} of a {type(obj).__name__}")
    value = getattr(obj, key, None)
    if callable(value):
        raise ValueError(f"'{key}' is a method of {type(obj).__name__}; method calls are not supported")
    return value


def _list_index(key: Any) -> int:
    if isinstance(key, bool):
        raise ValueError(f"a list index must be a whole number, not {key!r}")
    if isinstance(key, int):
        return key
    if isinstance(key, float) and key.is_integer():
        return int(key)
    if isinstance(key, str) and key.strip().isascii() and key.strip().isdigit():
        return int(key)
    raise ValueError(f"a list index must be a whole number, not {key!r}")


def _juel_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, Sized):
        return len(value) == 0
    return False


def _make_juel_now(now: Callable[[], datetime] | None) -> Callable[[], datetime]:
    def juel_now() -> datetime:
        current = now() if now is not None else datetime.now(timezone.utc)
        if not isinstance(current, datetime):
            raise ValueError(f"the clock returned {type(current).__name__}, not a datetime")
        if current.tzinfo is None:
            current = current.replace(tzinfo=_service_zone())
        return current
    return juel_now


def _timer_iso(value: Any, kind: str) -> str:
    """The ISO-8601 text SpiffWorkflow expects for a timer, from a date, datetime or str."""
    _check_timer_kind(kind)
    # datetime before date: a datetime is also a date.
    if isinstance(value, datetime):
        if kind != "timeDate":
            raise ValueError(f"a {kind} timer needs {_TIMER_EXPECTATIONS[kind]}, not a datetime")
        if value.tzinfo is None:
            value = value.replace(tzinfo=_service_zone())
        return value.isoformat()
    if isinstance(value, date):
        if kind != "timeDate":
            raise ValueError(f"a {kind} timer needs {_TIMER_EXPECTATIONS[kind]}, not a date")
        return datetime.combine(value, time(), _service_zone()).isoformat()
    if isinstance(value, str):
        try:
            return _check_timer_text(value.strip(), kind, _service_zone())[0]
        except _BadValue as exc:
            raise ValueError(f"Invalid {kind} value {value!r}: {exc}") from None
    raise ValueError(f"a {kind} timer needs {_TIMER_EXPECTATIONS[kind]}, "
                     f"not {type(value).__name__} {value!r}")


def _feel_date(value: Any) -> date:
    if isinstance(value, datetime):
        return (value.astimezone(_service_zone()) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return _parse_date(value.strip())
        except _BadValue as exc:
            raise ValueError(f"date({value!r}): {exc}") from None
    raise ValueError(f"date() needs text such as \"2025-06-30\", not {type(value).__name__}")


def _feel_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=_service_zone())
    if isinstance(value, date):
        return datetime.combine(value, time(), _service_zone())
    if isinstance(value, str):
        try:
            return _parse_feel_datetime(value.strip(), _service_zone())
        except _BadValue as exc:
            raise ValueError(f"date and time({value!r}): {exc}") from None
    raise ValueError(f"date and time() needs text such as \"2025-06-30T17:00:00\", "
                     f"not {type(value).__name__}")


def expression_helpers(now: Callable[[], datetime] | None = None) -> dict[str, Callable[..., Any]]:
    """The helper functions to put into the evaluation globals, keyed by HELPER_NAMES."""
    return {
        "juel_prop": _juel_prop,
        "juel_empty": _juel_empty,
        "juel_now": _make_juel_now(now),
        "timer_iso": _timer_iso,
        "feel_date": _feel_date,
        "feel_datetime": _feel_datetime,
    }
