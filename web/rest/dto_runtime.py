"""Camunda DTOs of the runtime: process instances, tasks and external tasks."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from web.rest.dto_common import _get, _key_of, _link
from web.rest.typed_values import format_datetime, to_typed, typed_value


def process_instance_dto(i, base_url: str, variables: Mapping[str, Any] | None = None) -> dict:
    """ProcessInstanceDto; with `variables` (plain values) ProcessInstanceWithVariablesDto, as the
    start endpoints return when `withVariablesInReturn` is true."""
    dto = {
        "links": [_link(base_url, f"process-instance/{i.id}")],
        "id": i.id,
        "definitionId": i.definition_id,
        "definitionKey": _get(i, "definition_key") or _key_of(i.definition_id),  # Camunda 7.21+
        "businessKey": _get(i, "business_key"),
        "caseInstanceId": None,
        # Camunda sets it from isEnded(): true in a start response when the instance ran to its end.
        "ended": _get(i, "status") == "completed",
        "suspended": bool(_get(i, "suspended")),
        "tenantId": _get(i, "tenant_id"),
    }
    if variables is not None:
        dto["variables"] = to_typed(variables)
    return dto


def task_dto(t) -> dict:
    """TaskDto from a TaskView (or a task row)."""
    form_ref = _get(t, "form_ref")
    return {
        "id": t.id,
        "name": _get(t, "name"),
        "assignee": _get(t, "assignee"),
        "owner": None,
        "created": format_datetime(_get(t, "created_at")),
        # Camunda leaves it null until a task update event; the task row keeps no update time.
        "lastUpdated": format_datetime(_get(t, "updated_at")),
        "due": format_datetime(_get(t, "due_at")),
        "followUp": format_datetime(_get(t, "follow_up_at")),
        "delegationState": None,
        "description": None,
        "executionId": t.instance_id,  # one execution per instance: the instance's own
        "parentTaskId": None,
        "priority": 50 if _get(t, "priority") is None else t.priority,  # 50 is Camunda's default
        "processDefinitionId": _get(t, "definition_id"),
        "processInstanceId": t.instance_id,
        "taskDefinitionKey": _get(t, "element_id"),
        "caseExecutionId": None,
        "caseInstanceId": None,
        "caseDefinitionId": None,
        "suspended": bool(_get(t, "suspended")),
        "formKey": _get(t, "form_key"),
        # Camunda Forms reference (camunda:formRef); the task row keeps the key only, so the
        # binding is Camunda's default "latest" unless the row carries one.
        "camundaFormRef": {"key": form_ref, "binding": _get(t, "form_ref_binding") or "latest",
                           "version": _get(t, "form_ref_version")} if form_ref else None,
        "tenantId": _get(t, "tenant_id"),
        "taskState": "Created",  # Camunda 7.21+; open tasks only exist here
    }


def external_task_dto(e, instance, variables: Mapping[str, Any] | None = None, *,
                      definition=None, extension_properties: Mapping[str, str] | None = None,
                      priority: int = 0, worker_id: str | None = None,
                      lock_expiration_time: datetime | None = None, error_details: str | None = None) -> dict:
    """LockedExternalTaskDto (fetchAndLock), also a superset of ExternalTaskDto (GET /external-task).

    `variables` may be plain values or already typed entries (`{"value", "type", "valueInfo"}`):
    an entry that is a dict with exactly those keys (valueInfo optional) is passed through,
    anything else is typed with `typed_value`. Worker, lock expiry and error details come from
    the keyword arguments or, failing those, from the row's `worker_id`, `lock_expires_at` and
    `error_details` when it has them. The camunda client reads id, topicName, workerId,
    processInstanceId, activityId, variables[*].value, extensionProperties, tenantId,
    businessKey and retries; pycamunda's ExternalTask.load the rest.
    """
    definition_id = _get(instance, "definition_id")
    return {
        "activityId": e.element_id,
        "activityInstanceId": f"{e.element_id}:{e.id}",
        "errorMessage": _get(e, "error_message"),
        "errorDetails": error_details if error_details is not None else _get(e, "error_details"),
        "executionId": e.instance_id,
        "id": e.id,
        "lockExpirationTime": format_datetime(lock_expiration_time or _get(e, "lock_expires_at")),
        "createTime": format_datetime(_get(e, "created_at")),  # Camunda 7.21+
        "processDefinitionId": definition_id,
        "processDefinitionKey": _get(instance, "definition_key") or _key_of(definition_id),
        "processDefinitionVersionTag": _get(definition, "version_tag"),
        "processInstanceId": e.instance_id,
        "retries": _get(e, "retries"),
        "suspended": bool(_get(instance, "suspended")),
        "workerId": worker_id if worker_id is not None else _get(e, "worker_id"),
        "topicName": e.topic,
        "tenantId": _get(instance, "tenant_id"),
        "variables": _typed_variables(variables),
        "priority": priority,
        "businessKey": _get(instance, "business_key"),
        "extensionProperties": dict(extension_properties or {}),
    }


def _typed_variables(variables: Mapping[str, Any] | None) -> dict:
    typed = {}
    for name, value in (variables or {}).items():
        if (isinstance(value, Mapping) and "value" in value and isinstance(value.get("type"), str)
                and set(value) <= {"value", "type", "valueInfo"}):
            typed[name] = {"value": value["value"], "type": value["type"], "valueInfo": value.get("valueInfo") or {}}
        else:
            typed[name] = typed_value(value)
    return typed
