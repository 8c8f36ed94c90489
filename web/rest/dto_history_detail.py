"""Camunda's HistoricVariableUpdateDto (GET /history/detail) built from the history events that
set or removed variables: a start's variables, a completed task's values, an operator's change
or deletion. One event gives one detail per variable it names."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from web.rest.dto_common import _event_data, _key_of
from web.rest.typed_values import format_datetime, typed_value


def _changes(event) -> list[tuple[str, object]]:
    """(variable name, new value) of each variable the event set or removed (None: removed)."""
    data = _event_data(event)
    if event.event_type == "variable_update":
        return [(data["name"], data.get("new"))] if "name" in data else []
    if event.event_type == "variable_delete":
        return [(data["name"], None)] if "name" in data else []
    return list(data.items())  # start, complete: the variables themselves


def variable_update_dtos(events: Iterable, after: datetime | None = None,
                         before: datetime | None = None) -> list[dict]:
    """The details of `events` (oldest first, whole instances' histories), each with its variable's
    revision: 0 when the variable was first set in its instance, one more with each later change.
    Only those that occurred between `after` and `before` (inclusive) are returned."""
    revisions: dict[tuple[str, str], int] = {}
    details = []
    for event in events:
        for name, value in _changes(event):
            key = (event.instance_id, name)
            revisions[key] = revisions.get(key, -1) + 1
            if (after is not None and event.time < after) or (before is not None and event.time > before):
                continue
            in_task = event.event_type == "complete" and event.task_id and event.element_id
            details.append({
                "id": f"{event.id}:{name}",
                "type": "variableUpdate",
                "processDefinitionKey": _key_of(event.definition_id),
                "processDefinitionId": event.definition_id,
                "processInstanceId": event.instance_id,
                # A task's values belong to its activity instance; others to the instance itself.
                "activityInstanceId": f"{event.element_id}:{event.task_id}" if in_task else event.instance_id,
                "executionId": event.instance_id,
                "caseDefinitionKey": None, "caseDefinitionId": None, "caseInstanceId": None,
                "caseExecutionId": None,
                "taskId": event.task_id if event.event_type != "start" else None,
                "tenantId": None,
                "userOperationId": None,
                "time": format_datetime(event.time),
                "removalTime": None,
                "rootProcessInstanceId": event.instance_id,
                "variableName": name,
                "variableInstanceId": f"{event.instance_id}:{name}",
                "variableType": typed_value(value)["type"],
                "value": typed_value(value)["value"],
                "valueInfo": {},
                "initial": revisions[key] == 0,
                "revision": revisions[key],
                "errorMessage": None,
                "userId": event.actor,  # not in Camunda's body: who made the change
            })
    return details
