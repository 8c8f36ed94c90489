"""Message correlation, as Camunda 7's POST /message: a message reaches the one element waiting for it
(an intermediate catch event, a receive task, a boundary event, an event-based gateway's event) in
the instances that match the business key, the process instance id and the correlation keys
(process variables that must equal), or else starts the latest version of the process whose
message start event has its name. `all` delivers it to every match.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from engine.errors import EngineError, InvalidArgumentError
from engine.persistence import InstanceRecord
from engine.runtime.context import EngineContext, require_active
from engine.runtime.event_delivery import Waiting, deliver, start_by_event, start_events, waiting_executions
from engine.runtime.execution import process_variables
from engine.runtime.involvement import Involvement
from engine.runtime.variables import check_business_key, check_variables


class MessageCorrelationError(EngineError):
    """No match, or more than one without `all` (Camunda answers 400 with this message)."""


@dataclass(frozen=True)
class CorrelationResult:
    """Camunda's MessageCorrelationResult: an execution that caught the message, or a started instance."""

    result_type: str  # "Execution" or "ProcessDefinition"
    instance: InstanceRecord
    execution_id: str | None = None
    activity_id: str | None = None


def correlate_message(ctx: EngineContext, name: str, *, business_key: str | None = None,
                      correlation_keys: Mapping[str, Any] | None = None,
                      process_variables_: Mapping[str, Any] | None = None, all_: bool = False,
                      instance_id: str | None = None, actor: str | None = None,
                      involving: Involvement | None = None) -> list[CorrelationResult]:
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgumentError("No message name supplied")
    keys, variables = check_variables(correlation_keys), check_variables(process_variables_)
    business_key = check_business_key(business_key)
    with ctx.db.begin() as conn:
        loaded: dict = {}
        executions = [e for e in waiting_executions(conn, "message", name, business_key=business_key,
                                                    instance_id=instance_id, involving=involving)
                      if _matches(ctx, conn, loaded, e, keys)]
        starts = start_events(conn, "message", name) if instance_id is None and (all_ or not executions) else []
        matches = executions + starts
        if not matches:
            raise MessageCorrelationError(
                f"Cannot correlate message '{name}': No process definition or execution matches the parameters")
        if not all_ and len(matches) > 1:
            raise MessageCorrelationError(
                f"Cannot correlate a message with name '{name}' to a single execution. {len(matches)} executions "
                f"match the correlation keys: {_correlation_set(business_key, instance_id, keys)}")
        results = []
        for instance in dict.fromkeys(e.instance_id for e in executions):
            mine = [e for e in executions if e.instance_id == instance]
            row = deliver(ctx, conn, loaded[instance], mine, variables, kind="message", name=name, actor=actor)
            results += [CorrelationResult("Execution", row, e.execution_id, e.activity_id) for e in mine]
        for start in starts:
            row = start_by_event(ctx, conn, start, variables, business_key, kind="message", name=name, actor=actor)
            results.append(CorrelationResult("ProcessDefinition", row, None, start.activity_id))
        return results


def _matches(ctx: EngineContext, conn, loaded: dict, execution: Waiting, keys: dict) -> bool:
    """Whether the instance's variables equal the correlation keys (each instance loaded once)."""
    if execution.instance_id not in loaded:
        instance = ctx.load(conn, execution.instance_id)
        require_active(instance.row)
        loaded[execution.instance_id] = instance
    if not keys:
        return True
    variables = process_variables(loaded[execution.instance_id].workflow)
    return all(name in variables and variables[name] == value for name, value in keys.items())


def _correlation_set(business_key, instance_id, keys) -> str:
    return (f"CorrelationSet [businessKey={business_key}, processInstanceId={instance_id}, "
            f"correlationKeys={keys or None}, localCorrelationKeys=null, tenantId=null, isTenantIdSet=false]")
