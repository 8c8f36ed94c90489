"""Changing the variables of a running instance, directly or through one of its tasks.

Who may: the office-wide roles, as for the other changes an operator makes to an instance
(deleting it, assigning its tasks). Others who see the instance get 403; those who do not, 404.
"""
from __future__ import annotations

from flask import Response, jsonify, request

from engine.errors import PermissionDeniedError
from engine.runtime import VariableError
from web.authorization import sees_everything
from web.rest.auth import current_principal
from web.rest.blueprint import engine, json_body, rest
from web.rest.errors import bad_request
from web.rest.runtime_routes import readable_instance_variables, visible_instance, visible_task
from web.rest.typed_values import TypedValueError, from_typed, to_typed


def _require_operator(what: str) -> str:
    principal = current_principal()
    if not sees_everything(principal):
        raise PermissionDeniedError(f"only the office-wide roles may change the variables of {what}")
    return principal.user_id


def _changes(body: dict, failure: str) -> tuple[dict, list[str]]:
    """Camunda's `{modifications, deletions}` body; a bad entry is 400 with Camunda's prefix."""
    deletions = body.get("deletions")
    try:
        modifications = from_typed(body.get("modifications"))
        if deletions is not None and not (isinstance(deletions, list)
                                          and all(isinstance(n, str) and n for n in deletions)):
            raise TypedValueError("deletions must be a list of variable names")
    except TypedValueError as err:
        raise bad_request(f"{failure}: {err}") from None
    return modifications, deletions or []


def _engine_call(failure: str, call, *args, **kwargs) -> None:
    """Runs an engine change; a value the engine refuses (name, NUL, size) keeps Camunda's prefix."""
    try:
        call(*args, **kwargs)
    except VariableError as err:
        raise bad_request(f"{failure}: {err}") from None


# -- process instance ----------------------------------------------------------------------------

def _modify(kind: str, target_id: str, service) -> Response:
    """POST .../variables of an instance or a task: Camunda's `{modifications, deletions}`."""
    actor = _require_operator(f"{kind} '{target_id}'")
    failure = f"Cannot modify variables for {kind} {target_id}"
    modifications, deletions = _changes(json_body(), failure)
    _engine_call(failure, service.set_variables, target_id, modifications, deletions, actor=actor)
    return Response(status=204)


@rest.post("/process-instance/<instance_id>/variables")
def modify_process_instance_variables(instance_id: str):
    visible_instance(instance_id)
    return _modify("process instance", instance_id, engine().runtime)


@rest.put("/process-instance/<instance_id>/variables/<name>")
def put_process_instance_variable(instance_id: str, name: str):
    visible_instance(instance_id)
    actor = _require_operator(f"process instance '{instance_id}'")
    failure = f"Cannot put process instance variable {name}"
    body = request.get_json(silent=True) if request.data else None
    if not isinstance(body, dict):
        raise bad_request(f"{failure}: the body must be a typed value {{value, type, valueInfo}}")
    try:
        value = from_typed({name: body})
    except TypedValueError as err:
        raise bad_request(f"{failure}: {err}") from None
    _engine_call(failure, engine().runtime.set_variables, instance_id, value, actor=actor)
    return Response(status=204)


@rest.delete("/process-instance/<instance_id>/variables/<name>")
def delete_process_instance_variable(instance_id: str, name: str):
    visible_instance(instance_id)
    actor = _require_operator(f"process instance '{instance_id}'")
    # Camunda answers 204 for a name the instance does not have: the variable is absent either way.
    _engine_call(f"Cannot delete process instance variable {name}", engine().runtime.set_variables,
                 instance_id, None, [name], actor=actor)
    return Response(status=204)


# -- task ----------------------------------------------------------------------------------------

@rest.get("/task/<task_id>/variables")
def get_task_variables(task_id: str):
    """A task sees its instance's variables (no task-local ones here), by the instance page's rule."""
    task = visible_task(task_id)
    return jsonify(to_typed(readable_instance_variables(engine().runtime.get_instance(task.instance_id))))


@rest.post("/task/<task_id>/variables")
def modify_task_variables(task_id: str):
    visible_task(task_id)
    return _modify("task", task_id, engine().tasks)
