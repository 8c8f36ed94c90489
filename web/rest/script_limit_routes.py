"""A deployment's script limits (not in Camunda's API: Camunda runs no sandboxed scripts).

Designers may read them, to understand an incident; only administrators change them.
"""
from __future__ import annotations

from flask import jsonify

from engine.errors import PermissionDeniedError
from engine.management import DeploymentLimits
from web.authorization import require_designer
from web.rest.auth import current_principal
from web.rest.blueprint import engine, json_body, rest
from web.rest.errors import bad_request

FIELDS = ("cpuSeconds", "memoryMb")


def limits_dto(limits: DeploymentLimits) -> dict:
    return {
        "deploymentId": limits.deployment_id, "cpuSeconds": limits.cpu_seconds, "memoryMb": limits.memory_mb,
        "effective": {"cpuSeconds": limits.effective.cpu_seconds, "memoryMb": limits.effective.memory_mb},
    }


@rest.get("/deployment/<deployment_id>/script-limits")
def get_script_limits(deployment_id: str):
    require_designer(current_principal())
    return jsonify(limits_dto(engine().script_limits.get(deployment_id)))


@rest.put("/deployment/<deployment_id>/script-limits")
def set_script_limits(deployment_id: str):
    principal = current_principal()
    if "admin" not in principal.groups:
        raise PermissionDeniedError(f"user '{principal.user_id}' may not change script limits: only administrators do")
    body = json_body()
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise bad_request(f"unknown field(s) {', '.join(unknown)}; script limits take {' and '.join(FIELDS)}")
    limits = engine().script_limits.set(deployment_id, cpu_seconds=body.get("cpuSeconds"),
                                        memory_mb=body.get("memoryMb"), actor=principal.user_id)
    return jsonify(limits_dto(limits))
