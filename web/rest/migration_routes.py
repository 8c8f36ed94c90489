"""Process instance migration, as Camunda 7's /migration endpoints; administrators only.

Besides Camunda's report, validation names each active element of the instances (those listed
in `processInstanceIds`, else every running instance of the source version) that has no target,
and each variable the new version requires that an instance lacks (`instanceReports`,
`variableReports`; engine/runtime/migration_plan.py says what "requires" means).
"""
from __future__ import annotations

from flask import jsonify

from engine.errors import PermissionDeniedError
from engine.runtime import InstanceQuery, MigrationInstruction, MigrationPlan, MigrationReport, MigrationValidationError
from web.rest.auth import current_principal
from web.rest.blueprint import engine, json_body, rest
from web.rest.errors import bad_request
from web.rest.typed_values import TypedValueError, from_typed, to_typed

QUERY_FIELDS = {"processDefinitionId": "definition_id", "processDefinitionKey": "definition_key",
                "businessKey": "business_key", "processInstanceIds": "instance_ids"}


def require_admin(action: str) -> str:
    principal = current_principal()
    if "admin" not in principal.groups:
        raise PermissionDeniedError(f"user '{principal.user_id}' may not {action}: only administrators do")
    return principal.user_id


@rest.post("/migration/generate")
def generate_migration():
    require_admin("generate a migration plan")
    body = json_body()
    update_triggers = body.get("updateEventTriggers", False)
    if not isinstance(update_triggers, bool):
        raise bad_request("updateEventTriggers must be true or false")
    plan = engine().migration.generate_migration_plan(
        _text(body, "sourceProcessDefinitionId"), _text(body, "targetProcessDefinitionId"), update_triggers,
        _variables(body.get("variables")))
    return jsonify(plan_dto(plan))


@rest.post("/migration/validate")
def validate_migration():
    require_admin("validate a migration plan")
    body = json_body()
    ids = body.get("processInstanceIds")
    report = engine().migration.validate_migration_plan(parse_plan(body), None if ids is None else _ids(ids))
    return jsonify(report_dto(report))


@rest.post("/migration/execute")
def execute_migration():
    actor = require_admin("migrate process instances")
    body = json_body()
    plan = body.get("migrationPlan")
    if not isinstance(plan, dict):
        raise bad_request("migrationPlan must be a JSON object")
    for flag in ("skipCustomListeners", "skipIoMappings"):
        if not isinstance(body.get(flag, False), bool):
            raise bad_request(f"{flag} must be true or false")
    ids = _ids(body.get("processInstanceIds") or [])
    if body.get("processInstanceQuery") is not None:
        ids += [i for i in _queried(body["processInstanceQuery"]) if i not in ids]
    try:
        engine().migration.execute_migration(parse_plan(plan), ids, actor=actor)
    except MigrationValidationError as err:
        response = jsonify(type=err.kind, message=str(err), validationReport=report_dto(err.report))
        response.status_code = 400
        return response
    return "", 204


def parse_plan(body: dict) -> MigrationPlan:
    instructions = body.get("instructions") or []
    if not isinstance(instructions, list) or not all(isinstance(i, dict) for i in instructions):
        raise bad_request("instructions must be a list of objects")
    return MigrationPlan(_text(body, "sourceProcessDefinitionId"), _text(body, "targetProcessDefinitionId"),
                         tuple(_instruction(i) for i in instructions), _variables(body.get("variables")))


def _instruction(body: dict) -> MigrationInstruction:
    update_trigger = body.get("updateEventTrigger", False)
    if not isinstance(update_trigger, bool):
        raise bad_request("updateEventTrigger must be true or false")
    return MigrationInstruction(_ids(body.get("sourceActivityIds"), "sourceActivityIds"),
                                _ids(body.get("targetActivityIds"), "targetActivityIds"), update_trigger)


def _text(body: dict, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value or len(value) > 255:
        raise bad_request(f"{name} must be a process definition id")
    return value


def _ids(value, name: str = "processInstanceIds") -> tuple | list:
    if not isinstance(value, list) or not all(isinstance(v, str) and v and len(v) <= 255 for v in value):
        raise bad_request(f"{name} must be a list of ids")
    return tuple(value) if name != "processInstanceIds" else list(value)


def _variables(value) -> dict:
    try:
        return from_typed(value)
    except TypedValueError as err:
        raise bad_request(str(err)) from None


def _queried(query) -> list[str]:
    """The running instances a processInstanceQuery finds (the filters Camunda's query has that we keep)."""
    if not isinstance(query, dict) or set(query) - set(QUERY_FIELDS):
        raise bad_request(f"processInstanceQuery takes {', '.join(QUERY_FIELDS)}")
    filters = {QUERY_FIELDS[k]: (_ids(v) if k == "processInstanceIds" else _text(query, k)) for k, v in query.items()}
    instances = engine().runtime.list_instances(InstanceQuery(running=True, limit=None, **filters))
    return [instance.id for instance in instances]


def plan_dto(plan: MigrationPlan) -> dict:
    return {
        "sourceProcessDefinitionId": plan.source_definition_id,
        "targetProcessDefinitionId": plan.target_definition_id,
        "instructions": [instruction_dto(i) for i in plan.instructions],
        "variables": to_typed(plan.variables) if plan.variables else None,
    }


def instruction_dto(instruction: MigrationInstruction) -> dict:
    return {"sourceActivityIds": list(instruction.source_activity_ids),
            "targetActivityIds": list(instruction.target_activity_ids),
            "updateEventTrigger": instruction.update_event_trigger}


def report_dto(report: MigrationReport) -> dict:
    return {
        "instructionReports": [{"instruction": instruction_dto(r.instruction), "failures": r.failures}
                               for r in report.instruction_reports if r.failures],
        "variableReports": {name: {"failures": failures} for name, failures in report.variable_reports.items()},
        "instanceReports": [{"processInstanceId": r.instance_id, "failures": r.failures}
                            for r in report.instance_reports if r.failures],
    }
