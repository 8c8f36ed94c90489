"""Suspending and activating process instances and definitions (Camunda's `.../suspended`).

Who may: administrators. Others who see an instance get 403, those who do not, 404; a
definition is seen by everyone signed in, so the others get 403.
"""
from __future__ import annotations

from flask import Response

from web.authorization import require_admin
from web.rest.auth import current_principal
from web.rest.blueprint import engine, json_body, rest
from web.rest.errors import bad_request
from web.rest.runtime_routes import visible_instance


def _flag(body: dict, name: str, *, required: bool) -> bool:
    value = body.get(name)
    if value is None and not required:
        return False
    if not isinstance(value, bool):
        raise bad_request(f"'{name}' must be true or false")
    return value


@rest.put("/process-instance/<instance_id>/suspended")
def set_process_instance_suspended(instance_id: str):
    visible_instance(instance_id)
    actor = require_admin(current_principal(), f"suspend or activate process instance '{instance_id}'")
    runtime = engine().runtime
    change = runtime.suspend_instance if _flag(json_body(), "suspended", required=True) else runtime.activate_instance
    change(instance_id, actor=actor)
    return Response(status=204)


def _change_definitions(target: str, what: str, by_key: bool) -> Response:
    """Suspends or activates by id or by key; executionDate is refused (the change is immediate)."""
    actor = require_admin(current_principal(), f"suspend or activate {what}")
    body = json_body()
    if body.get("executionDate") is not None:
        raise bad_request("executionDate is not supported: a suspension or activation takes effect at once")
    suspended = _flag(body, "suspended", required=True)
    include = _flag(body, "includeProcessInstances", required=False)
    repository = engine().repository
    if by_key:
        change = repository.suspend_definitions_by_key if suspended else repository.activate_definitions_by_key
    else:
        change = repository.suspend_definition if suspended else repository.activate_definition
    change(target, include_instances=include, actor=actor)
    return Response(status=204)


@rest.put("/process-definition/<definition_id>/suspended")
def set_process_definition_suspended(definition_id: str):
    return _change_definitions(definition_id, f"process definition '{definition_id}'", by_key=False)


@rest.put("/process-definition/key/<key>/suspended")
def set_process_definitions_by_key_suspended(key: str):
    return _change_definitions(key, f"the process definitions of key '{key}'", by_key=True)
