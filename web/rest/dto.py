"""Camunda 7 REST JSON bodies built from the engine's rows.

Pure functions, one per Camunda DTO. Each returns every key the Camunda 7 REST reference
documents for the resource (up to 7.22) and every key the real Python clients index directly:
pycamunda's `load()` class methods and the `camunda` external-task client. A missing key there
is a KeyError in the client, so keys are never left out: what the engine does not know is null
(`suspended` is false, link lists are []).

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

import json
from datetime import datetime
from typing import Any, Iterable, Mapping

from web.rest.typed_values import format_datetime, to_typed, typed_value

__all__ = [
    "deployment_dto", "process_definition_dto", "decision_definition_dto", "process_instance_dto", "task_dto",
    "history_process_instance_dto", "history_task_dto", "history_activity_instance_dto",
    "history_activity_instances", "external_task_dto", "error_dto", "TASK_EVENT_TYPES",
]

# The history events that belong to one human task (others can carry its task_id: the engine
# stamps the id of the completed task on every event of the step that completion caused).
TASK_EVENT_TYPES = frozenset({"task_created", "claim", "unclaim", "assign", "complete", "task_cancelled"})
_ASSIGNMENT_EVENTS = frozenset({"claim", "unclaim", "assign"})


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


# ---------------------------------------------------------------------------------------------
# repository


def deployment_dto(d, base_url: str, deployed_processes: list | None = None,
                   deployed_decisions: list | None = None, resource_names: Mapping[str, str] | None = None) -> dict:
    """DeploymentDto (GET /deployment/{id}) and DeploymentWithDefinitionsDto (POST /deployment/create).

    `deployed_processes` / `deployed_decisions` hold definition rows, `(row, resource file name)`
    pairs, or already built dicts; `resource_names` (resource id -> file name) names the
    resources of bare rows. None or empty gives null, as Camunda returns for "none deployed".
    pycamunda's `DeploymentWithDefinitions.load` parses `deploymentTime` unconditionally.
    """
    return {
        "links": [_link(base_url, f"deployment/{d.id}")],
        "id": d.id,
        "name": _get(d, "name"),
        "source": _get(d, "source"),
        "deploymentTime": format_datetime(_get(d, "deployed_at")),
        "tenantId": _get(d, "tenant_id"),
        "deployedProcessDefinitions": _definitions(deployed_processes, process_definition_dto, resource_names),
        "deployedCaseDefinitions": None,
        "deployedDecisionDefinitions": _definitions(deployed_decisions, decision_definition_dto, resource_names),
        "deployedDecisionRequirementsDefinitions": None,
    }


def _definitions(items: list | None, build, resource_names: Mapping[str, str] | None) -> dict | None:
    if not items:
        return None
    built = {}
    for item in items:
        if isinstance(item, Mapping):
            dto = dict(item)
        elif isinstance(item, tuple):
            dto = build(item[0], item[1] if len(item) > 1 else None)
        else:
            dto = build(item, (resource_names or {}).get(_get(item, "resource_id")))
        built[dto["id"]] = dto
    return built


def process_definition_dto(p, resource_name: str | None = None) -> dict:
    """ProcessDefinitionDto. `resource_name` is the deployed file name (the Resource row's name)."""
    return {
        "id": p.id,
        "key": p.key,
        # Camunda puts the BPMN targetNamespace here; the engine does not keep it.
        "category": None,
        "description": None,
        "name": _get(p, "name"),
        "version": p.version,
        "resource": resource_name,
        "deploymentId": _get(p, "deployment_id"),
        "diagram": None,
        "suspended": False,
        "tenantId": _get(p, "tenant_id"),
        "versionTag": _get(p, "version_tag"),
        "historyTimeToLive": None,
        "startableInTasklist": True,
    }


def decision_definition_dto(dd, resource_name: str | None = None) -> dict:
    """DecisionDefinitionDto."""
    return {
        "id": dd.id,
        "key": dd.key,
        "category": None,
        "name": _get(dd, "name"),
        "version": dd.version,
        "resource": resource_name,
        "deploymentId": _get(dd, "deployment_id"),
        "decisionRequirementsDefinitionId": None,
        "decisionRequirementsDefinitionKey": None,
        "tenantId": _get(dd, "tenant_id"),
        "versionTag": _get(dd, "version_tag"),
        "historyTimeToLive": None,
    }


# ---------------------------------------------------------------------------------------------
# runtime


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
        "suspended": False,
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
        "suspended": False,
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
        "suspended": False,
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


# ---------------------------------------------------------------------------------------------
# history

_HISTORIC_STATES = {
    "active": "ACTIVE",
    "incident": "ACTIVE",  # an incident stops a step, not the instance: Camunda shows it ACTIVE
    "completed": "COMPLETED",
    "suspended": "SUSPENDED",
    "deleted": "EXTERNALLY_TERMINATED",
    "terminated": "INTERNALLY_TERMINATED",
}


def history_process_instance_dto(i, definition=None, *, start_activity_id: str | None = None,
                                 delete_reason: str | None = None) -> dict:
    """HistoricProcessInstanceDto. `definition` (the ProcessDefinition row) supplies name and
    version; `start_activity_id` is the start event's id when the caller knows it. A row with
    status "deleted" (a stand-in for an instance deleted through the API) is EXTERNALLY_TERMINATED."""
    started, ended = _get(i, "started_at"), _get(i, "ended_at")
    status = _get(i, "status")
    return {
        "id": i.id,
        "businessKey": _get(i, "business_key"),
        "processDefinitionId": i.definition_id,
        "processDefinitionKey": _get(i, "definition_key") or _key_of(i.definition_id),
        "processDefinitionName": _get(definition, "name"),
        "processDefinitionVersion": _get(definition, "version"),
        "startTime": format_datetime(started),
        "endTime": format_datetime(ended),
        "removalTime": None,
        "durationInMillis": _millis(started, ended),
        "startUserId": _get(i, "started_by"),
        "startActivityId": start_activity_id,
        "deleteReason": delete_reason,
        "rootProcessInstanceId": i.id,  # top-level instances are their own root in Camunda
        "superProcessInstanceId": None,
        "superCaseInstanceId": None,
        "caseInstanceId": None,
        "tenantId": _get(i, "tenant_id"),
        "state": _HISTORIC_STATES.get(status, "ACTIVE"),
        "restartedProcessInstanceId": None,  # Camunda 7.22+
    }


def history_task_dto(events_for_task: list, instance=None, *, task=None,
                     deleted_at: datetime | None = None) -> dict:
    """HistoricTaskInstanceDto folded from one task's history events.

    `events_for_task` are the HistoryEvent rows with this task_id; only task events count
    (task_created, claim, unclaim, assign, complete, task_cancelled). `instance` is the
    ProcessInstance row, or None when it has been deleted (ids then come from the events).
    `task` is the open task row or TaskView, when there still is one: it is the current truth
    for assignee, due, follow-up and priority, which history events do not all record.
    `deleted_at`: when the instance was deleted with the task still open (no task event says so).
    """
    events = _ordered(e for e in events_for_task if _get(e, "event_type") in TASK_EVENT_TYPES)
    if not events and task is None:
        raise ValueError("a historic task needs at least one of its history events")
    task_id = _get(task, "id") or _get(events[0], "task_id")
    name = key = assignee = due = None
    start = end = delete_reason = None
    updated = False
    for event in events:
        kind, data = event.event_type, _event_data(event)
        name = _get(event, "element_name") or name
        key = _get(event, "element_id") or key
        if kind == "task_created":
            start = event.time
            assignee = data.get("assignee")
            due = _iso(data.get("due"))
        elif kind in _ASSIGNMENT_EVENTS:
            assignee = data.get("assignee")
            updated = True
        elif kind == "complete":
            end, delete_reason = event.time, "completed"
        elif kind == "task_cancelled":
            end, delete_reason = event.time, "deleted"
    if task is not None:
        name = _get(task, "name") or name
        key = _get(task, "element_id") or key
        assignee = _get(task, "assignee")
        due = _get(task, "due_at")
        start = start or _get(task, "created_at")
    if end is None and deleted_at is not None:
        end, delete_reason = deleted_at, "deleted"
    first = events[0] if events else None
    instance_id = _get(instance, "id") or _get(task, "instance_id") or _get(first, "instance_id")
    definition_id = (_get(instance, "definition_id") or _get(task, "definition_id")
                     or _get(first, "definition_id"))
    priority = _get(task, "priority")
    return {
        "id": task_id,
        "processDefinitionKey": (_get(instance, "definition_key") or _get(task, "definition_key")
                                 or _key_of(definition_id)),
        "processDefinitionId": definition_id,
        "processInstanceId": instance_id,
        "executionId": instance_id,  # one execution per instance
        "caseDefinitionKey": None,
        "caseDefinitionId": None,
        "caseInstanceId": None,
        "caseExecutionId": None,
        "activityInstanceId": f"{key}:{task_id}" if key else None,
        "name": name,
        "description": None,
        "deleteReason": delete_reason,
        "owner": None,
        "assignee": assignee,
        "startTime": format_datetime(start),
        "endTime": format_datetime(end),
        "duration": _millis(start, end),
        "taskDefinitionKey": key,
        "priority": priority if priority is not None else 50,  # Camunda's default priority
        "due": format_datetime(due),
        "parentTaskId": None,
        "followUp": format_datetime(_get(task, "follow_up_at")),
        "tenantId": _get(instance, "tenant_id"),
        "removalTime": None,
        "rootProcessInstanceId": instance_id,
        # Camunda 7.21+
        "taskState": {"completed": "Completed", "deleted": "Deleted"}.get(delete_reason,
                                                                          "Updated" if updated else "Created"),
    }


def history_activity_instance_dto(instance, *, activity_id: str, activity_type: str,
                                  start_time: datetime | None, end_time: datetime | None = None,
                                  activity_name: str | None = None, activity_instance_id: str | None = None,
                                  task_id: str | None = None, assignee: str | None = None,
                                  canceled: bool = False, complete_scope: bool = False) -> dict:
    """HistoricActivityInstanceDto for one activity of `instance` (a ProcessInstance row).

    `activity_type` is Camunda's name: startEvent, noneEndEvent, userTask, serviceTask,
    scriptTask, intermediateTimer, exclusiveGateway, ... `activity_instance_id` defaults to
    `<activity_id>:<task_id>` (or `<activity_id>:<instance id>` without a task).
    Use `history_activity_instances` to derive the list from an instance's history events.
    """
    definition_id = _get(instance, "definition_id")
    return {
        "id": activity_instance_id or f"{activity_id}:{task_id or instance.id}",
        "parentActivityInstanceId": instance.id,  # the process instance is the root activity instance
        "activityId": activity_id,
        "activityName": activity_name,
        "activityType": activity_type,
        "processDefinitionKey": _get(instance, "definition_key") or _key_of(definition_id),
        "processDefinitionId": definition_id,
        "processInstanceId": instance.id,
        "executionId": instance.id,
        "taskId": task_id,
        "calledProcessInstanceId": None,
        "calledCaseInstanceId": None,
        "assignee": assignee,
        "startTime": format_datetime(start_time),
        "endTime": format_datetime(end_time),
        "durationInMillis": _millis(start_time, end_time),
        "canceled": canceled,
        "completeScope": complete_scope,
        "tenantId": _get(instance, "tenant_id"),
        "removalTime": None,
        "rootProcessInstanceId": instance.id,
    }


def history_activity_instances(events: list, instance, *, start_activity: tuple[str, str | None] | None = None,
                               end_activity: tuple[str, str | None] | None = None,
                               activity_types: Mapping[str, str] | None = None,
                               external_tasks: Iterable = ()) -> list[dict]:
    """The HistoricActivityInstanceDtos of one instance, derived from its history events.

    What the events say:
      - start / end: the instance started / ended; they carry no element id, so a start or end
        event activity is listed only when `start_activity` / `end_activity` = (id, name) is given.
      - task_created .. complete / task_cancelled: a userTask (canceled when cancelled);
        claim / assign / unclaim change its assignee.
      - service_task: a serviceTask that ran (in-process handler or external worker); the engine
        records no separate start, so start = end = the event's time.
      - delete: the instance was deleted; whatever is still open ends canceled.
      - the instance's current incident (`instance.status == "incident"`) is an open activity
        at `incident_element_id`.
    Timers and incidents of the past carry no activity to list. `external_tasks` (ExternalTask
    rows still open) add open serviceTasks. `activity_types` (element id -> Camunda activity
    type, from the spec) overrides the guessed types. Ordered by start time.
    """
    types = dict(activity_types or {})
    records: list[dict] = []
    open_tasks: dict[str, dict] = {}
    deleted = False

    def add(activity_id, default_type, start, end=None, **extra) -> dict:
        record = {"activity_id": activity_id, "activity_type": types.get(activity_id, default_type),
                  "start_time": start, "end_time": end, **extra}
        records.append(record)
        return record

    for event in _ordered(events):
        kind, data = _get(event, "event_type"), _event_data(event)
        element, task_id = _get(event, "element_id"), _get(event, "task_id")
        if kind == "start" and start_activity:
            add(start_activity[0], "startEvent", event.time, event.time, activity_name=start_activity[1],
                activity_instance_id=f"{start_activity[0]}:{instance.id}")
        elif kind == "task_created" and task_id:
            open_tasks[task_id] = add(element, "userTask", event.time, activity_name=_get(event, "element_name"),
                                      task_id=task_id, assignee=data.get("assignee"))
        elif kind in _ASSIGNMENT_EVENTS and task_id in open_tasks:
            open_tasks[task_id]["assignee"] = data.get("assignee")
        elif kind in ("complete", "task_cancelled") and task_id in open_tasks:
            record = open_tasks.pop(task_id)
            record["end_time"] = event.time
            record["canceled"] = kind == "task_cancelled"
        elif kind == "service_task" and element:
            # An external worker's completion names its external task; an in-process handler's
            # event may carry the id of the user task whose completion ran it, so it is not used.
            suffix = task_id if "worker" in data and task_id else f"h{_get(event, 'id', '')}"
            add(element, "serviceTask", event.time, event.time, activity_name=_get(event, "element_name"),
                activity_instance_id=f"{element}:{suffix}")
        elif kind == "end" and end_activity:
            add(end_activity[0], "noneEndEvent", event.time, event.time, activity_name=end_activity[1],
                activity_instance_id=f"{end_activity[0]}:{instance.id}", complete_scope=True)
        elif kind == "delete":
            deleted = True
            for record in records:
                if record["end_time"] is None:
                    record["end_time"], record["canceled"] = event.time, True
            open_tasks.clear()

    for external in external_tasks:
        add(external.element_id, "serviceTask", _get(external, "created_at"),
            activity_instance_id=f"{external.element_id}:{external.id}")
    incident_element = _get(instance, "incident_element_id")
    if not deleted and _get(instance, "status") == "incident" and incident_element and not any(
            r["activity_id"] == incident_element and r["end_time"] is None for r in records):
        incident_times = [e.time for e in events
                          if _get(e, "event_type") == "incident" and _get(e, "element_id") == incident_element]
        add(incident_element, "serviceTask", max(incident_times) if incident_times else None,
            activity_instance_id=f"{incident_element}:incident")

    records.sort(key=lambda r: (r["start_time"] is None, r["start_time"] or datetime.min))
    return [history_activity_instance_dto(instance, **record) for record in records]


# ---------------------------------------------------------------------------------------------
# errors


def error_dto(type_: str, message: str, code: int | None = None) -> dict:
    """Camunda's ExceptionDto: `{"type": "InvalidRequestException", "message": ..., "code": ...}`
    (`code` is Camunda 7.20's error code; null when there is none)."""
    return {"type": type_, "message": message, "code": code}
