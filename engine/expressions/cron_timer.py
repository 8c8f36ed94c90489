"""The timeCycle event definition the engine parses instead of SpiffWorkflow's: it also runs Quartz
cron expressions (engine/expressions/cron.py), as Camunda 7 does."""
from __future__ import annotations

from datetime import timezone
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions.timer import CycleTimerEventDefinition

from engine.clock import EngineDateTime, engine_zone
from engine.expressions.cron import looks_like_cron, next_cron_time


class CronCycleTimerEventDefinition(CycleTimerEventDefinition):
    """A timeCycle that may also be a Quartz cron expression.

    SpiffWorkflow knows only ISO-8601 cycles, with a fixed period. A cron cycle keeps
    SpiffWorkflow's event value (`cycles`, `next`) so the engine's timer scheduling reads it as
    any cycle, adds the expression and the engine's zone it counts in, and takes each next time
    from the cron: endless, or until the years the expression names are past. Repetitions
    missed while the service was stopped fire once, then the next is the first still ahead.
    """

    def cycle_complete(self, my_task):
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            if not (isinstance(expression, str) and looks_like_cron(expression)):
                return super().cycle_complete(my_task)
            zone = engine_zone()
            event_value = {"cron": expression.strip(), "zone": getattr(zone, "key", "UTC"), "cycles": -1,
                           "next": None}
            event_value = _advanced(event_value, EngineDateTime.now(timezone.utc))
        elif "cron" not in event_value:
            return super().cycle_complete(my_task)
        if event_value["cycles"] == 0:
            # As SpiffWorkflow's cycles: no time left, so the event is done and its task completes.
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
            return False
        now = EngineDateTime.now(timezone.utc)
        ready = EngineDateTime.fromisoformat(event_value["next"]) < now
        if ready:
            event_value = _advanced(event_value, now)
        my_task._set_internal_data(event_value=event_value)
        return ready


def _advanced(event_value: dict, now) -> dict:
    following = next_cron_time(event_value["cron"], now, ZoneInfo(event_value["zone"]))
    if following is None:
        return {**event_value, "cycles": 0, "next": None}
    return {**event_value, "next": following.astimezone(timezone.utc).isoformat()}
