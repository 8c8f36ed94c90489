"""The operations table of the /engine-rest OpenAPI document: one `Op` per route, with its query parameters."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from web.rest.openapi_schemas import array_of

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
    flag("suspended", "Only suspended instances."),
    flag("active", "Only instances that are not suspended."),
)
TASK_FILTERS = (
    query("processInstanceId", "Only tasks of this instance."),
    query("processDefinitionKey", "Only tasks of instances of this process key."),
    query("processInstanceBusinessKey", "Only tasks of instances with this business key."),
    query("assignee", "Only tasks assigned to this user."),
    query("candidateGroup", "Only tasks offered to this group."),
    query("candidateUser", "Only tasks offered to this user."),
    flag("unassigned", "Only tasks nobody holds."),
    flag("suspended", "Only tasks of suspended instances."),
    flag("active", "Only tasks of instances that are not suspended."),
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
EVENT_SUBSCRIPTION_FILTERS = (
    one_of("eventType", "Only this kind of event.", ["message", "signal"]),
    query("eventName", "Only this message or signal name."),
    query("processInstanceId", "Only this instance's subscriptions."),
    query("activityId", "Only this BPMN element's."),
)
INCIDENT_FILTERS = (
    query("incidentId", "Only this incident."),
    query("incidentType", "failedJob or failedExternalTask."),
    query("processInstanceId", "Only incidents of this instance."),
    query("processDefinitionId", "Only incidents of this definition."),
    query("activityId", "Only incidents at this BPMN element."),
    query("configuration", "Only the incident of this job or external task."),
    one_of("sortBy", "Sort key (default incidentTimestamp).",
           ["incidentId", "incidentMessage", "incidentTimestamp", "incidentType", "executionId", "activityId",
            "processInstanceId", "processDefinitionId", "configuration"]),
    one_of("sortOrder", "asc (default) or desc.", ["asc", "desc"]),
)
TASK_HISTORY_FILTERS = tuple(p for p in HISTORY_INSTANCE_FILTERS if p["name"] not in ("finished", "unfinished"))
SORTED_BOTH = " Camunda's rule: sortBy and sortOrder together or neither."
DECISION_INCLUDES = (
    flag("includeInputs", "Include the inputs of each decision (else null)."),
    flag("includeOutputs", "Include the outputs of each matched rule (else null)."),
    flag("disableBinaryFetching", "Accepted and ignored (no binary values)."),
    flag("disableCustomObjectDeserialization", "Accepted and ignored."),
)
DECISION_HISTORY_FILTERS = (
    query("decisionInstanceId", "Only this evaluated decision."),
    query("decisionInstanceIdIn", "Comma-separated evaluated decision ids.", style="form", explode=False),
    query("decisionDefinitionId", "Only evaluations of this decision definition."),
    query("decisionDefinitionKey", "Only evaluations of decisions with this key."),
    query("processInstanceId", "Only evaluations of this process instance's business rule tasks."),
    query("activityIdIn", "Comma-separated BPMN element ids.", style="form", explode=False),
    query("rootDecisionInstanceId", "This evaluated decision and the required decisions evaluated for it."),
    date_query("evaluatedBefore", "Only evaluations at or before this time."),
    date_query("evaluatedAfter", "Only evaluations at or after this time."),
    one_of("sortBy", "Sort key." + SORTED_BOTH, ["evaluationTime", "tenantId"]),
    one_of("sortOrder", "asc or desc." + SORTED_BOTH, ["asc", "desc"]),
)
DETAIL_FILTERS = (
    query("processInstanceId", "Only changes of this instance's variables."),
    query("processInstanceIdIn", "Comma-separated instance ids.", style="form", explode=False),
    query("variableInstanceId", "Only changes of this variable (<processInstanceId>:<name>)."),
    query("activityInstanceId", "Only changes made in this activity instance."),
    query("executionId", "Only changes in this execution (the instance)."),
    query("taskId", "Only values given by this task."),
    flag("variableUpdates", "Only variable updates (every detail here is one)."),
    flag("formFields", "Only form fields: none here, submitted values are variable updates."),
    date_query("occurredBefore", "Only changes at or before this time."),
    date_query("occurredAfter", "Only changes at or after this time."),
    one_of("sortBy", "Sort key." + SORTED_BOTH, ["time", "processInstanceId", "variableName", "variableType",
                                                "variableRevision", "formPropertyId", "occurrence", "tenantId"]),
    one_of("sortOrder", "asc or desc." + SORTED_BOTH, ["asc", "desc"]),
)

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
    media_type: str = "application/json"  # of the success body

    @property
    def tag(self) -> str:
        first = self.path.strip("/").split("/")[0]
        return {"openapi.json": "meta", "version": "meta"}.get(first, first)


DEFINITION = "ProcessDefinition"
# Bodies the route refuses without (workerId); the others may be empty.
REQUIRED_BODIES = frozenset({"FetchAndLock", "CompleteExternalTask", "ExternalTaskFailure", "TypedValueInput",
                             "CorrelationMessage", "Signal", "RetriesInput", "SuspensionState",
                             "DefinitionSuspensionState", "ProcessInstanceModification"})

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
    Op("put", "/process-definition/{definition_id}/suspended", "updateSuspensionStateById",
       "Suspend or activate a process definition, optionally its running instances (administrators)",
       (204, None), (400, 403, 404), body="DefinitionSuspensionState"),
    Op("put", "/process-definition/key/{key}/suspended", "updateSuspensionStateByKey",
       "Suspend or activate every version of a key, optionally their running instances (administrators)",
       (204, None), (400, 403, 404), body="DefinitionSuspensionState"),
    # -- decision definitions
    Op("post", "/decision-definition/{definition_id}/evaluate", "evaluateDecisionById",
       "Evaluate a decision definition, its required decisions first", (200, "DecisionResults"), (400, 404),
       body="EvaluateDecision"),
    Op("post", "/decision-definition/key/{key}/evaluate", "evaluateDecisionByKey",
       "Evaluate the latest decision definition of a key, its required decisions first",
       (200, "DecisionResults"), (400, 404), body="EvaluateDecision"),
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
    Op("post", "/process-instance/{instance_id}/variables", "modifyProcessInstanceVariables",
       "Set and delete variables of a running instance (office-wide roles)", (204, None), (400, 403, 404, 409),
       body="ModifyVariables"),
    Op("put", "/process-instance/{instance_id}/variables/{name}", "setProcessInstanceVariable",
       "Set one variable of a running instance (office-wide roles)", (204, None), (400, 403, 404, 409),
       body="TypedValueInput"),
    Op("delete", "/process-instance/{instance_id}/variables/{name}", "deleteProcessInstanceVariable",
       "Delete one variable of a running instance (office-wide roles)", (204, None), (403, 404, 409)),
    Op("put", "/process-instance/{instance_id}/suspended", "updateProcessInstanceSuspensionState",
       "Suspend or activate a running instance (administrators)", (204, None), (400, 403, 404, 409),
       body="SuspensionState"),
    Op("post", "/process-instance/{instance_id}/modification", "modifyProcessInstance",
       "Cancel active activities and start before or after others (administrators)", (204, None),
       (400, 403, 404, 409), body="ProcessInstanceModification"),
    Op("delete", "/process-instance/{instance_id}", "deleteProcessInstance",
       "Delete a process instance (office-wide roles)", (204, None), (403, 404, 409),
       (query("deleteReason", "Recorded in the history."),
        flag("cascade", "An instance a call activity started: delete its callers too (otherwise the "
                        "caller stops in an incident naming the deleted instance)."))),
    # -- messages and signals (reaching the instances the user may see)
    Op("post", "/message", "deliverMessage",
       "Correlate a message to the waiting execution, or start a process at its message start event",
       (204, None), (400,), body="CorrelationMessage", extra_ok=((200, "MessageCorrelationResults"),)),
    Op("post", "/signal", "throwSignal", "Deliver a signal to every waiting instance and start its processes",
       (204, None), (400,), body="Signal"),
    Op("get", "/event-subscription", "getEventSubscriptions", "List the messages and signals waited for",
       (200, array_of("EventSubscription")), (400,), PAGING + EVENT_SUBSCRIPTION_FILTERS),
    Op("get", "/event-subscription/count", "getEventSubscriptionsCount", "Count the messages and signals waited for",
       (200, "Count"), (400,), EVENT_SUBSCRIPTION_FILTERS),
    # -- tasks (those the user may see)
    Op("get", "/task", "getTasks", "List open tasks", (200, array_of("Task")), (400,), PAGING + TASK_FILTERS),
    Op("get", "/task/count", "getTasksCount", "Count open tasks", (200, "Count"), (400,), TASK_FILTERS),
    Op("get", "/task/{task_id}", "getTask", "One open task", (200, "Task"), (404,)),
    Op("get", "/task/{task_id}/form-variables", "getFormVariables", "The variables a task's form shows",
       (200, "Variables"), (404,)),
    Op("get", "/task/{task_id}/variables", "getTaskVariables", "The variables of a task's instance",
       (200, "Variables"), (404,)),
    Op("post", "/task/{task_id}/variables", "modifyTaskVariables",
       "Set and delete variables of a task's instance (office-wide roles)", (204, None), (400, 403, 404, 409),
       body="ModifyVariables"),
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
    Op("put", "/external-task/{task_id}/retries", "setExternalTaskResourceRetries",
       "Set an external task's retries; above 0 resolves its incident (administrators)", (204, None),
       (400, 403, 404, 409), body="RetriesInput"),
    # -- incidents and failed jobs (administrators)
    Op("get", "/incident", "getIncidents", "List open incidents", (200, array_of("Incident")), (400, 403),
       PAGING + INCIDENT_FILTERS),
    Op("get", "/incident/count", "getIncidentsCount", "Count open incidents", (200, "Count"), (400, 403),
       INCIDENT_FILTERS),
    Op("get", "/incident/{incident_id}", "getIncident", "One open incident", (200, "Incident"), (403, 404)),
    Op("delete", "/incident/{incident_id}", "resolveIncident",
       "Resolve an incident: refused for failedJob and failedExternalTask (retry the job instead)", (204, None),
       (400, 403, 404)),
    Op("put", "/incident/{incident_id}/annotation", "setIncidentAnnotation", "Annotate an open incident",
       (204, None), (400, 403, 404), body="AnnotationInput"),
    Op("delete", "/incident/{incident_id}/annotation", "clearIncidentAnnotation",
       "Clear an open incident's annotation", (204, None), (403, 404)),
    Op("get", "/job", "getJobs", "List failed jobs", (200, array_of("Job")), (400, 403),
       PAGING + (query("processInstanceId", "Only jobs of this instance."),
                 query("processDefinitionId", "Only jobs of this definition."))),
    Op("get", "/job/{job_id}", "getJob", "One failed job", (200, "Job"), (403, 404)),
    Op("get", "/job/{job_id}/stacktrace", "getStacktrace", "The stack trace of a failed job",
       (200, {"type": "string"}), (403, 404), media_type="text/plain"),
    Op("put", "/job/{job_id}/retries", "setJobRetries",
       "Set a failed job's retries; above 0 runs the failed step again and resolves its incident",
       (204, None), (400, 403, 404, 409), body="RetriesInput"),
    # -- migration between process versions (administrators)
    Op("post", "/migration/generate", "generateMigrationPlan",
       "A plan mapping each element of the source version to the target's element with the same id",
       (200, "MigrationPlan"), (403, 404), body="MigrationPlanGeneration"),
    Op("post", "/migration/validate", "validateMigrationPlan",
       "Check a plan and the instances it would move (every running one of the source by default)",
       (200, "MigrationPlanReport"), (403, 404), body="MigrationPlanValidation"),
    Op("post", "/migration/execute", "executeMigrationPlan",
       "Move the listed instances to the target version: all of them, or none (400 with the report)",
       (204, None), (403, 404, 409), body="MigrationExecution"),
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
    Op("get", "/history/decision-instance", "getHistoricDecisionInstances",
       "List evaluated decisions (DMN history): inputs, matched rules, outputs",
       (200, array_of("HistoricDecisionInstance")), (400,), PAGING + DECISION_HISTORY_FILTERS + DECISION_INCLUDES),
    Op("get", "/history/decision-instance/count", "getHistoricDecisionInstancesCount", "Count evaluated decisions",
       (200, "Count"), (400,), DECISION_HISTORY_FILTERS),
    Op("get", "/history/decision-instance/{decision_instance_id}", "getHistoricDecisionInstance",
       "One evaluated decision", (200, "HistoricDecisionInstance"), (400, 404), DECISION_INCLUDES),
    Op("get", "/history/detail", "getHistoricDetails", "List variable updates of process instances, oldest first",
       (200, array_of("HistoricVariableUpdate")), (400,), PAGING + DETAIL_FILTERS),
    Op("get", "/history/detail/count", "getHistoricDetailsCount", "Count variable updates", (200, "Count"),
       (400,), DETAIL_FILTERS),
)
