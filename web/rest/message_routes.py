"""Messages and signals (Camunda's POST /message, POST /signal) and the event subscriptions they reach.

Who may: as for starting a process (any signed-in user); a message or signal reaches only the
instances that user may see, as every other instance route (the office-wide roles see all).
"""
from __future__ import annotations

from flask import Response, jsonify, request

from engine.runtime import EventSubscriptionQuery, MessageCorrelationError
from web.rest.auth import current_principal
from web.rest.blueprint import base_url, body_str, engine, json_body, paging, rest
from web.rest.dto_runtime import process_instance_dto
from web.rest.errors import RestError, bad_request
from web.rest.runtime_routes import involvement, readable_instance_variables, typed_body_variables
from web.rest.typed_values import format_datetime, to_typed

# Camunda's REST layer wraps the engine's exception: clients match on this text.
MISMATCH = "org.camunda.bpm.engine.MismatchingMessageCorrelationException: "
UNSUPPORTED = ("localCorrelationKeys", "processVariablesLocal", "processVariablesToTriggeredScope")
EVENT_TYPES = ("message", "signal")


def _flag(body: dict, name: str) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise bad_request(f"{name} must be true or false")
    return value


@rest.post("/message")
def correlate_message():
    body = json_body()
    name = body.get("messageName")
    if not isinstance(name, str) or not name:
        raise bad_request("No message name supplied")
    for unsupported in UNSUPPORTED:
        if body.get(unsupported):
            raise bad_request(f"{unsupported} is not supported: variables here belong to the process instance")
    if body.get("tenantId") is not None and body.get("withoutTenantId"):
        raise bad_request("Parameter 'tenantId' cannot be used together with parameter 'withoutTenantId'.")
    all_, result_enabled, with_variables = (_flag(body, "all"), _flag(body, "resultEnabled"),
                                            _flag(body, "variablesInResultEnabled"))
    try:
        results = engine().runtime.correlate_message(
            name, business_key=body_str(body, "businessKey", required=False),
            correlation_keys=typed_body_variables(body, "correlationKeys"),
            process_variables=typed_body_variables(body, "processVariables"), all=all_,
            instance_id=body_str(body, "processInstanceId", required=False, max_length=36),
            actor=current_principal().user_id, involving=involvement())
    except MessageCorrelationError as err:
        raise RestError(400, "RestException", MISMATCH + str(err)) from None
    if not result_enabled:
        return Response(status=204)
    return jsonify([_result_dto(result, with_variables) for result in results])


def _result_dto(result, with_variables: bool) -> dict:
    """Camunda's MessageCorrelationResultWithVariableDto."""
    instance = result.instance
    dto = {"resultType": result.result_type, "execution": None, "processInstance": None}
    if result.result_type == "Execution":
        dto["execution"] = {"id": result.execution_id, "processInstanceId": instance.id,
                            "ended": instance.status == "completed", "tenantId": None}
    else:
        dto["processInstance"] = process_instance_dto(instance, base_url())
    if with_variables:
        dto["variables"] = to_typed(readable_instance_variables(instance))
    return dto


@rest.post("/signal")
def throw_signal():
    body = json_body()
    name = body.get("name")
    if not isinstance(name, str) or not name:
        raise bad_request("No signal name given")
    if body.get("executionId") is not None:
        raise bad_request("executionId is not supported: a signal reaches every instance waiting for it")
    if body.get("tenantId") is not None and body.get("withoutTenantId"):
        raise bad_request("Parameter 'tenantId' cannot be used together with parameter 'withoutTenantId'.")
    engine().runtime.broadcast_signal(name, typed_body_variables(body), actor=current_principal().user_id,
                                      involving=involvement())
    return Response(status=204)


def _subscription_query(first: int = 0, limit: int | None = None) -> EventSubscriptionQuery:
    event_type = request.args.get("eventType")
    if event_type is not None and event_type not in EVENT_TYPES:
        raise bad_request(f"eventType must be one of {', '.join(EVENT_TYPES)} (compensate and conditional "
                          "events are not supported)")
    return EventSubscriptionQuery(
        event_type=event_type, event_name=request.args.get("eventName"),
        instance_id=request.args.get("processInstanceId"), activity_id=request.args.get("activityId"),
        involving=involvement(), first=first, limit=limit)


@rest.get("/event-subscription")
def list_event_subscriptions():
    first, limit = paging()
    rows = engine().runtime.list_event_subscriptions(_subscription_query(first, limit))
    return jsonify([{
        "id": str(row.id), "eventType": row.event_type, "eventName": row.event_name,
        "executionId": row.execution_id, "processInstanceId": row.instance_id, "activityId": row.activity_id,
        "createdDate": format_datetime(row.created_at), "tenantId": None,
    } for row in rows])


@rest.get("/event-subscription/count")
def count_event_subscriptions():
    return jsonify(count=engine().runtime.count_event_subscriptions(_subscription_query()))
