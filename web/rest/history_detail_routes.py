"""GET /history/detail and its count: Camunda's historic variable updates of process instances,
filtered as a unit may see them (the rule of /history/process-instance)."""
from __future__ import annotations

from flask import jsonify, request

from web.rest.blueprint import bool_arg, engine, paging, rest, sorting
from web.rest.dto_history_detail import variable_update_dtos
from web.rest.runtime_routes import datetime_arg, involvement

SORT_KEYS = {"time": "time", "processInstanceId": "processInstanceId", "variableName": "variableName",
             "variableType": "variableType", "variableRevision": "revision", "formPropertyId": "variableName",
             "occurrence": "time", "tenantId": "time"}


def _details() -> list[dict]:
    sort_by, descending = sorting(SORT_KEYS)
    bool_arg("variableUpdates")  # true or false; every detail here is a variable update
    if bool_arg("formFields"):
        return []  # submitted values are recorded as variable updates, not form fields
    instance_ids = [i for i in (request.args.get("processInstanceIdIn") or "").split(",") if i] or None
    single = request.args.get("processInstanceId")
    if single:
        instance_ids = [single] if instance_ids is None else [i for i in instance_ids if i == single]
    events = engine().history.variable_events(instance_ids=instance_ids, visible_to=involvement())
    details = variable_update_dtos(events, datetime_arg("occurredAfter"), datetime_arg("occurredBefore"))
    for name in ("variableInstanceId", "activityInstanceId", "executionId", "taskId"):
        if request.args.get(name):
            details = [d for d in details if d[name] == request.args[name]]
    if sort_by is not None:
        key = SORT_KEYS[sort_by]
        details.sort(key=lambda d: (d[key] is None, d[key] if isinstance(d[key], int) else str(d[key] or "")),
                     reverse=descending)
    return details


@rest.get("/history/detail")
def historic_details():
    first, limit = paging()
    details = _details()
    return jsonify(details[first:None if limit is None else first + limit])


@rest.get("/history/detail/count")
def count_historic_details():
    return jsonify(count=len(_details()))
