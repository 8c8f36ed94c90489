"""Lets SpiffWorkflow's timers read the engine's clock instead of the wall clock.

SpiffWorkflow calls `datetime.now()` inside its timer module, so a process cannot be moved
through months in a test, and a scheduler cannot decide "what was due at 08:00". The
timer module's `datetime` is replaced by a subclass whose now() asks the clock of the engine
that is stepping the workflow (a context variable, so threads and engines do not mix).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone, tzinfo
from typing import Callable, Iterator

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

_current: ContextVar[Callable[[], datetime] | None] = ContextVar("thidua_engine_clock", default=None)
# The engine's time zone, for what counts in local time inside SpiffWorkflow (a cron timeCycle).
_zone: ContextVar[tzinfo | None] = ContextVar("thidua_engine_zone", default=None)


class EngineDateTime(datetime):
    @classmethod
    def now(cls, tz=None):
        clock = _current.get()
        if clock is None:
            return super().now(tz)
        value = clock()
        return value.astimezone(tz) if tz is not None else value


spiff_timer.datetime = EngineDateTime


@contextmanager
def engine_clock(clock: Callable[[], datetime], zone: tzinfo | None = None) -> Iterator[None]:
    """Runs the block on `clock` and, when given, `zone` (else the zone set around it is kept)."""
    token = _current.set(clock)
    zone_token = _zone.set(zone) if zone is not None else None
    try:
        yield
    finally:
        _current.reset(token)
        if zone_token is not None:
            _zone.reset(zone_token)


def engine_zone() -> tzinfo:
    """The time zone of the engine stepping the workflow; UTC outside any engine."""
    return _zone.get() or timezone.utc
