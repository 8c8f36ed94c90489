"""Deployments and process definitions: what Camunda Modeler's Deploy and Start buttons call."""
from __future__ import annotations

from flask import Response, jsonify, request

from engine.repository import ModelFile
from web.authorization import require_designer
from web.rest.auth import current_principal
from web.rest.blueprint import base_url, body_str, bool_arg, engine, json_body, paging, rest
from web.rest.dto import deployment_dto, process_definition_dto, process_instance_dto
from web.rest.errors import bad_request
from web.rest.typed_values import TypedValueError, from_typed

ENGINE_VERSION = "7.22.0"  # the Camunda REST version whose contract this subset follows
DEFINITION_SORT = {"key": "key", "version": "version", "id": "id", "name": "name"}


@rest.get("/version")
def version():
    return jsonify(version=ENGINE_VERSION)


@rest.get("/deployment")
def list_deployments():
    first, limit = paging()
    deployments = engine().repository.list_deployments()
    name = request.args.get("name")
    if name:
        deployments = [d for d in deployments if d.name == name]
    window = deployments[first:None if limit is None else first + limit]
    return jsonify([deployment_dto(d, base_url()) for d in window])


@rest.get("/deployment/count")
def count_deployments():
    return jsonify(count=len(engine().repository.list_deployments()))


@rest.post("/deployment/create")
def create_deployment():
    require_designer(current_principal())
    files = [ModelFile(part.filename or name, part.read()) for name, part in request.files.items(multi=True)]
    if not files:
        raise bad_request("a deployment needs at least one file part (.bpmn, .dmn or .form)")
    duplicate_filtering = request.form.get("enable-duplicate-filtering", "false").lower() == "true" \
        or request.form.get("deploy-changed-only", "false").lower() == "true"
    result = engine().repository.deploy(
        files, name=request.form.get("deployment-name"), source=request.form.get("deployment-source"),
        tenant_id=request.form.get("tenant-id") or None, actor=current_principal().user_id,
        duplicate_filtering=duplicate_filtering)
    if result.deployment is None:
        return jsonify(deployment_dto(result.existing, base_url(), warnings=result.warnings))
    names = engine().repository.resource_names([d.resource_id for d in result.processes + result.decisions])
    return jsonify(deployment_dto(
        result.deployment, base_url(),
        deployed_processes=[(d, names.get(d.resource_id)) for d in result.processes] or None,
        deployed_decisions=[(d, names.get(d.resource_id)) for d in result.decisions] or None,
        warnings=result.warnings))


@rest.get("/deployment/<deployment_id>")
def get_deployment(deployment_id: str):
    return jsonify(deployment_dto(engine().repository.get_deployment(deployment_id), base_url()))


@rest.delete("/deployment/<deployment_id>")
def delete_deployment(deployment_id: str):
    require_designer(current_principal())
    engine().repository.delete_deployment(deployment_id, cascade=bool_arg("cascade"),
                                          actor=current_principal().user_id)
    return Response(status=204)


def _definitions():
    first, limit = paging()
    sort_by = request.args.get("sortBy", "key")
    if sort_by not in DEFINITION_SORT:
        raise bad_request(f"cannot sort by '{sort_by}'; use one of {', '.join(DEFINITION_SORT)}")
    definitions = engine().repository.list_definitions(key=request.args.get("key"),
                                                       latest_only=bool_arg("latestVersion"), limit=None)
    definitions.sort(key=lambda d: (getattr(d, DEFINITION_SORT[sort_by]) or "", d.version),
                     reverse=request.args.get("sortOrder", "asc") == "desc")
    return definitions, first, limit


@rest.get("/process-definition")
def list_process_definitions():
    definitions, first, limit = _definitions()
    window = definitions[first:None if limit is None else first + limit]
    names = engine().repository.resource_names([d.resource_id for d in window])
    return jsonify([process_definition_dto(d, names.get(d.resource_id)) for d in window])


@rest.get("/process-definition/count")
def count_process_definitions():
    definitions, _, _ = _definitions()
    return jsonify(count=len(definitions))


def _definition_json(definition):
    names = engine().repository.resource_names([definition.resource_id])
    return jsonify(process_definition_dto(definition, names.get(definition.resource_id)))


def _xml_json(definition):
    xml = engine().repository.definition_xml(definition.id)
    return jsonify(id=definition.id, bpmn20Xml=xml.decode("utf-8"))


@rest.get("/process-definition/<definition_id>")
def get_process_definition(definition_id: str):
    return _definition_json(engine().repository.get_definition(definition_id))


@rest.get("/process-definition/<definition_id>/xml")
def get_process_definition_xml(definition_id: str):
    return _xml_json(engine().repository.get_definition(definition_id))


@rest.get("/process-definition/key/<key>")
def get_latest_process_definition(key: str):
    return _definition_json(engine().repository.latest_definition(key))


@rest.get("/process-definition/key/<key>/xml")
def get_latest_process_definition_xml(key: str):
    return _xml_json(engine().repository.latest_definition(key))


def _start(definition_id: str | None = None, key: str | None = None):
    body = json_body()
    try:
        variables = from_typed(body.get("variables"))
    except TypedValueError as err:
        raise bad_request(str(err)) from None
    business_key = body_str(body, "businessKey", required=False)
    runtime, actor = engine().runtime, current_principal().user_id
    if definition_id is not None:
        instance = runtime.start_process_by_id(definition_id, variables, business_key=business_key, actor=actor)
    else:
        instance = runtime.start_process_by_key(key, variables, business_key=business_key, actor=actor)
    return jsonify(process_instance_dto(instance, base_url()))


@rest.post("/process-definition/<definition_id>/start")
def start_by_id(definition_id: str):
    return _start(definition_id=definition_id)


@rest.post("/process-definition/key/<key>/start")
def start_by_key(key: str):
    return _start(key=key)

