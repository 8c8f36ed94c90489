"""History: finished and running instances, tasks and activities, as Camunda's history API shows them."""
from __future__ import annotations

from flask import jsonify, request

from engine.runtime import InstanceQuery
from web.rest.blueprint import bool_arg, engine, paging, rest
from web.rest.dto import (
    TASK_EVENT_TYPES,
    history_activity_instances,
    history_process_instance_dto,
    history_task_dto,
)
from web.rest.runtime_routes import involvement

# Without a filter the history covers at most this many instances per request.
MAX_INSTANCES = 500


def _instances(first: int = 0, limit: int | None = None):
    finished, unfinished = bool_arg("finished"), bool_arg("unfinished")
    instance_id = request.args.get("processInstanceId")
    return engine().runtime.list_instances(InstanceQuery(
        instance_ids=[instance_id] if instance_id else None,
        definition_key=request.args.get("processDefinitionKey"),
        definition_id=request.args.get("processDefinitionId"),
        business_key=request.args.get("processInstanceBusinessKey") or request.args.get("businessKey"),
        status="completed" if finished and not unfinished else None,
        running=unfinished and not finished,
        involving=involvement(), first=first, limit=MAX_INSTANCES if limit is None else limit))


def _definitions(instances) -> dict:
    repository = engine().repository
    return {d_id: repository.get_definition(d_id) for d_id in {i.definition_id for i in instances}}


@rest.get("/history/process-instance")
def history_process_instances():
    first, limit = paging()
    instances = _instances(first, limit)
    started_by = request.args.get("startedBy")
    if started_by:
        instances = [i for i in instances if i.started_by == started_by]
    definitions = _definitions(instances)
    return jsonify([history_process_instance_dto(i, definitions[i.definition_id]) for i in instances])


@rest.get("/history/process-instance/count")
def count_history_process_instances():
    return jsonify(count=len(_instances()))


@rest.get("/history/task")
def history_tasks():
    first, limit = paging()
    assignee = request.args.get("taskAssignee")
    finished, unfinished = bool_arg("finished"), bool_arg("unfinished")
    bodies = []
    for instance in _instances():
        events = engine().history.events(instance_id=instance.id, event_types=sorted(TASK_EVENT_TYPES), limit=None)
        by_task: dict[str, list] = {}
        for event in events:
            by_task.setdefault(event.task_id, []).append(event)
        for task_events in by_task.values():
            body = history_task_dto(task_events, instance)
            if assignee and body["assignee"] != assignee:
                continue
            if (finished and body["endTime"] is None) or (unfinished and body["endTime"] is not None):
                continue
            bodies.append(body)
    bodies.sort(key=lambda b: b["startTime"] or "")
    return jsonify(bodies[first:None if limit is None else first + limit])


@rest.get("/history/activity-instance")
def history_activity_instances_route():
    first, limit = paging()
    activity_id = request.args.get("activityId")
    bodies = []
    for instance in _instances():
        events = engine().history.events(instance_id=instance.id, limit=None)
        external = engine().external_tasks.list(instance_id=instance.id)
        bodies += history_activity_instances(events, instance, external_tasks=external)
    if activity_id:
        bodies = [b for b in bodies if b["activityId"] == activity_id]
    return jsonify(bodies[first:None if limit is None else first + limit])
