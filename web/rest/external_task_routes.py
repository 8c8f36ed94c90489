"""External task workers: fetch and lock service tasks by topic, complete or report failure."""
from __future__ import annotations

from flask import Response, jsonify

from engine.errors import PermissionDeniedError
from engine.runtime import TopicRequest
from web.rest.auth import current_principal
from web.rest.blueprint import body_int, body_str, engine, json_body, rest
from web.rest.dto import external_task_dto
from web.rest.errors import bad_request
from web.rest.runtime_routes import typed_body_variables
from web.rest.typed_values import to_typed

WORKER_GROUPS = frozenset({"worker", "admin"})
MAX_TASKS = 1000


def require_worker() -> None:
    if not current_principal().groups & WORKER_GROUPS:
        raise PermissionDeniedError("only members of the 'worker' group run external tasks")


def _worker_id(body: dict) -> str:
    return body_str(body, "workerId")


@rest.post("/external-task/fetchAndLock")
def fetch_and_lock():
    require_worker()
    body = json_body()
    worker_id = _worker_id(body)
    max_tasks = body_int(body, "maxTasks", 1, high=MAX_TASKS)
    topics = body.get("topics") or []
    if not isinstance(topics, list):
        raise bad_request("topics must be a list")
    requests = []
    for topic in topics:
        if not isinstance(topic, dict):
            raise bad_request("each topic must be an object with topicName and lockDuration")
        names = topic.get("variables")
        if names is not None and not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
            raise bad_request("a topic's variables must be a list of variable names")
        requests.append(TopicRequest(body_str(topic, "topicName"), body_int(topic, "lockDuration", None, low=1, required=True),
                                     tuple(names) if names is not None else None,
                                     body_str(topic, "processDefinitionKey", required=False)))
    locked = engine().external_tasks.fetch_and_lock(worker_id, max_tasks, requests)
    runtime = engine().runtime
    return jsonify([external_task_dto(item.task, runtime.get_instance(item.task.instance_id),
                                      to_typed(item.variables)) for item in locked])


@rest.get("/external-task")
def list_external_tasks():
    require_worker()
    runtime = engine().runtime
    return jsonify([external_task_dto(task, runtime.get_instance(task.instance_id))
                    for task in engine().external_tasks.list()])


@rest.post("/external-task/<task_id>/complete")
def complete_external_task(task_id: str):
    require_worker()
    body = json_body()
    engine().external_tasks.complete(task_id, _worker_id(body), typed_body_variables(body))
    return Response(status=204)


@rest.post("/external-task/<task_id>/failure")
def fail_external_task(task_id: str):
    require_worker()
    body = json_body()
    details = body.get("errorDetails")
    if details is not None and not isinstance(details, str):
        raise bad_request("errorDetails must be a string")
    engine().external_tasks.handle_failure(
        task_id, _worker_id(body),
        body_str(body, "errorMessage", required=False, max_length=4000) or "external task failed",
        details=details, retries=body_int(body, "retries", None),
        retry_timeout_ms=body_int(body, "retryTimeout", 0))
    return Response(status=204)


@rest.post("/external-task/<task_id>/unlock")
def unlock_external_task(task_id: str):
    require_worker()
    engine().external_tasks.unlock(task_id)
    return Response(status=204)
