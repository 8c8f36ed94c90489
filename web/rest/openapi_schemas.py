"""The body schemas of the /engine-rest OpenAPI document (components/schemas) and the helpers that spell them."""
from __future__ import annotations

from typing import Any

CAMUNDA_DATE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$"
TYPED_VALUE_TYPES = ["String", "Boolean", "Integer", "Long", "Short", "Double", "Date", "Json", "Null", "Object"]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _field(spec: Any) -> dict:
    """A property from a short spec: "string", "integer", "boolean", "date" (Camunda's date text),
    "object", "any", a schema name in CamelCase, or a dict; a trailing "?" makes it nullable."""
    if isinstance(spec, dict):
        return spec
    nullable = spec.endswith("?")
    name = spec.rstrip("?")
    if name == "date":
        schema: dict = {"type": "string", "pattern": CAMUNDA_DATE}
    elif name == "any":
        return {}
    elif name in ("string", "integer", "number", "boolean", "object"):
        schema = {"type": name}
    elif name[0].isupper():
        # A $ref cannot carry siblings in OpenAPI 3.0: a nullable reference goes through allOf.
        return {"allOf": [ref(name)], "nullable": True} if nullable else ref(name)
    else:
        raise ValueError(f"unknown field spec {spec!r}")
    if nullable:
        schema["nullable"] = True
    return schema


def model(summary: str, /, **fields: Any) -> dict:
    """An object whose every listed key is always present (the DTOs never leave a key out)."""
    return {"type": "object", "description": summary, "required": list(fields),
            "properties": {name: _field(spec) for name, spec in fields.items()}}


def optional_keys(schema: dict, *names: str) -> dict:
    """The same object with `names` present only sometimes (keys beyond Camunda's DTO)."""
    return {**schema, "required": [key for key in schema["required"] if key not in names]}


def array_of(name: str) -> dict:
    return {"type": "array", "items": ref(name)}


def map_of(spec: Any, nullable: bool = False) -> dict:
    schema = {"type": "object", "additionalProperties": _field(spec)}
    if nullable:
        schema["nullable"] = True
    return schema


SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object", "required": ["type", "message"],
        "description": "Camunda's exception body; Camunda Modeler shows `message`.",
        "properties": {
            "type": {"type": "string", "example": "InvalidRequestException",
                     "description": "InvalidRequestException, AuthenticationException, AuthorizationException, "
                                    "ParseException, FormFieldValidationException, OptimisticLockingException, "
                                    "MigrationPlanValidationException, MigratingProcessInstanceValidationException, "
                                    "ProcessEngineException or RestException"},
            "message": {"type": "string"},
        },
    },
    "Count": model("The number of matching resources.", count="integer"),
    "Version": model("The Camunda REST version whose contract this subset follows.", version="string"),
    "Link": model("A HATEOAS link.", method="string", href="string", rel="string"),
    "TypedValue": {
        "type": "object", "required": ["value", "type", "valueInfo"],
        "description": "A Camunda typed variable as the service returns it.",
        "properties": {"value": {}, "type": {"type": "string", "enum": TYPED_VALUE_TYPES},
                       "valueInfo": {"type": "object"}},
    },
    "Variables": map_of("TypedValue"),
    "TypedValueInput": {
        "type": "object",
        "description": "A typed variable as a client sends it. Without `type` the JSON value decides it; "
                       "type names are matched without regard to case. Object is accepted only with "
                       "valueInfo.serializationDataFormat 'application/json'.",
        "properties": {"value": {}, "type": {"type": "string", "enum": TYPED_VALUE_TYPES, "nullable": True},
                       "valueInfo": {"type": "object", "nullable": True}},
    },
    "VariablesInput": map_of("TypedValueInput"),
    "ProcessDefinition": model(
        "ProcessDefinitionDto.", id="string", key="string", category="string?", description="string?",
        name="string?", version="integer", resource="string?", deploymentId="string?", diagram="string?",
        suspended="boolean", tenantId="string?", versionTag="string?", historyTimeToLive="integer?",
        startableInTasklist="boolean"),
    "DecisionDefinition": model(
        "DecisionDefinitionDto.", id="string", key="string", category="string?", name="string?",
        version="integer", resource="string?", deploymentId="string?", decisionRequirementsDefinitionId="string?",
        decisionRequirementsDefinitionKey="string?", tenantId="string?", versionTag="string?",
        historyTimeToLive="integer?"),
    "Deployment": optional_keys(model(
        "DeploymentDto; after a deployment, DeploymentWithDefinitionsDto (the definitions it stored, "
        "by id, or null when it stored none).",
        links={"type": "array", "items": ref("Link")}, id="string", name="string?", source="string?",
        deploymentTime="date?", tenantId="string?",
        deployedProcessDefinitions=map_of("ProcessDefinition", nullable=True),
        deployedCaseDefinitions="object?",
        deployedDecisionDefinitions=map_of("DecisionDefinition", nullable=True),
        deployedDecisionRequirementsDefinitions="object?",
        warnings={"type": "array", "description": "Not in Camunda: call activities whose called process is "
                                                  "not deployed yet (an incident when they run without it).",
                  "items": model("A call activity calling a process not deployed yet.", file="string",
                                 elementId="string?", calledElement="string", message="string")}),
        "warnings"),
    "ScriptLimits": model(
        "The limits of a deployment's scripts: as set (null: the service's default) and in force.",
        deploymentId="string", cpuSeconds="number?", memoryMb="integer?",
        effective=model("The limits in force.", cpuSeconds="number", memoryMb="integer")),
    "ScriptLimitsInput": {
        "type": "object", "additionalProperties": False,
        "description": "Both limits; a missing or null one goes back to the service's default.",
        "properties": {"cpuSeconds": {"type": "number", "minimum": 0.1, "maximum": 60, "nullable": True},
                       "memoryMb": {"type": "integer", "minimum": 32, "maximum": 4096, "nullable": True}},
    },
    "MigrationInstruction": {
        "type": "object", "required": ["sourceActivityIds", "targetActivityIds"],
        "description": "One source element to one target element.",
        "properties": {"sourceActivityIds": {"type": "array", "items": {"type": "string"}},
                       "targetActivityIds": {"type": "array", "items": {"type": "string"}},
                       "updateEventTrigger": {"type": "boolean"}},
    },
    "MigrationPlan": {
        "type": "object", "required": ["sourceProcessDefinitionId", "targetProcessDefinitionId", "instructions"],
        "description": "MigrationPlanDto; `variables` are set on every migrated instance.",
        "properties": {"sourceProcessDefinitionId": {"type": "string"},
                       "targetProcessDefinitionId": {"type": "string"},
                       "instructions": {"type": "array", "items": ref("MigrationInstruction")},
                       "variables": {**map_of("TypedValueInput"), "nullable": True}},
    },
    "MigrationPlanGeneration": {
        "type": "object", "required": ["sourceProcessDefinitionId", "targetProcessDefinitionId"],
        "description": "MigrationPlanGenerationDto.",
        "properties": {"sourceProcessDefinitionId": {"type": "string"},
                       "targetProcessDefinitionId": {"type": "string"},
                       "updateEventTriggers": {"type": "boolean"},
                       "variables": {**map_of("TypedValueInput"), "nullable": True}},
    },
    "MigrationPlanValidation": {
        "allOf": [ref("MigrationPlan")],
        "description": "A plan, and optionally `processInstanceIds`: the instances to check.",
    },
    "MigrationExecution": {
        "type": "object", "required": ["migrationPlan"],
        "description": "MigrationExecutionDto; processInstanceQuery takes processDefinitionId, "
                       "processDefinitionKey, businessKey and processInstanceIds.",
        "properties": {"migrationPlan": ref("MigrationPlan"),
                       "processInstanceIds": {"type": "array", "items": {"type": "string"}},
                       "processInstanceQuery": {"type": "object", "nullable": True},
                       "skipCustomListeners": {"type": "boolean"}, "skipIoMappings": {"type": "boolean"}},
    },
    "MigrationPlanReport": model(
        "MigrationPlanReportDto, with each instance that cannot migrate and why.",
        instructionReports={"type": "array", "items": model(
            "An instruction that is not valid.", instruction="MigrationInstruction",
            failures={"type": "array", "items": {"type": "string"}})},
        variableReports=map_of(model("A variable the new version requires that instances lack.",
                                     failures={"type": "array", "items": {"type": "string"}})),
        instanceReports={"type": "array", "items": model(
            "An instance that cannot migrate.", processInstanceId="string",
            failures={"type": "array", "items": {"type": "string"}})}),
    "ProcessDefinitionXml": model("The BPMN 2.0 XML of a process definition.", id="string", bpmn20Xml="string"),
    "ProcessInstance": model(
        "ProcessInstanceDto.", links={"type": "array", "items": ref("Link")}, id="string",
        definitionId="string", definitionKey="string?", businessKey="string?", caseInstanceId="string?",
        ended="boolean", suspended="boolean", tenantId="string?"),
    "Task": model(
        "TaskDto (open tasks only).", id="string", name="string?", assignee="string?", owner="string?",
        created="date?", lastUpdated="date?", due="date?", followUp="date?", delegationState="string?",
        description="string?", executionId="string", parentTaskId="string?", priority="integer",
        processDefinitionId="string?", processInstanceId="string", taskDefinitionKey="string?",
        caseExecutionId="string?", caseInstanceId="string?", caseDefinitionId="string?", suspended="boolean",
        formKey="string?",
        camundaFormRef={"type": "object", "nullable": True, "required": ["key", "binding", "version"],
                        "properties": {"key": {"type": "string"}, "binding": {"type": "string"},
                                       "version": {"type": "integer", "nullable": True}}},
        tenantId="string?", taskState="string"),
    "ExternalTask": model(
        "LockedExternalTaskDto (fetchAndLock), also a superset of ExternalTaskDto (GET /external-task).",
        activityId="string", activityInstanceId="string", errorMessage="string?", errorDetails="string?",
        executionId="string", id="string", lockExpirationTime="date?", createTime="date?",
        processDefinitionId="string?", processDefinitionKey="string?", processDefinitionVersionTag="string?",
        processInstanceId="string", retries="integer?", suspended="boolean", workerId="string?",
        topicName="string", tenantId="string?", variables="Variables", priority="integer", businessKey="string?",
        extensionProperties=map_of("string")),
    "HistoricProcessInstance": model(
        "HistoricProcessInstanceDto.", id="string", businessKey="string?", processDefinitionId="string",
        processDefinitionKey="string?", processDefinitionName="string?", processDefinitionVersion="integer?",
        startTime="date?", endTime="date?", removalTime="date?", durationInMillis="integer?",
        startUserId="string?", startActivityId="string?", deleteReason="string?", rootProcessInstanceId="string",
        superProcessInstanceId="string?", superCaseInstanceId="string?", caseInstanceId="string?",
        tenantId="string?",
        state={"type": "string", "enum": ["ACTIVE", "SUSPENDED", "COMPLETED", "EXTERNALLY_TERMINATED",
                                          "INTERNALLY_TERMINATED"]},
        restartedProcessInstanceId="string?"),
    "HistoricTask": model(
        "HistoricTaskInstanceDto.", id="string", processDefinitionKey="string?", processDefinitionId="string?",
        processInstanceId="string?", executionId="string?", caseDefinitionKey="string?",
        caseDefinitionId="string?", caseInstanceId="string?", caseExecutionId="string?",
        activityInstanceId="string?", name="string?", description="string?", deleteReason="string?",
        owner="string?", assignee="string?", startTime="date?", endTime="date?", duration="integer?",
        taskDefinitionKey="string?", priority="integer", due="date?", parentTaskId="string?", followUp="date?",
        tenantId="string?", removalTime="date?", rootProcessInstanceId="string?",
        taskState={"type": "string", "enum": ["Created", "Updated", "Completed", "Deleted"]}),
    "HistoricActivityInstance": model(
        "HistoricActivityInstanceDto.", id="string", parentActivityInstanceId="string", activityId="string",
        activityName="string?", activityType="string", processDefinitionKey="string?",
        processDefinitionId="string?", processInstanceId="string", executionId="string", taskId="string?",
        calledProcessInstanceId="string?", calledCaseInstanceId="string?", assignee="string?",
        startTime="date?", endTime="date?", durationInMillis="integer?", canceled="boolean",
        completeScope="boolean", tenantId="string?", removalTime="date?", rootProcessInstanceId="string"),
    "EventSubscription": model(
        "A message or signal an instance waits for, or that starts a process (no instance).",
        id="string", eventType="string", eventName="string", executionId="string?", processInstanceId="string?",
        activityId="string", createdDate="date", tenantId="string?"),
    # -- request bodies
    "StartProcessInstance": {
        "type": "object", "description": "Variables and business key of the new instance.",
        "properties": {"variables": {"allOf": [ref("VariablesInput")], "nullable": True},
                       "businessKey": {"type": "string", "nullable": True}},
    },
    "ModifyVariables": {
        "type": "object", "description": "Camunda's PatchVariablesDto: deletions come after modifications.",
        "properties": {"modifications": {"allOf": [ref("VariablesInput")], "nullable": True},
                       "deletions": {"type": "array", "items": {"type": "string", "minLength": 1},
                                     "nullable": True}},
    },
    "SuspensionState": {
        "type": "object", "required": ["suspended"], "description": "true suspends, false activates.",
        "properties": {"suspended": {"type": "boolean"}},
    },
    "DefinitionSuspensionState": {
        "type": "object", "required": ["suspended"],
        "description": "true suspends, false activates; executionDate is refused (the change is immediate).",
        "properties": {"suspended": {"type": "boolean"},
                       "includeProcessInstances": {"type": "boolean", "nullable": True},
                       "executionDate": {"type": "string", "nullable": True}},
    },
    "ProcessInstanceModification": {
        "type": "object", "required": ["instructions"],
        "description": "Camunda's ProcessInstanceModificationDto; instructions name an activity by activityId.",
        "properties": {
            "instructions": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["type", "activityId"],
                "properties": {"type": {"type": "string",
                                        "enum": ["cancel", "startBeforeActivity", "startAfterActivity"]},
                               "activityId": {"type": "string", "minLength": 1}}}},
            "skipCustomListeners": {"type": "boolean", "nullable": True},
            "skipIoMappings": {"type": "boolean", "nullable": True},
            "annotation": {"type": "string", "nullable": True, "maxLength": 4000},
        },
    },
    "EvaluateDecision": {
        "type": "object", "description": "The decision's input variables.",
        "properties": {"variables": {"allOf": [ref("VariablesInput")], "nullable": True}},
    },
    "DecisionResults": {
        "type": "array", "items": map_of("TypedValue"),
        "description": "One map of output name to typed value per matched rule (a single one for a "
                       "COLLECT aggregation); empty when no rule matches.",
    },
    "CorrelationMessage": {
        "type": "object", "required": ["messageName"],
        "description": "Camunda's CorrelationMessageDto. Local correlation keys and local variables are refused: "
                       "variables belong to the process instance.",
        "properties": {
            "messageName": {"type": "string", "minLength": 1},
            "businessKey": {"type": "string", "nullable": True},
            "processInstanceId": {"type": "string", "nullable": True},
            "correlationKeys": {"allOf": [ref("VariablesInput")], "nullable": True},
            "processVariables": {"allOf": [ref("VariablesInput")], "nullable": True},
            "all": {"type": "boolean", "default": False},
            "resultEnabled": {"type": "boolean", "default": False},
            "variablesInResultEnabled": {"type": "boolean", "default": False},
        },
    },
    "MessageCorrelationResults": {
        "type": "array", "description": "One result per execution reached or instance started.",
        "items": {"type": "object", "required": ["resultType", "execution", "processInstance"], "properties": {
            "resultType": {"type": "string", "enum": ["Execution", "ProcessDefinition"]},
            "execution": {"type": "object", "nullable": True, "properties": {
                "id": {"type": "string"}, "processInstanceId": {"type": "string"}, "ended": {"type": "boolean"},
                "tenantId": {"type": "string", "nullable": True}}},
            "processInstance": {"allOf": [ref("ProcessInstance")], "nullable": True},
            "variables": ref("Variables"),
        }},
    },
    "Signal": {
        "type": "object", "required": ["name"], "description": "Camunda's SignalDto, without executionId.",
        "properties": {"name": {"type": "string", "minLength": 1},
                       "variables": {"allOf": [ref("VariablesInput")], "nullable": True},
                       "tenantId": {"type": "string", "nullable": True},
                       "withoutTenantId": {"type": "boolean", "nullable": True}},
    },
    "UserIdBody": {
        "type": "object",
        "properties": {"userId": {"type": "string", "nullable": True,
                                  "description": "claim: only yourself unless you are in an office-wide role; "
                                                 "assignee: null removes the assignee"}},
    },
    "CompleteTask": {
        "type": "object",
        "properties": {"variables": {"allOf": [ref("VariablesInput")], "nullable": True},
                       "withVariablesInReturn": {"type": "boolean"}},
    },
    "FetchAndLock": {
        "type": "object", "required": ["workerId"],
        "properties": {
            "workerId": {"type": "string", "minLength": 1},
            "maxTasks": {"type": "integer", "minimum": 0, "default": 1},
            "usePriority": {"type": "boolean", "description": "accepted and ignored"},
            "topics": {"type": "array", "items": {
                "type": "object", "required": ["topicName", "lockDuration"],
                "properties": {
                    "topicName": {"type": "string", "minLength": 1},
                    "lockDuration": {"type": "integer", "description": "milliseconds"},
                    "variables": {"type": "array", "items": {"type": "string"}, "nullable": True,
                                  "description": "the variables to fetch; all when absent"},
                    "processDefinitionKey": {"type": "string", "nullable": True},
                }}},
        },
    },
    "CompleteExternalTask": {
        "type": "object", "required": ["workerId"],
        "properties": {"workerId": {"type": "string", "minLength": 1},
                       "variables": {"allOf": [ref("VariablesInput")], "nullable": True}},
    },
    "ExternalTaskFailure": {
        "type": "object", "required": ["workerId"],
        "properties": {
            "workerId": {"type": "string", "minLength": 1},
            "errorMessage": {"type": "string", "nullable": True},
            "errorDetails": {"type": "string", "nullable": True},
            "retries": {"type": "integer", "nullable": True,
                        "description": "retries left; 0 raises an incident. Default: one less than before"},
            "retryTimeout": {"type": "integer", "nullable": True,
                             "description": "milliseconds before the task can be fetched again"},
        },
    },
    "Incident": model(
        "IncidentDto (open incidents).", id="string", processDefinitionId="string", processInstanceId="string",
        executionId="string", incidentTimestamp="date", incidentType="string", activityId="string?",
        failedActivityId="string?", causeIncidentId="string", rootCauseIncidentId="string",
        configuration="string?", tenantId="string?", incidentMessage="string?", jobDefinitionId="string?",
        annotation="string?"),
    "Job": model(
        "JobDto of a failed job (a step stopped in a failedJob incident).", id="string",
        jobDefinitionId="string?", dueDate="date?", processInstanceId="string", executionId="string",
        processDefinitionId="string", processDefinitionKey="string?", retries="integer",
        exceptionMessage="string?", failedActivityId="string?", suspended="boolean", priority="integer",
        tenantId="string?", createTime="date", batchId="string?"),
    "RetriesInput": {
        "type": "object", "required": ["retries"],
        "properties": {"retries": {"type": "integer", "minimum": 0,
                                   "description": "above 0: the failed step runs again and its incident is resolved"}},
    },
    "AnnotationInput": {
        "type": "object",
        "properties": {"annotation": {"type": "string", "nullable": True, "maxLength": 4000}},
    },
    "Deploy": {
        "type": "object", "required": ["data"],
        "description": "Any number of file parts (the field name is free; the part's file name must end in "
                       ".bpmn, .dmn or .form), plus the optional text fields.",
        "properties": {
            "data": {"type": "string", "format": "binary", "description": "a model file"},
            "deployment-name": {"type": "string"},
            "deployment-source": {"type": "string"},
            "tenant-id": {"type": "string"},
            "enable-duplicate-filtering": {"type": "boolean", "default": False},
            "deploy-changed-only": {"type": "boolean", "default": False},
        },
    },
}
