"""Incidents (Camunda's /incident): list, count, read, annotate; administrators only.

A failedJob or failedExternalTask incident is resolved by retrying its job or external task
(web/rest/job_routes.py), never by deleting it, as Camunda 7 answers.
"""
from __future__ import annotations

from flask import Response, jsonify, request

from engine.errors import PermissionDeniedError
from engine.runtime import IncidentQuery
from web.rest.auth import current_principal
from web.rest.blueprint import engine, json_body, paging, rest
from web.rest.dto_operations import incident_dto
from web.rest.errors import RestError, bad_request

FILTERS = {"incidentId": "incident_id", "incidentType": "incident_type", "processInstanceId": "instance_id",
           "processDefinitionId": "definition_id", "activityId": "activity_id", "configuration": "configuration"}
ADMIN_GROUPS = frozenset({"admin"})


def require_admin(what: str) -> str:
    """The acting administrator's id; everyone else is refused (403)."""
    principal = current_principal()
    if not principal.groups & ADMIN_GROUPS:
        raise PermissionDeniedError(f"user '{principal.user_id}' may not {what}: only administrators do")
    return principal.user_id


def _query(first: int = 0, limit: int | None = None) -> IncidentQuery:
    order = request.args.get("sortOrder")
    if order not in (None, "asc", "desc"):
        raise bad_request(f"Cannot set query parameter 'sortOrder' to value '{order}'")
    return IncidentQuery(**{field: request.args.get(name) for name, field in FILTERS.items()},
                         sort_by=request.args.get("sortBy"), descending=order == "desc", first=first, limit=limit)


@rest.get("/incident")
def list_incidents():
    require_admin("read incidents")
    first, limit = paging()
    return jsonify([incident_dto(i) for i in engine().runtime.list_incidents(_query(first, limit))])


@rest.get("/incident/count")
def count_incidents():
    require_admin("read incidents")
    return jsonify({"count": engine().runtime.count_incidents(_query())})


@rest.get("/incident/<incident_id>")
def get_incident(incident_id: str):
    require_admin("read incidents")
    return jsonify(incident_dto(engine().runtime.get_incident(incident_id)))


@rest.put("/incident/<incident_id>/annotation")
def set_incident_annotation(incident_id: str):
    actor = require_admin("annotate incidents")
    annotation = json_body().get("annotation")
    if annotation is not None and not isinstance(annotation, str):
        raise bad_request("annotation must be a string")
    engine().runtime.set_incident_annotation(incident_id, annotation, actor)
    return Response(status=204)


@rest.delete("/incident/<incident_id>/annotation")
def clear_incident_annotation(incident_id: str):
    actor = require_admin("annotate incidents")
    engine().runtime.set_incident_annotation(incident_id, None, actor)
    return Response(status=204)


@rest.delete("/incident/<incident_id>")
def resolve_incident(incident_id: str):
    require_admin("resolve incidents")
    incident = engine().runtime.get_incident(incident_id)
    # Every incident the engine opens belongs to a job or an external task: retrying it resolves it.
    raise RestError(400, "InvalidRequestException", f"Cannot resolve an incident of type {incident.incident_type}")
