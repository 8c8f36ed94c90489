"""The OpenAPI 3.0 document of /engine-rest, served (without authentication) at GET /engine-rest/openapi.json.

The document is built from the declarative table `OPERATIONS` below: one `Op` per route of the
blueprint, naming its method, path (OpenAPI template; the parameter names are the Flask rule's),
query parameters, request body, success response and error statuses. `tests/rest/test_openapi.py`
compares the table with `app.url_map` both ways, validates the document against the OpenAPI 3.0
meta-schema and runs schemathesis over every operation, so a route added without a row here (or
a row left behind by a removed route) fails the suite.

Error statuses are those the handlers in web/rest/errors.py can produce for the operation; every
error body is Camunda's `{"type", "message"}`. Dates are Camunda's `yyyy-MM-dd'T'HH:mm:ss.SSSZ`
(e.g. `2025-08-08T23:59:59.000+0700`), which is not RFC 3339 (no colon in the offset), so they are
described by a pattern rather than `format: date-time`.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

from flask import jsonify

from web.rest.blueprint import rest
from web.rest.deployment_routes import ENGINE_VERSION

OPENAPI_PATH = "/openapi.json"  # under the blueprint's /engine-rest prefix; public (see auth.PUBLIC_PATHS)

# ---------------------------------------------------------------------------------------------
# schemas of the bodies (components/schemas)

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
    "Deployment": model(
        "DeploymentDto; after a deployment, DeploymentWithDefinitionsDto (the definitions it stored, "
        "by id, or null when it stored none).",
        links={"type": "array", "items": ref("Link")}, id="string", name="string?", source="string?",
        deploymentTime="date?", tenantId="string?",
        deployedProcessDefinitions=map_of("ProcessDefinition", nullable=True),
        deployedCaseDefinitions="object?",
        deployedDecisionDefinitions=map_of("DecisionDefinition", nullable=True),
        deployedDecisionRequirementsDefinitions="object?"),
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
    # -- request bodies
    "StartProcessInstance": {
        "type": "object", "description": "Variables and business key of the new instance.",
        "properties": {"variables": {"allOf": [ref("VariablesInput")], "nullable": True},
                       "businessKey": {"type": "string", "nullable": True}},
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

# ---------------------------------------------------------------------------------------------
# query parameters


def query(name: str, description: str, schema: dict | str = "string", **extra: Any) -> dict:
    schema = {"type": schema} if isinstance(schema, str) else schema
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema, **extra}


def flag(name: str, description: str) -> dict:
    return query(name, description, "boolean")


def one_of(name: str, description: str, values: list[str]) -> dict:
    return query(name, description, {"type": "string", "enum": values})


def date_query(name: str, description: str) -> dict:
    return query(name, description + " Camunda's date format; an offset with or without colon, or Z; "
                 "without an offset the service time zone.", {"type": "string"},
                 example="2025-06-30T17:00:00.000+0700")


PAGING = (
    query("firstResult", "Index of the first result to return.", {"type": "integer", "minimum": 0}),
    query("maxResults", "Maximum number of results to return.", {"type": "integer", "minimum": 0}),
)
DEFINITION_FILTERS = (
    query("key", "Only definitions with this key."),
    flag("latestVersion", "Only the latest version of each key."),
    one_of("sortBy", "Sort key (default key).", ["key", "version", "id", "name"]),
    one_of("sortOrder", "asc (default) or desc.", ["asc", "desc"]),
)
INSTANCE_FILTERS = (
    query("processDefinitionKey", "Only instances of this process key."),
    query("processDefinitionId", "Only instances of this definition."),
    query("businessKey", "Only instances with this business key."),
    query("processInstanceIds", "Comma-separated instance ids.", style="form", explode=False),
)
TASK_FILTERS = (
    query("processInstanceId", "Only tasks of this instance."),
    query("processDefinitionKey", "Only tasks of instances of this process key."),
    query("processInstanceBusinessKey", "Only tasks of instances with this business key."),
    query("assignee", "Only tasks assigned to this user."),
    query("candidateGroup", "Only tasks offered to this group."),
    query("candidateUser", "Only tasks offered to this user."),
    flag("unassigned", "Only tasks nobody holds."),
    date_query("dueBefore", "Only tasks due before this time."),
    date_query("dueAfter", "Only tasks due after this time."),
    date_query("followUpBefore", "Only tasks to follow up before this time."),
    one_of("sortBy", "Sort key (default dueDate).", ["dueDate", "followUpDate", "created", "priority", "name", "id"]),
    one_of("sortOrder", "asc (default) or desc.", ["asc", "desc"]),
)
HISTORY_INSTANCE_FILTERS = (
    query("processInstanceId", "Only this instance."),
    query("processDefinitionKey", "Only instances of this process key."),
    query("processDefinitionId", "Only instances of this definition."),
    query("processInstanceBusinessKey", "Only instances with this business key."),
    query("businessKey", "Same as processInstanceBusinessKey (which wins)."),
    flag("finished", "Only ended instances."),
    flag("unfinished", "Only running instances."),
)
TASK_HISTORY_FILTERS = tuple(p for p in HISTORY_INSTANCE_FILTERS if p["name"] not in ("finished", "unfinished"))

# ---------------------------------------------------------------------------------------------
# the operations


@dataclass(frozen=True)
class Op:
    method: str
    path: str                      # under /engine-rest, with {name} as in the Flask rule's <name>
    operation_id: str
    summary: str
    ok: tuple[int, Any]            # (status, schema name / schema dict / None for no body)
    errors: tuple[int, ...] = ()   # statuses besides 400 and 401, which every authenticated operation has
    params: tuple[dict, ...] = ()
    body: str | None = None        # a schema name: a JSON body (optional unless in REQUIRED_BODIES)
    public: bool = False
    extra_ok: tuple[tuple[int, Any], ...] = field(default=())

    @property
    def tag(self) -> str:
        first = self.path.strip("/").split("/")[0]
        return {"openapi.json": "meta", "version": "meta"}.get(first, first)


DEFINITION = "ProcessDefinition"
# Bodies the route refuses without (workerId); the others may be empty.
REQUIRED_BODIES = frozenset({"FetchAndLock", "CompleteExternalTask", "ExternalTaskFailure"})

OPERATIONS: tuple[Op, ...] = (
    Op("get", "/openapi.json", "getOpenApi", "This document", (200, {"type": "object"}), public=True),
    Op("get", "/version", "getRestApiVersion", "The Camunda REST version this subset follows", (200, "Version")),
    # -- deployments
    Op("get", "/deployment", "getDeployments", "List deployments, oldest first", (200, array_of("Deployment")),
       (400,), PAGING + (query("name", "Only deployments with this name."),)),
    Op("get", "/deployment/count", "getDeploymentsCount", "Count deployments", (200, "Count")),
    Op("post", "/deployment/create", "createDeployment", "Deploy BPMN, DMN and form files (designers)",
       (200, "Deployment"), (400, 403, 409), body="Deploy"),
    Op("get", "/deployment/{deployment_id}", "getDeployment", "One deployment", (200, "Deployment"), (404,)),
    Op("delete", "/deployment/{deployment_id}", "deleteDeployment",
       "Delete a deployment (designers); refused while its instances run, unless cascade", (204, None),
       (400, 403, 404, 409), (flag("cascade", "Delete its process instances too."),)),
    Op("get", "/deployment/{deployment_id}/script-limits", "getDeploymentScriptLimits",
       "The CPU-time and memory limits of a deployment's scripts (designers)", (200, "ScriptLimits"), (403, 404)),
    Op("put", "/deployment/{deployment_id}/script-limits", "setDeploymentScriptLimits",
       "Change the limits of a deployment's scripts (administrators)", (200, "ScriptLimits"), (400, 403, 404),
       body="ScriptLimitsInput"),
    # -- process definitions
    Op("get", "/process-definition", "getProcessDefinitions", "List process definitions",
       (200, array_of(DEFINITION)), (400,), PAGING + DEFINITION_FILTERS),
    Op("get", "/process-definition/count", "getProcessDefinitionsCount", "Count process definitions",
       (200, "Count"), (400,), PAGING + DEFINITION_FILTERS),
    Op("get", "/process-definition/{definition_id}", "getProcessDefinition", "One process definition",
       (200, DEFINITION), (404,)),
    Op("get", "/process-definition/{definition_id}/xml", "getProcessDefinitionBpmn20Xml",
       "The BPMN XML of a process definition", (200, "ProcessDefinitionXml"), (404,)),
    Op("get", "/process-definition/key/{key}", "getProcessDefinitionByKey",
       "The latest process definition of a key", (200, DEFINITION), (404,)),
    Op("get", "/process-definition/key/{key}/xml", "getProcessDefinitionBpmn20XmlByKey",
       "The BPMN XML of the latest definition of a key", (200, "ProcessDefinitionXml"), (404,)),
    Op("post", "/process-definition/{definition_id}/start", "startProcessInstance",
       "Start an instance of a definition", (200, "ProcessInstance"), (400, 404, 409),
       body="StartProcessInstance"),
    Op("post", "/process-definition/key/{key}/start", "startProcessInstanceByKey",
       "Start an instance of the latest definition of a key", (200, "ProcessInstance"), (400, 404, 409),
       body="StartProcessInstance"),
    # -- process instances (those the user takes part in; all for the office-wide roles)
    Op("get", "/process-instance", "getProcessInstances", "List running process instances",
       (200, array_of("ProcessInstance")), (400,), PAGING + INSTANCE_FILTERS),
    Op("get", "/process-instance/count", "getProcessInstancesCount", "Count running process instances",
       (200, "Count"), (), INSTANCE_FILTERS),
    Op("get", "/process-instance/{instance_id}", "getProcessInstance", "One running process instance",
       (200, "ProcessInstance"), (404,)),
    Op("get", "/process-instance/{instance_id}/variables", "getProcessInstanceVariables",
       "The variables of a process instance", (200, "Variables"), (404,)),
    Op("get", "/process-instance/{instance_id}/variables/{name}", "getProcessInstanceVariable",
       "One variable of a process instance", (200, "TypedValue"), (404,)),
    Op("delete", "/process-instance/{instance_id}", "deleteProcessInstance",
       "Delete a process instance (office-wide roles)", (204, None), (403, 404, 409),
       (query("deleteReason", "Recorded in the history."),)),
    # -- tasks (those the user may see)
    Op("get", "/task", "getTasks", "List open tasks", (200, array_of("Task")), (400,), PAGING + TASK_FILTERS),
    Op("get", "/task/count", "getTasksCount", "Count open tasks", (200, "Count"), (400,), TASK_FILTERS),
    Op("get", "/task/{task_id}", "getTask", "One open task", (200, "Task"), (404,)),
    Op("get", "/task/{task_id}/form-variables", "getFormVariables", "The variables a task's form shows",
       (200, "Variables"), (404,)),
    Op("post", "/task/{task_id}/claim", "claim", "Claim a task", (204, None), (400, 403, 404, 409),
       body="UserIdBody"),
    Op("post", "/task/{task_id}/unclaim", "unclaim", "Give a task back", (204, None), (403, 404, 409)),
    Op("post", "/task/{task_id}/assignee", "setAssignee", "Assign a task to someone (office-wide roles)",
       (204, None), (400, 403, 404, 409), body="UserIdBody"),
    Op("post", "/task/{task_id}/complete", "complete", "Complete a task with its form's values", (204, None),
       (400, 403, 404, 409), body="CompleteTask",
       extra_ok=((200, "Variables"),)),  # with withVariablesInReturn: the instance's variables after completion
    # -- external tasks (members of the 'worker' group)
    Op("post", "/external-task/fetchAndLock", "fetchAndLock", "Lock external tasks of the given topics",
       (200, array_of("ExternalTask")), (400, 403), body="FetchAndLock"),
    Op("get", "/external-task", "getExternalTasks", "List open external tasks", (200, array_of("ExternalTask")),
       (403,)),
    Op("post", "/external-task/{task_id}/complete", "completeExternalTask", "Complete a locked external task",
       (204, None), (400, 403, 404, 409), body="CompleteExternalTask"),
    Op("post", "/external-task/{task_id}/failure", "handleFailure", "Report a failed attempt", (204, None),
       (400, 403, 404, 409), body="ExternalTaskFailure"),
    Op("post", "/external-task/{task_id}/unlock", "unlock", "Release an external task's lock", (204, None),
       (403, 404)),
    # -- history
    Op("get", "/history/process-instance", "getHistoricProcessInstances",
       "List process instances, ended or not", (200, array_of("HistoricProcessInstance")), (400,),
       PAGING + HISTORY_INSTANCE_FILTERS + (query("startedBy", "Only instances started by this user."),)),
    Op("get", "/history/process-instance/count", "getHistoricProcessInstancesCount",
       "Count process instances, ended or not", (200, "Count"), (400,), HISTORY_INSTANCE_FILTERS),
    Op("get", "/history/task", "getHistoricTaskInstances", "List tasks, completed or not",
       (200, array_of("HistoricTask")), (400,),
       PAGING + TASK_HISTORY_FILTERS + (query("taskAssignee", "Only tasks held by this user."),
                                        flag("finished", "Only completed or cancelled tasks."),
                                        flag("unfinished", "Only open tasks."))),
    Op("get", "/history/activity-instance", "getHistoricActivityInstances", "List activities that ran or run",
       (200, array_of("HistoricActivityInstance")), (400,),
       PAGING + HISTORY_INSTANCE_FILTERS + (query("activityId", "Only this BPMN element."),)),
)

ERROR_DESCRIPTIONS = {
    400: "Bad request: a malformed parameter or body, a model that does not parse, or values the form refuses",
    401: "No valid credentials",
    403: "The user may not do this",
    404: "No such resource, or one the user may not see",
    409: "The resource changed meanwhile or is not in a state that allows this",
    429: "Signing in is blocked for a while after too many wrong passwords",
}
PATH_PARAMETER = re.compile(r"{([^}]+)}")


def _content(schema: Any, media_type: str = "application/json") -> dict:
    return {media_type: {"schema": ref(schema) if isinstance(schema, str) else schema}}


def _response(status: int, schema: Any) -> dict:
    if schema is None:
        return {"description": "Done (no body)"}
    return {"description": "OK", "content": _content(schema)}


def _operation(op: Op) -> dict:
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in PATH_PARAMETER.findall(op.path)] + list(op.params)
    responses = {str(status): _response(status, schema) for status, schema in (op.ok, *op.extra_ok)}
    # Every authenticated operation may answer 400 (and 429 to a password guesser): a NUL character or an out-of-range number
    # anywhere in the request is refused before the handler runs (web/rest/blueprint.py).
    for status in sorted(set(op.errors + (() if op.public else (400, 401, 429)))):
        responses[str(status)] = {"description": ERROR_DESCRIPTIONS[status], "content": _content("Error")}
        if status == 401:
            responses["401"]["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    operation: dict = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag],
                       "responses": responses}
    if parameters:
        operation["parameters"] = parameters
    if op.body == "Deploy":
        operation["requestBody"] = {"required": True, "content": _content("Deploy", "multipart/form-data")}
    elif op.body is not None:
        operation["requestBody"] = {"required": op.body in REQUIRED_BODIES, "content": _content(op.body)}
    if op.public:
        operation["security"] = []
    return operation


def build_document(server_url: str = "/engine-rest") -> dict:
    """The OpenAPI 3.0 document of every route in OPERATIONS (a fresh dict on each call)."""
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(op.path, {})[op.method] = _operation(op)
    return copy.deepcopy({
        "openapi": "3.0.3",
        "info": {
            "title": "ThiDua Flow engine REST API",
            "version": ENGINE_VERSION,
            "description": "The subset of Camunda 7's REST API that Camunda Modeler and Camunda clients use. "
                           "Every operation but this document needs HTTP Basic credentials or an API token "
                           "(Bearer). CORS preflights (OPTIONS) are answered on every path without credentials.",
        },
        "servers": [{"url": server_url}],
        "security": [{"basicAuth": []}, {"bearerAuth": []}],
        "tags": [{"name": name} for name in dict.fromkeys(op.tag for op in OPERATIONS)],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "basicAuth": {"type": "http", "scheme": "basic"},
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "an API token (tdf_...) issued to a user"},
            },
        },
    })


@rest.get(OPENAPI_PATH)
def openapi_document():
    return jsonify(build_document(rest.url_prefix))
