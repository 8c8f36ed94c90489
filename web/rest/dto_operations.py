"""Camunda DTOs of what operators handle: incidents and (failed) jobs."""
from __future__ import annotations

from web.rest.dto_common import _get, _key_of
from web.rest.typed_values import format_datetime


def incident_dto(i) -> dict:
    """IncidentDto. One execution per instance here, so the execution is the instance; an incident
    has no cause chain, so it is its own root cause (as Camunda reports a first incident)."""
    return {
        "id": i.id,
        "processDefinitionId": i.definition_id,
        "processInstanceId": i.instance_id,
        "executionId": i.instance_id,
        "incidentTimestamp": format_datetime(i.created_at),
        "incidentType": i.incident_type,
        "activityId": i.activity_id,
        "failedActivityId": i.activity_id,
        "causeIncidentId": i.id,
        "rootCauseIncidentId": i.id,
        "configuration": i.configuration,
        "tenantId": None,
        "incidentMessage": i.message,
        "jobDefinitionId": None,
        "annotation": i.annotation,
    }


def job_dto(j) -> dict:
    """JobDto of a failed job: no retries left, due now (it waits for an operator, not a time)."""
    return {
        "id": j.id,
        "jobDefinitionId": None,
        "dueDate": None,
        "processInstanceId": j.instance_id,
        "executionId": j.instance_id,
        "processDefinitionId": j.definition_id,
        "processDefinitionKey": _get(j, "definition_key") or _key_of(j.definition_id),
        "retries": j.retries,
        "exceptionMessage": j.exception_message,
        "failedActivityId": j.activity_id,
        "suspended": False,
        "priority": 0,
        "tenantId": None,
        "createTime": format_datetime(j.created_at),
        "batchId": None,
    }
