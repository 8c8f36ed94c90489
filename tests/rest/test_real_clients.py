"""The real Python Camunda clients against /engine-rest on a live socket.

pycamunda 0.6.1 drives deployment, start, the task list, claim and complete; the
camunda-external-task-client-python3 (package `camunda`) runs an external worker. Nothing is
mocked: each client speaks HTTP to the app served by the `live_server` fixture, and parses our
answers with its own `load()` / JSON code, so a missing key or a badly formatted date fails here.
"""
from __future__ import annotations

import time
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone

import pycamunda
import pycamunda.deployment
import pycamunda.processdef
import pycamunda.processinst
import pycamunda.task
import pytest
import requests
from camunda.client.external_task_client import ExternalTaskClient
from camunda.external_task.external_task_worker import ExternalTaskWorker, NoExternalTaskFound
from requests.auth import HTTPBasicAuth

from tests.conftest import FIXTURES
from tests.rest.conftest import PASSWORD

HANOI = timezone(timedelta(hours=7))
ELIGIBLE = {"referenceYear": (2025, "Integer"), "startYear": (2000, "Integer"), "rating": ("excellent", "String")}
FORBIDDEN_WORKER = "only members of the 'worker' group run external tasks"


# -- helpers -----------------------------------------------------------------------------------

def basic(user: str) -> HTTPBasicAuth:
    # requests encodes str credentials as latin-1, which cannot hold the Vietnamese password;
    # bytes go out as they are, and the service reads Basic credentials as UTF-8.
    return HTTPBasicAuth(user.encode("utf-8"), PASSWORD.encode("utf-8"))


def as_user(request, user: str):
    """A pycamunda request, authenticated as `user` (pycamunda sends `request.auth` to requests)."""
    request.auth = basic(user)
    return request


def deploy(base_url: str, *files: str, name: str = "thidua-tests"):
    """Deploys fixture files as the designer through pycamunda, with duplicate filtering."""
    create = pycamunda.deployment.Create(url=base_url, name=name, source="pytest real clients",
                                         enable_duplicate_filtering=True)
    with ExitStack() as stack:
        for file_name in files:
            create.add_resource(stack.enter_context(open(FIXTURES / file_name, "rb")))
        return as_user(create, "designer")()


def start(base_url: str, key: str, variables: dict, business_key: str | None = None):
    """Starts `key` as the designer; `variables` maps name -> (value, Camunda type)."""
    request = pycamunda.processdef.StartInstance(url=base_url, key=key, business_key=business_key)
    for name, (value, type_) in variables.items():
        request.add_variable(name, value, type_=type_)
    return as_user(request, "designer")()


def rest_get(base_url: str, path: str, user: str, **params):
    response = requests.get(f"{base_url}/{path}", params=params, auth=basic(user), timeout=10)
    assert response.status_code == 200, (response.status_code, response.text)
    return response.json()


def worker_config(user: str = "worker") -> dict:
    # Short HTTP timeouts keep a misbehaving server from hanging the test (the client's default
    # long-poll timeout is 30 s); no sleepSeconds matter since the worker loop is never entered.
    return {"auth_basic": {"username": user, "password": PASSWORD}, "maxTasks": 1, "lockDuration": 10_000,
            "asyncResponseTimeout": 1_000, "httpTimeoutMillis": 5_000, "timeoutDeltaMillis": 2_000}


def start_full_cycle(base_url: str, business_key: str):
    deployment = deploy(base_url, "full_cycle.bpmn", "rules_check.dmn", name="full-cycle")
    return deployment, start(base_url, "full_cycle", ELIGIBLE, business_key=business_key)


def wait_and_fire_timer(engine, instance_id: str) -> None:
    """Waits (bounded) until the instance's timer is due, then runs the scheduler once."""
    due = engine.runtime.get_instance(instance_id).next_timer_at
    assert due is not None
    if due.tzinfo is None:
        due = due.replace(tzinfo=timezone.utc)
    pause = (due - datetime.now(timezone.utc)).total_seconds() + 0.05
    assert pause < 2, f"PT1S timer is due in {pause:.1f} s"
    time.sleep(max(0.0, pause))
    assert engine.runtime.fire_due_timers() >= 1


# -- 1. pycamunda: deploy, start, task list, claim, complete, history ---------------------------

def test_pycamunda_deploys_with_duplicate_filtering(live_server):
    before = datetime.now(timezone.utc)
    deployment = deploy(live_server, "approval.bpmn", name="approval")

    assert isinstance(deployment, pycamunda.deployment.DeploymentWithDefinitions)
    assert deployment.name == "approval" and deployment.source == "pytest real clients"
    assert deployment.tenant_id is None
    assert deployment.deployment_time.utcoffset() == timedelta(hours=7)
    assert before - timedelta(seconds=1) <= deployment.deployment_time <= datetime.now(timezone.utc)
    assert deployment.links[0].href == f"{live_server}/deployment/{deployment.id_}"
    [(definition_id, definition)] = deployment.deployed_process_definitions.items()
    assert definition.id_ == definition_id and definition_id.startswith("approval:1:")
    assert (definition.key, definition.name, definition.version) == ("approval", "Phê duyệt đề nghị", 1)
    assert definition.resource == "approval.bpmn" and definition.deployment_id == deployment.id_
    assert definition.suspended is False
    assert deployment.deployed_decision_definitions is None
    assert deployment.deployed_case_definitions is None

    # The same file again: nothing new is deployed, Camunda answers with the existing deployment.
    again = deploy(live_server, "approval.bpmn", name="approval")
    assert again.id_ == deployment.id_
    assert again.deployed_process_definitions is None

    definitions = as_user(pycamunda.processdef.GetList(url=live_server, key="approval"), "designer")()
    assert [(d.id_, d.version, d.resource) for d in definitions] == [(definition_id, 1, "approval.bpmn")]


def test_pycamunda_start_claim_complete_and_history(live_server, office):
    deployment = deploy(live_server, "approval.bpmn", name="approval")
    [definition_id] = deployment.deployed_process_definitions

    instance = start(live_server, "approval", {"reviewDue": ("2025-08-08", "String")}, business_key="KH-05")
    assert isinstance(instance, pycamunda.processinst.ProcessInstance)
    assert instance.definition_id == definition_id and instance.business_key == "KH-05"
    assert instance.suspended is False and instance.case_instance_id is None
    assert instance.links[0].href == f"{live_server}/process-instance/{instance.id_}"

    # The officer (group tchcqt) finds the review task among his group's candidates.
    tasks = as_user(pycamunda.task.GetList(url=live_server, candidate_group="tchcqt"), "officer")()
    [task] = tasks
    assert task.name == "Xem xét đề nghị" and task.task_definition_key == "Task_review"
    assert task.process_instance_id == instance.id_ and task.process_definition_id == definition_id
    assert task.execution_id == instance.id_
    assert task.assignee is None and task.priority == 70 and task.suspended is False
    # A date without a time is the end of that day in the office's time zone.
    assert task.due == datetime(2025, 8, 8, 23, 59, 59, tzinfo=HANOI)
    assert task.created.utcoffset() == timedelta(hours=7)

    as_user(pycamunda.task.Claim(url=live_server, id_=task.id_, user_id="officer"), "officer")()
    claimed = as_user(pycamunda.task.Get(url=live_server, id_=task.id_), "officer")()
    assert claimed.assignee == "officer"

    complete = pycamunda.task.Complete(url=live_server, id_=task.id_)
    complete.add_variable("score", 80, type_="Integer")
    assert as_user(complete, "officer")() is None

    # The instance has ended: gone from the runtime views, COMPLETED in history.
    running = as_user(pycamunda.processinst.GetList(url=live_server, business_key="KH-05"), "officer")()
    assert running == ()
    with pytest.raises(pycamunda.NotFound):
        as_user(pycamunda.processinst.Get(url=live_server, id_=instance.id_), "officer")()
    assert as_user(pycamunda.task.GetList(url=live_server, process_instance_id=instance.id_), "officer")() == ()

    [historic] = rest_get(live_server, "history/process-instance", "officer", processInstanceId=instance.id_)
    assert historic["id"] == instance.id_ and historic["state"] == "COMPLETED"
    assert historic["businessKey"] == "KH-05" and historic["startUserId"] == "designer"
    assert historic["processDefinitionId"] == definition_id and historic["processDefinitionKey"] == "approval"
    assert historic["processDefinitionName"] == "Phê duyệt đề nghị" and historic["processDefinitionVersion"] == 1
    assert historic["endTime"] is not None and historic["durationInMillis"] >= 0
    finished = rest_get(live_server, "history/process-instance", "officer", finished="true",
                        processDefinitionKey="approval")
    assert [h["id"] for h in finished] == [instance.id_]

    [historic_task] = rest_get(live_server, "history/task", "officer", processInstanceId=instance.id_)
    assert historic_task["id"] == task.id_ and historic_task["taskDefinitionKey"] == "Task_review"
    assert historic_task["name"] == "Xem xét đề nghị" and historic_task["assignee"] == "officer"
    assert historic_task["deleteReason"] == "completed" and historic_task["taskState"] == "Completed"
    assert historic_task["endTime"] is not None and historic_task["processInstanceId"] == instance.id_
    assert historic_task["due"] == "2025-08-08T23:59:59.000+0700"

    variables = office.engine.runtime.get_variables(instance.id_)
    assert variables["score"] == 80 and variables["reviewDue"] == "2025-08-08"


def test_pycamunda_reads_variables_of_a_running_instance(live_server):
    deploy(live_server, "approval.bpmn", name="approval")
    instance = start(live_server, "approval", {"reviewDue": ("2025-08-08", "String"),
                                               "proposal": ("Bằng khen 2025", "String"),
                                               "members": (12, "Integer")}, business_key="KH-06")

    variables = as_user(pycamunda.processinst.VariablesGetList(
        url=live_server, process_instance_id=instance.id_), "officer")()
    assert variables["reviewDue"].value == "2025-08-08" and variables["reviewDue"].type_ == "String"
    assert variables["proposal"].value == "Bằng khen 2025" and variables["proposal"].type_ == "String"
    assert variables["members"].value == 12 and variables["members"].type_ == "Integer"
    assert variables["members"].value_info == {}


def test_pycamunda_reads_one_variable_of_a_running_instance(live_server):
    """pycamunda's single-variable getter: GET /process-instance/{id}/variables/{varName}."""
    deploy(live_server, "approval.bpmn", name="approval")
    instance = start(live_server, "approval", {"reviewDue": ("2025-08-08", "String")}, business_key="KH-07")

    variable = as_user(pycamunda.processinst.VariablesGet(
        url=live_server, process_instance_id=instance.id_, var_name="reviewDue"), "officer")()
    assert (variable.value, variable.type_, variable.value_info) == ("2025-08-08", "String", {})


# -- 2. pycamunda: a form validation error ---------------------------------------------------

def test_pycamunda_form_validation_error_leaves_the_task_open(live_server, office):
    deploy(live_server, "approval.bpmn", name="approval")
    instance = start(live_server, "approval", {"reviewDue": ("2025-08-08", "String")}, business_key="KH-08")
    [task] = as_user(pycamunda.task.GetList(url=live_server, process_instance_id=instance.id_), "officer")()

    complete = pycamunda.task.Complete(url=live_server, id_=task.id_)
    complete.add_variable("score", 500, type_="Integer")
    with pytest.raises(pycamunda.BadRequest) as raised:
        as_user(complete, "officer")()
    assert str(raised.value) == "invalid form submission: score: Must be at most 100."
    assert raised.value.http_code == 400

    still_open = as_user(pycamunda.task.Get(url=live_server, id_=task.id_), "officer")()
    assert still_open.id_ == task.id_ and still_open.assignee is None
    assert office.engine.runtime.get_instance(instance.id_).status == "active"
    assert "score" not in office.engine.runtime.get_variables(instance.id_)

    # A valid score then goes through.
    complete = pycamunda.task.Complete(url=live_server, id_=task.id_)
    complete.add_variable("score", 100, type_="Integer")
    as_user(complete, "officer")()
    assert office.engine.runtime.get_instance(instance.id_).status == "completed"


# -- 3. camunda-external-task-client-python3 ---------------------------------------------------

def test_external_worker_completes_notify_and_the_timer_ends_the_instance(live_server, office):
    deployment, instance = start_full_cycle(live_server, "KT-2025-01")
    [(decision_id, decision)] = deployment.deployed_decision_definitions.items()
    assert decision.key == "rules_check" and decision.resource == "rules_check.dmn" and decision_id == decision.id_
    [definition] = deployment.deployed_process_definitions.values()
    assert (definition.key, definition.resource) == ("full_cycle", "full_cycle.bpmn")

    seen = []

    def notify(task):
        seen.append({"id": task.get_task_id(), "topic": task.get_topic_name(), "worker": task.get_worker_id(),
                     "activity": task.get_activity_id(), "instance": task.get_process_instance_id(),
                     "business_key": task.get_business_key(), "tenant": task.get_tenant_id(),
                     "variables": task.get_variables(), "properties": task.get_extension_properties()})
        return task.complete({"notified": True, "mailId": "MAIL-0001"})

    worker = ExternalTaskWorker(worker_id="mailer-1", base_url=live_server, config=worker_config())
    worker.fetch_and_execute("notify", notify)  # one fetchAndLock, the handler, one complete

    [task] = seen
    assert task["topic"] == "notify" and task["worker"] == "mailer-1" and task["activity"] == "Service_notify"
    assert task["instance"] == instance.id_ and task["business_key"] == "KT-2025-01"
    assert task["tenant"] is None and task["properties"] == {}
    variables = task["variables"]
    assert (variables["rating"], variables["referenceYear"], variables["startYear"]) == ("excellent", 2025, 2000)
    assert variables["yearsAtOffice"] == 25 and variables["checked"] is True
    assert variables["eligible"] is True and variables["reason"] == "Đủ điều kiện"

    # Completed: no task left for the worker; the instance waits on its PT1S timer.
    with pytest.raises(NoExternalTaskFound):
        worker.fetch_and_execute("notify", notify)
    assert len(seen) == 1
    engine = office.engine
    waiting = engine.runtime.get_instance(instance.id_)
    assert waiting.status == "active" and waiting.next_timer_at is not None
    stored = engine.runtime.get_variables(instance.id_)
    assert stored["notified"] is True and stored["mailId"] == "MAIL-0001"
    assert requests.get(f"{live_server}/external-task", auth=basic("worker"), timeout=10).json() == []

    wait_and_fire_timer(engine, instance.id_)
    ended = engine.runtime.get_instance(instance.id_)
    assert ended.status == "completed" and ended.ended_at is not None
    [historic] = rest_get(live_server, "history/process-instance", "designer", processInstanceId=instance.id_)
    assert historic["state"] == "COMPLETED" and historic["businessKey"] == "KT-2025-01"


def test_external_worker_failure_without_retries_raises_an_incident(live_server, office):
    _, instance = start_full_cycle(live_server, "KT-2025-02")

    def notify(task):
        # No retries on the fetched task, so the client reports max_retries: 0.
        return task.failure("SMTP down", "connection refused by mail.gov.vn:25", max_retries=0, retry_timeout=0)

    client_worker = ExternalTaskWorker(worker_id="mailer-2", base_url=live_server, config=worker_config())
    client_worker.fetch_and_execute("notify", notify)

    stopped = office.engine.runtime.get_instance(instance.id_)
    assert stopped.status == "incident"
    assert stopped.incident_element_id == "Service_notify" and "SMTP down" in stopped.incident_message
    assert "notified" not in office.engine.runtime.get_variables(instance.id_)

    # No retries left: nothing to fetch; the task is listed with its error.
    with pytest.raises(NoExternalTaskFound):
        client_worker.fetch_and_execute("notify", notify)
    [listed] = requests.get(f"{live_server}/external-task", auth=basic("worker"), timeout=10).json()
    assert listed["processInstanceId"] == instance.id_ and listed["activityId"] == "Service_notify"
    assert listed["retries"] == 0 and listed["errorMessage"] == "SMTP down" and listed["workerId"] is None

    [historic] = rest_get(live_server, "history/process-instance", "designer", processInstanceId=instance.id_)
    assert historic["state"] == "ACTIVE" and historic["endTime"] is None


def test_external_task_client_fetch_lock_and_complete(live_server, office):
    """The lower-level ExternalTaskClient: the raw JSON it gets back and the completion it sends."""
    _, instance = start_full_cycle(live_server, "KT-2025-03")
    client = ExternalTaskClient(worker_id="mailer-3", engine_base_url=live_server, config=worker_config())

    [locked] = client.fetch_and_lock("notify", variables=["rating", "reason"])
    assert locked["topicName"] == "notify" and locked["workerId"] == "mailer-3"
    assert locked["processInstanceId"] == instance.id_ and locked["processDefinitionKey"] == "full_cycle"
    assert locked["activityId"] == "Service_notify" and locked["businessKey"] == "KT-2025-03"
    assert locked["lockExpirationTime"] is not None
    assert locked["variables"] == {"rating": {"value": "excellent", "type": "String", "valueInfo": {}},
                                   "reason": {"value": "Đủ điều kiện", "type": "String", "valueInfo": {}}}
    # Locked for mailer-3: another worker gets nothing.
    other = ExternalTaskClient(worker_id="mailer-4", engine_base_url=live_server, config=worker_config())
    assert other.fetch_and_lock("notify") == []

    assert client.complete(locked["id"], {"deliveredTo": "tchcqt@office.gov.vn", "attempts": 1}) is True
    stored = office.engine.runtime.get_variables(instance.id_)
    assert stored["deliveredTo"] == "tchcqt@office.gov.vn" and stored["attempts"] == 1
    assert office.engine.runtime.get_instance(instance.id_).next_timer_at is not None


# -- 4. only workers fetch ---------------------------------------------------------------------

def test_non_worker_fetch_and_lock_is_forbidden(live_server, office):
    _, instance = start_full_cycle(live_server, "KT-2025-04")

    client = ExternalTaskClient(worker_id="intruder", engine_base_url=live_server, config=worker_config("staff_b"))
    with pytest.raises(Exception) as raised:
        client.fetch_and_lock("notify")
    assert str(raised.value) == f"received 403 : AuthorizationException : {FORBIDDEN_WORKER}"

    response = requests.post(f"{live_server}/external-task/fetchAndLock", auth=basic("staff_b"), timeout=10,
                             json={"workerId": "intruder", "maxTasks": 1,
                                   "topics": [{"topicName": "notify", "lockDuration": 10_000}]})
    assert response.status_code == 403
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["type"] == "AuthorizationException" and body["message"] == FORBIDDEN_WORKER

    # Nothing was locked: the real worker still gets the task.
    worker = ExternalTaskClient(worker_id="mailer-5", engine_base_url=live_server, config=worker_config())
    [locked] = worker.fetch_and_lock("notify")
    assert locked["processInstanceId"] == instance.id_ and locked["workerId"] == "mailer-5"
