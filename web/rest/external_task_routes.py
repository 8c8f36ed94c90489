"""External task workers: fetch and lock service tasks by topic, complete or report failure."""
from __future__ import annotations

from flask import Response, jsonify

from engine.errors import PermissionDeniedError
from engine.external_tasks import TopicRequest
from web.rest.auth import current_principal
from web.rest.blueprint import engine, json_body, rest
from web.rest.dto import external_task_dto
from web.rest.errors import bad_request
from web.rest.runtime_routes import typed_body_variables
from web.rest.typed_values import to_typed

WORKER_GROUPS = frozenset({"worker", "admin"})


def require_worker() -> None:
    if not current_principal().groups & WORKER_GROUPS:
        raise PermissionDeniedError("only members of the 'worker' group run external tasks")


def _worker_id(body: dict) -> str:
    worker_id = body.get("workerId")
    if not isinstance(worker_id, str) or not worker_id:
        raise bad_request("workerId is required")
    return worker_id


@rest.post("/external-task/fetchAndLock")
def fetch_and_lock():
    require_worker()
    body = json_body()
    worker_id = _worker_id(body)
    max_tasks = body.get("maxTasks", 1)
    topics = body.get("topics") or []
    if not isinstance(max_tasks, int) or max_tasks < 0 or not isinstance(topics, list):
        raise bad_request("maxTasks must be a non-negative whole number and topics a list")
    requests = []
    for topic in topics:
        if not isinstance(topic, dict) or not topic.get("topicName") or not isinstance(topic.get("lockDuration"), int):
            raise bad_request("each topic needs topicName and a lockDuration in milliseconds")
        names = topic.get("variables")
        requests.append(TopicRequest(topic["topicName"], topic["lockDuration"],
                                     tuple(names) if isinstance(names, list) else None,
                                     topic.get("processDefinitionKey")))
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
    retries = body.get("retries")
    if retries is not None and not isinstance(retries, int):
        raise bad_request("retries must be a whole number")
    engine().external_tasks.handle_failure(
        task_id, _worker_id(body), str(body.get("errorMessage") or "external task failed"),
        details=body.get("errorDetails"), retries=retries, retry_timeout_ms=int(body.get("retryTimeout") or 0))
    return Response(status=204)


@rest.post("/external-task/<task_id>/unlock")
def unlock_external_task(task_id: str):
    require_worker()
    engine().external_tasks.unlock(task_id)
    return Response(status=204)
