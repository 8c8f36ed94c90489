"""The body schemas of the DMN history and the historic details (/history/decision-instance,
/history/detail), merged into the document's components/schemas by web/rest/openapi.py."""
from __future__ import annotations

from web.rest.openapi_schemas import TYPED_VALUE_TYPES, model, ref

HISTORY_SCHEMAS: dict[str, dict] = {
    "HistoricDecisionInputInstance": model(
        "HistoricDecisionInputInstanceDto: one input of an evaluated decision.", id="string",
        decisionInstanceId="string", clauseId="string?", clauseName="string?", errorMessage="string?",
        type={"type": "string", "enum": TYPED_VALUE_TYPES}, value="any", valueInfo="object", createTime="date",
        removalTime="date?", rootProcessInstanceId="string?"),
    "HistoricDecisionOutputInstance": model(
        "HistoricDecisionOutputInstanceDto: one output of a matched rule.", id="string",
        decisionInstanceId="string", clauseId="string?", clauseName="string?", ruleId="string?",
        ruleOrder="integer?", variableName="string?", errorMessage="string?",
        type={"type": "string", "enum": TYPED_VALUE_TYPES}, value="any", valueInfo="object", createTime="date",
        removalTime="date?", rootProcessInstanceId="string?"),
    "HistoricDecisionInstance": model(
        "HistoricDecisionInstanceDto: one evaluated decision (inputs and outputs when asked for).", id="string",
        decisionDefinitionId="string?", decisionDefinitionKey="string", decisionDefinitionName="string?",
        evaluationTime="date", removalTime="date?", processDefinitionId="string?", processDefinitionKey="string?",
        processInstanceId="string?", rootProcessInstanceId="string?", caseDefinitionId="string?",
        caseDefinitionKey="string?", caseInstanceId="string?", activityId="string?", activityInstanceId="string?",
        tenantId="string?", userId="string?",
        inputs={"type": "array", "items": ref("HistoricDecisionInputInstance"), "nullable": True},
        outputs={"type": "array", "items": ref("HistoricDecisionOutputInstance"), "nullable": True},
        collectResultValue="number?", rootDecisionInstanceId="string?", decisionRequirementsDefinitionId="string?",
        decisionRequirementsDefinitionKey="string?"),
    "HistoricVariableUpdate": model(
        "HistoricVariableUpdateDto (a HistoricDetail of type variableUpdate); userId is who made the change.",
        id="string", type={"type": "string", "enum": ["variableUpdate"]}, processDefinitionKey="string?",
        processDefinitionId="string?", processInstanceId="string", activityInstanceId="string",
        executionId="string", caseDefinitionKey="string?", caseDefinitionId="string?", caseInstanceId="string?",
        caseExecutionId="string?", taskId="string?", tenantId="string?", userOperationId="string?", time="date",
        removalTime="date?", rootProcessInstanceId="string", variableName="string", variableInstanceId="string",
        variableType={"type": "string", "enum": TYPED_VALUE_TYPES}, value="any", valueInfo="object",
        initial="boolean", revision="integer", errorMessage="string?", userId="string?"),
}
