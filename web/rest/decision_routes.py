"""Decision definitions evaluated over REST, in Camunda 7's shape: a list with one map per matched
rule (one for an aggregation), each output name mapped to a typed value (its type from the output
column's typeRef). Each evaluation goes into the DMN history (GET /history/decision-instance)."""
from __future__ import annotations

from flask import jsonify

from web.rest.auth import current_principal
from web.rest.blueprint import engine, json_body, rest
from web.rest.dto_decisions import decision_value
from web.rest.errors import bad_request
from web.rest.typed_values import TypedValueError, from_typed


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
    # Any signed-in user may evaluate, as anyone may read definitions; the history names them.
    outcome = engine().repository.evaluate_decision(values, key=key, definition_id=definition_id,
                                                    actor=current_principal().user_id)
    return jsonify([{name: decision_value(value, outcome.types.get(name)) for name, value in result.items()}
                    for result in outcome.results])
