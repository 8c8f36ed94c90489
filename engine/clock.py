"""Lets SpiffWorkflow's timers read the engine's clock instead of the wall clock.

SpiffWorkflow calls `datetime.now()` inside its timer module, so a process cannot be moved
through months in a test, and a scheduler cannot decide "what was due at 08:00". The
timer module's `datetime` is replaced by a subclass whose now() asks the clock of the engine
that is stepping the workflow (a context variable, so threads and engines do not mix).
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Callable, Iterator

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

_current: ContextVar[Callable[[], datetime] | None] = ContextVar("thidua_engine_clock", default=None)


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
def engine_clock(clock: Callable[[], datetime]) -> Iterator[None]:
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)
