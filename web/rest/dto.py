"""Camunda 7 REST JSON bodies built from the engine's rows.

Pure functions, one per Camunda DTO. Each returns every key the Camunda 7 REST reference
documents for the resource (up to 7.22) and every key the real Python clients index directly:
pycamunda's `load()` class methods and the `camunda` external-task client. A missing key there
is a KeyError in the client, so keys are never left out: what the engine does not know is null
(link lists are []).

Dates go through `format_datetime`: `yyyy-MM-dd'T'HH:mm:ss.SSSZ` in the service time zone,
e.g. `2025-08-08T23:59:59.000+0700`. pycamunda parses dates with
`strptime('%Y-%m-%dT%H:%M:%S.%f%z')`, so the fraction and the offset are both mandatory;
`datetime.isoformat()` drops the fraction when it is zero and would break it.

The engine runs one execution per process instance (SpiffWorkflow has no execution tree to
show), so wherever Camunda reports an execution id it is the process instance id, as Camunda
itself does for a process without concurrency; activity instance ids are
`<activityId>:<task id>` like Camunda's `<activityId>:<uuid>`; the root of the activity
instance tree is the process instance id.
"""
from __future__ import annotations

from web.rest.dto_history import (
    TASK_EVENT_TYPES,
    history_activity_instance_dto,
    history_activity_instances,
    history_process_instance_dto,
    history_task_dto,
)
from web.rest.dto_repository import decision_definition_dto, deployment_dto, process_definition_dto
from web.rest.dto_runtime import external_task_dto, process_instance_dto, task_dto

__all__ = [
    "deployment_dto", "process_definition_dto", "decision_definition_dto", "process_instance_dto", "task_dto",
    "history_process_instance_dto", "history_task_dto", "history_activity_instance_dto",
    "history_activity_instances", "external_task_dto", "error_dto", "TASK_EVENT_TYPES",
]


def error_dto(type_: str, message: str, code: int | None = None) -> dict:
    """Camunda's ExceptionDto: `{"type": "InvalidRequestException", "message": ..., "code": ...}`
    (`code` is Camunda 7.20's error code; null when there is none)."""
    return {"type": type_, "message": message, "code": code}
