"""The DMN history over REST, in Camunda 7's shape: GET /history/decision-instance (with count and
by id). A unit sees the evaluations of the instances it takes part in, and evaluations outside any
instance that its people made; the office-wide roles see all (the rule of /history/process-instance)."""
from __future__ import annotations

from flask import jsonify, request

from engine.history import DecisionInstanceQuery
from web.rest.blueprint import bool_arg, engine, paging, rest, sorting
from web.rest.dto_decisions import historic_decision_instance_dto
from web.rest.runtime_routes import datetime_arg, involvement

SORT_KEYS = ("evaluationTime", "tenantId")  # no tenants here: tenantId sorts as evaluationTime


def _list_arg(name: str) -> list[str] | None:
    raw = request.args.get(name)
    return None if raw is None else [part for part in raw.split(",") if part]


def _query(first: int = 0, limit: int | None = None) -> DecisionInstanceQuery:
    _, descending = sorting(SORT_KEYS)
    ids = _list_arg("decisionInstanceIdIn")
    single = request.args.get("decisionInstanceId")
    if single:
        ids = [i for i in ids if i == single] if ids is not None else [single]
    return DecisionInstanceQuery(
        ids=ids,
        definition_id=request.args.get("decisionDefinitionId"),
        definition_key=request.args.get("decisionDefinitionKey"),
        instance_id=request.args.get("processInstanceId"),
        activity_ids=_list_arg("activityIdIn"),
        root_id=request.args.get("rootDecisionInstanceId"),
        evaluated_before=datetime_arg("evaluatedBefore"), evaluated_after=datetime_arg("evaluatedAfter"),
        visible_to=involvement(), descending=descending, first=first, limit=limit)


def _includes() -> dict:
    # disableBinaryFetching and disableCustomObjectDeserialization change nothing: no such values here.
    return {"include_inputs": bool_arg("includeInputs"), "include_outputs": bool_arg("includeOutputs")}


@rest.get("/history/decision-instance")
def historic_decision_instances():
    first, limit = paging()
    query, includes = _query(first, limit), _includes()
    return jsonify([historic_decision_instance_dto(r, **includes) for r in engine().decision_history.list(query)])


@rest.get("/history/decision-instance/count")
def count_historic_decision_instances():
    return jsonify(count=engine().decision_history.count(_query()))


@rest.get("/history/decision-instance/<decision_instance_id>")
def historic_decision_instance(decision_instance_id: str):
    includes = _includes()
    record = engine().decision_history.get(decision_instance_id, visible_to=involvement())
    return jsonify(historic_decision_instance_dto(record, **includes))
