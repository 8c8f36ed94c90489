"""Camunda DTOs of the DMN history: HistoricDecisionInstanceDto with its input and output instances,
and the typed values of evaluated decisions."""
from __future__ import annotations

from typing import Any

from engine.repository import decision_variable_type
from web.rest.dto_common import _key_of
from web.rest.typed_values import format_datetime, typed_value


def decision_value(value: Any, type_ref: str | None = None) -> dict:
    """`{"value", "type", "valueInfo"}` of a decision's output: its typeRef names the type
    (a `long` output of 5 is a Long, not an Integer), else the value does."""
    body = typed_value(value)
    named = decision_variable_type(type_ref or "")
    if value is not None and named is not None and named != "Date":
        body["type"] = named
    return body


def historic_decision_instance_dto(record, *, include_inputs: bool = False, include_outputs: bool = False) -> dict:
    """HistoricDecisionInstanceDto; `inputs` and `outputs` are null unless asked for, as in Camunda."""
    row = record.row
    created = format_datetime(row.evaluated_at)
    common = {"decisionInstanceId": row.id, "createTime": created, "removalTime": None,
              "rootProcessInstanceId": row.instance_id, "errorMessage": None}
    inputs = outputs = None
    if include_inputs:
        inputs = [{"id": f"{row.id}:in:{index}", "clauseId": entry.get("clauseId"),
                   "clauseName": entry.get("clauseName"), **typed_value(entry.get("value")), **common}
                  for index, entry in enumerate(record.inputs)]
    if include_outputs:
        outputs = [{"id": f"{row.id}:out:{rule_index}:{index}", "clauseId": output.get("clauseId"),
                    "clauseName": output.get("clauseName"), "ruleId": rule.get("ruleId"),
                    "ruleOrder": rule.get("ruleOrder"), "variableName": output.get("variableName"),
                    **decision_value(output.get("value"), output.get("typeRef")), **common}
                   for rule_index, rule in enumerate(record.rules)
                   for index, output in enumerate(rule.get("outputs") or [])]
    collect = record.collect_result
    return {
        "id": row.id,
        "decisionDefinitionId": row.decision_definition_id,
        "decisionDefinitionKey": row.decision_key,
        "decisionDefinitionName": row.decision_name,
        "evaluationTime": created,
        "removalTime": None,
        "processDefinitionId": row.process_definition_id,
        "processDefinitionKey": row.process_definition_key or _key_of(row.process_definition_id),
        "processInstanceId": row.instance_id,
        "rootProcessInstanceId": row.instance_id,
        "caseDefinitionId": None,
        "caseDefinitionKey": None,
        "caseInstanceId": None,
        "activityId": row.activity_id,
        # The engine's activity instance ids are "<activityId>:<task id>" (web/rest/dto.py).
        "activityInstanceId": f"{row.activity_id}:{row.activity_instance_id}" if row.activity_instance_id else None,
        "tenantId": None,
        "userId": row.user_id,
        "inputs": inputs,
        "outputs": outputs,
        "collectResultValue": collect if isinstance(collect, (int, float)) and not isinstance(collect, bool) else None,
        "rootDecisionInstanceId": row.root_id,
        "decisionRequirementsDefinitionId": None,
        "decisionRequirementsDefinitionKey": None,
    }
