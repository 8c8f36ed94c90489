"""Decision definitions evaluated over REST, in Camunda 7's shape: a list with one map per matched
rule (one for an aggregation), each output name mapped to a typed value."""
from __future__ import annotations

from flask import jsonify

from web.rest.blueprint import engine, json_body, rest
from web.rest.errors import bad_request
from web.rest.typed_values import TypedValueError, from_typed, typed_value


@rest.post("/decision-definition/key/<key>/evaluate")
@rest.post("/decision-definition/<definition_id>/evaluate")
def evaluate_decision(key: str | None = None, definition_id: str | None = None):
    body = json_body()
    variables = body.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise bad_request("variables must be a JSON object of typed values")
    try:
        values = from_typed(variables)
    except TypedValueError as err:
        raise bad_request(str(err)) from None
    # Evaluating stores nothing, so any signed-in user may, as anyone may read definitions.
    outcome = engine().repository.evaluate_decision(values, key=key, definition_id=definition_id)
    return jsonify([{name: typed_value(value) for name, value in result.items()} for result in outcome.results])
