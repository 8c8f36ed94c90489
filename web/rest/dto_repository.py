"""Camunda DTOs of the repository: deployments, process and decision definitions."""
from __future__ import annotations

from typing import Mapping

from web.rest.dto_common import _get, _link
from web.rest.typed_values import format_datetime


def deployment_dto(d, base_url: str, deployed_processes: list | None = None,
                   deployed_decisions: list | None = None, resource_names: Mapping[str, str] | None = None,
                   warnings: list | None = None) -> dict:
    """DeploymentDto (GET /deployment/{id}) and DeploymentWithDefinitionsDto (POST /deployment/create).

    `deployed_processes` / `deployed_decisions` hold definition rows, `(row, resource file name)`
    pairs, or already built dicts; `resource_names` (resource id -> file name) names the
    resources of bare rows. None or empty gives null, as Camunda returns for "none deployed".
    pycamunda's `DeploymentWithDefinitions.load` parses `deploymentTime` unconditionally.
    """
    dto = {
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
    if warnings:
        # Not in Camunda's DTO, so only when there is something to say: what the deployment
        # accepted but will resolve only at run time. A clean deployment answers Camunda's keys.
        dto["warnings"] = [{"file": w.file, "elementId": w.element_id, "calledElement": w.called_key,
                            "message": str(w)} for w in warnings]
    return dto


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
        "suspended": bool(_get(p, "suspended")),
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
