"""Signals, as Camunda 7's POST /signal and signal throw events: a signal reaches every element waiting
for it in every running instance (intermediate catch and boundary events) and starts the latest
version of each process with a signal start event of its name. Nobody waiting is no error.
"""
from __future__ import annotations

import threading
from typing import Any, Mapping

from sqlalchemy import Connection

from engine.errors import InvalidArgumentError, InvalidStateError
from engine.runtime.context import EngineContext
from engine.runtime.event_delivery import deliver, start_by_event, start_events, waiting_executions
from engine.runtime.involvement import Involvement
from engine.runtime.variables import check_variables

# A signal whose catchers throw it again would never end; deeper than this is a modelling error.
MAX_DEPTH = 16
_depth = threading.local()


def broadcast_signal(ctx: EngineContext, name: str, variables: Mapping[str, Any] | None = None, *,
                     actor: str | None = None, involving: Involvement | None = None) -> int:
    """Delivers the signal in one transaction; returns how many instances it reached or started."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgumentError("No signal name given")
    checked = check_variables(variables)
    with ctx.db.begin() as conn:
        return _broadcast(ctx, conn, name, checked, actor=actor, involving=involving)


def install_signal_broadcaster(ctx: EngineContext) -> None:
    """Signals thrown inside a process are broadcast to the others when the thrower's step is written."""
    def thrown(conn: Connection, name: str, thrower_id: str, actor: str | None) -> None:
        _broadcast(ctx, conn, name, {}, actor=actor, exclude=thrower_id)
    ctx.signal_broadcaster = thrown


def _broadcast(ctx: EngineContext, conn: Connection, name: str, variables: dict, *, actor: str | None,
               involving: Involvement | None = None, exclude: str | None = None) -> int:
    depth = getattr(_depth, "value", 0)
    if depth >= MAX_DEPTH:
        raise InvalidStateError(f"signal '{name}' keeps being thrown by the instances it reaches "
                                f"({MAX_DEPTH} levels deep); nothing was changed")
    _depth.value = depth + 1
    try:
        executions = [e for e in waiting_executions(conn, "signal", name, involving=involving)
                      if e.instance_id != exclude]
        reached = 0
        for instance in dict.fromkeys(e.instance_id for e in executions):
            loaded = ctx.load(conn, instance)
            deliver(ctx, conn, loaded, [e for e in executions if e.instance_id == instance], variables,
                    kind="signal", name=name, actor=actor)
            reached += 1
        for start in start_events(conn, "signal", name):
            start_by_event(ctx, conn, start, variables, None, kind="signal", name=name, actor=actor)
            reached += 1
        return reached
    finally:
        _depth.value = depth
