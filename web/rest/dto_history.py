"""Camunda DTOs of the history: historic process instances, tasks and activity instances."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable, Mapping

from web.rest.dto_common import _event_data, _get, _iso, _key_of, _millis, _ordered
from web.rest.typed_values import format_datetime

# The history events that belong to one human task (others can carry its task_id: the engine
# stamps the id of the completed task on every event of the step that completion caused).
TASK_EVENT_TYPES = frozenset({"task_created", "claim", "unclaim", "assign", "complete", "task_cancelled"})
_ASSIGNMENT_EVENTS = frozenset({"claim", "unclaim", "assign"})

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
        "state": "SUSPENDED" if _get(i, "suspended") and status != "completed"
                 else _HISTORIC_STATES.get(status, "ACTIVE"),
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
