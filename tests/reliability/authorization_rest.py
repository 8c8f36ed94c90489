"""Who may call each /engine-rest endpoint, by role; another unit's objects answer 404.

Roles: staff and head are of the "own" unit; tchcqt, chief and admin follow every unit; council
and designer take part in no unit's work yet. Without valid credentials every endpoint but the
OpenAPI document answers 401.
"""
from __future__ import annotations

import io

from engine.history import DecisionInstanceQuery
from tests.conftest import fixture_bytes
from tests.reliability.authorization_cases import Table, expect, office_wide, only
from tests.reliability.authorization_seed import UNITS
from web.rest.migration_routes import plan_dto

R = "/engine-rest"
REST = Table(refused_without_login=401)
add = REST.add
EVERYONE = expect(200)
DESIGNERS = only(200, 403, "designer", "admin")


def get(path: str):
    return lambda s: (R + path.format(s=s), {})


def post(path: str, body: dict | None = None, *, fresh=None):
    """`fresh(seed)` makes the object the request acts on: its id fills {id}."""
    def build(s):
        made = fresh(s) if fresh else None
        return R + path.format(s=s, id=made), {"json": body if body is not None else {}}
    return build


def delete(path: str, fresh):
    return lambda s: (R + path.format(id=fresh(s)), {})


# A unit's instance: its own people and the office-wide roles. Its task (offered to the unit's
# head): the head and the office-wide roles. Another unit's: the office-wide roles only.
SEE_OWN_INSTANCE = office_wide(200, 404, staff=200, head=200)
SEE_OTHER = office_wide(200, 404)
SEE_OWN_TASK = office_wide(200, 404, head=200)
# A fresh task offered to the own unit's group (staff and head are candidates): the office-wide
# roles see it but may not do a unit's work; whoever does not see it gets 404.
WORK_OWN = office_wide(403, 404, staff=204, head=204)
WORK_OTHER = office_wide(403, 404)

add("GET", "/engine-rest/version", "", get("/version"), EVERYONE)
add("GET", "/engine-rest/openapi.json", "public", get("/openapi.json"), expect(200, anonymous=200), public=True)

# -- deployments and definitions: read by everyone signed in, changed by designers -------------
add("GET", "/engine-rest/deployment", "", get("/deployment"), EVERYONE)
add("GET", "/engine-rest/deployment/count", "", get("/deployment/count"), EVERYONE)
add("GET", "/engine-rest/deployment/<deployment_id>", "", get("/deployment/{s.deployment_id}"), EVERYONE)
add("POST", "/engine-rest/deployment/create", "", lambda s: (R + "/deployment/create", {
    "content_type": "multipart/form-data",
    "data": {"deployment-name": "matrix", "approval.bpmn": (io.BytesIO(fixture_bytes("approval.bpmn")),
                                                            "approval.bpmn")}}), DESIGNERS)
add("DELETE", "/engine-rest/deployment/<deployment_id>", "",
    delete("/deployment/{id}", lambda s: s.fresh_deployment()), only(204, 403, "designer", "admin"))
add("GET", "/engine-rest/deployment/<deployment_id>/script-limits", "",
    get("/deployment/{s.deployment_id}/script-limits"), DESIGNERS)
add("PUT", "/engine-rest/deployment/<deployment_id>/script-limits", "",
    lambda s: (R + f"/deployment/{s.deployment_id}/script-limits", {"json": {"cpuSeconds": 2}}),
    only(200, 403, "admin"))
def migration(s, execute: bool = False):
    """A plan from the units' process to itself; executing it moves a fresh instance of the own unit."""
    definition = s.engine.repository.latest_definition("units_multi").id
    plan = plan_dto(s.engine.migration.generate_migration_plan(definition, definition))
    body = {"migrationPlan": plan, "processInstanceIds": [s.fresh_instance("own")]} if execute else plan
    return R + ("/migration/execute" if execute else "/migration/validate"), {"json": body}


# Migration moves any unit's instances to another model version: administrators only.
add("POST", "/engine-rest/migration/generate", "", lambda s: (R + "/migration/generate", {"json": {
    "sourceProcessDefinitionId": s.definition_id, "targetProcessDefinitionId": s.definition_id}}),
    only(200, 403, "admin"))
add("POST", "/engine-rest/migration/validate", "", migration, only(200, 403, "admin"))
add("POST", "/engine-rest/migration/execute", "", lambda s: migration(s, execute=True), only(204, 403, "admin"))
for rule, path in (("/engine-rest/process-definition", "/process-definition"),
                   ("/engine-rest/process-definition/count", "/process-definition/count"),
                   ("/engine-rest/process-definition/<definition_id>", "/process-definition/{s.definition_id}"),
                   ("/engine-rest/process-definition/<definition_id>/xml", "/process-definition/{s.definition_id}/xml"),
                   ("/engine-rest/process-definition/key/<key>", "/process-definition/key/campaign"),
                   ("/engine-rest/process-definition/key/<key>/xml", "/process-definition/key/campaign/xml")):
    add("GET", rule, "", get(path), EVERYONE)
# Starting is not restricted today: any signed-in user may start a process (see the report).
START = {"variables": {"reviewDue": {"value": "2025-08-08", "type": "String"}}}
add("POST", "/engine-rest/process-definition/key/<key>/start", "", post("/process-definition/key/approval/start",
                                                                        START), EVERYONE)
add("POST", "/engine-rest/process-definition/<definition_id>/start", "", lambda s: (
    R + f"/process-definition/{s.engine.repository.latest_definition('approval').id}/start", {"json": START}),
    EVERYONE)

# Evaluating a decision is like reading a definition, any signed-in user may (see the report); the
# DMN history keeps it, visible to the evaluating user and the office-wide roles.
DISH = {"variables": {"season": {"value": "Fall", "type": "String"}, "guestCount": {"value": 4, "type": "Integer"}}}


def dish_decision(s) -> str:
    s.engine.repository.deploy([("dish_drg.dmn", fixture_bytes("dish_drg.dmn"))])  # unchanged after the first
    return s.engine.repository.list_decision_definitions(key="dish")[-1].id


add("POST", "/engine-rest/decision-definition/key/<key>/evaluate", "", lambda s: (
    dish_decision(s) and R + "/decision-definition/key/dish/evaluate", {"json": DISH}), EVERYONE)
add("POST", "/engine-rest/decision-definition/<definition_id>/evaluate", "", lambda s: (
    R + f"/decision-definition/{dish_decision(s)}/evaluate", {"json": DISH}), EVERYONE)

# -- process instances ------------------------------------------------------------------------
add("GET", "/engine-rest/process-instance", "", get("/process-instance"), EVERYONE)
add("GET", "/engine-rest/process-instance/count", "", get("/process-instance/count"), EVERYONE)
for side, seen in (("own", SEE_OWN_INSTANCE), ("other", SEE_OTHER)):
    add("GET", "/engine-rest/process-instance/<instance_id>", f"{side} unit",
        get(f"/process-instance/{{s.instance[{side}]}}"), seen)
    add("GET", "/engine-rest/process-instance/<instance_id>/variables", f"{side} unit",
        get(f"/process-instance/{{s.instance[{side}]}}/variables"), seen)
    add("GET", "/engine-rest/process-instance/<instance_id>/variables/<name>", f"{side} unit",
        get(f"/process-instance/{{s.instance[{side}]}}/variables/unit"), seen)
add("DELETE", "/engine-rest/process-instance/<instance_id>", "own unit",
    delete("/process-instance/{id}", lambda s: s.fresh_instance("own")), office_wide(204, 404, staff=403, head=403))
add("DELETE", "/engine-rest/process-instance/<instance_id>", "other unit",
    delete("/process-instance/{id}", lambda s: s.fresh_instance("other")), office_wide(204, 404))

# Changing an instance's variables: the office-wide roles, as for deleting it; who sees the
# instance without that role gets 403, who does not see it 404. Each request changes a fresh one.
NOTE = {"value": "ghi chú", "type": "String"}
for side, changed in (("own", office_wide(204, 404, staff=403, head=403)), ("other", office_wide(204, 404))):
    add("POST", "/engine-rest/process-instance/<instance_id>/variables", f"{side} unit",
        post("/process-instance/{id}/variables", {"modifications": {"note": NOTE}, "deletions": ["unit"]},
             fresh=lambda s, side=side: s.fresh_instance(side)), changed)
    add("PUT", "/engine-rest/process-instance/<instance_id>/variables/<name>", f"{side} unit",
        post("/process-instance/{id}/variables/note", NOTE, fresh=lambda s, side=side: s.fresh_instance(side)),
        changed)
    add("DELETE", "/engine-rest/process-instance/<instance_id>/variables/<name>", f"{side} unit",
        delete("/process-instance/{id}/variables/unit", lambda s, side=side: s.fresh_instance(side)), changed)

# Suspending and moving an instance: administrators only; the other office-wide roles and the
# unit's own people see the instance (403), the rest do not (404). Each request changes a fresh one.
MOVE_BACK = {"instructions": [{"type": "cancel", "activityId": "Task_unit"},
                              {"type": "startBeforeActivity", "activityId": "Task_unit"}], "annotation": "làm lại"}
for side, operated in (("own", expect(404, tchcqt=403, chief=403, admin=204, staff=403, head=403)),
                       ("other", expect(404, tchcqt=403, chief=403, admin=204))):
    add("PUT", "/engine-rest/process-instance/<instance_id>/suspended", f"{side} unit",
        post("/process-instance/{id}/suspended", {"suspended": True},
             fresh=lambda s, side=side: s.fresh_instance(side)), operated)
    add("POST", "/engine-rest/process-instance/<instance_id>/modification", f"{side} unit",
        post("/process-instance/{id}/modification", MOVE_BACK, fresh=lambda s, side=side: s.fresh_instance(side)),
        operated)


def fresh_definition(s):
    deployment_id = s.fresh_deployment()
    return next(d for d in s.engine.repository.list_definitions(limit=None) if d.deployment_id == deployment_id)


# A definition every signed-in user sees: administrators suspend it, the others get 403.
add("PUT", "/engine-rest/process-definition/<definition_id>/suspended", "", post(
    "/process-definition/{id}/suspended", {"suspended": True, "includeProcessInstances": True},
    fresh=lambda s: fresh_definition(s).id), only(204, 403, "admin"))
add("PUT", "/engine-rest/process-definition/key/<key>/suspended", "", post(
    "/process-definition/key/{id}/suspended", {"suspended": True}, fresh=lambda s: fresh_definition(s).key),
    only(204, 403, "admin"))


# -- messages and signals: anyone who may start a process; they reach only the instances the
# caller sees (another unit's waiting instance is no match: Camunda's 400). Each request waits
# on a fresh instance of the unit, found by its business key.
def waiting_for_message(s, side: str) -> str:
    s.engine.repository.deploy([("message_events.bpmn", fixture_bytes("events/message_events.bpmn"))])
    business_key = s.unique("matrix_message_")
    s.engine.runtime.start_process_by_key("message_events", {"unit": UNITS[side]},
                                          business_key=business_key, actor="chief")
    return business_key


for side, reached in (("own", office_wide(204, 400, staff=204, head=204)), ("other", office_wide(204, 400))):
    add("POST", "/engine-rest/message", f"{side} unit", lambda s, side=side: (R + "/message", {"json": {
        "messageName": "bo_sung", "businessKey": waiting_for_message(s, side)}}), reached)
add("POST", "/engine-rest/signal", "", post("/signal", {"name": "matrix_signal"}), expect(204))
add("GET", "/engine-rest/event-subscription", "", get("/event-subscription"), EVERYONE)
add("GET", "/engine-rest/event-subscription/count", "", get("/event-subscription/count"), EVERYONE)

# -- tasks ------------------------------------------------------------------------------------
add("GET", "/engine-rest/task", "", get("/task"), EVERYONE)
add("GET", "/engine-rest/task/count", "", get("/task/count"), EVERYONE)
for side, seen in (("own", SEE_OWN_TASK), ("other", SEE_OTHER)):
    add("GET", "/engine-rest/task/<task_id>", f"{side} unit", get(f"/task/{{s.task[{side}]}}"), seen)
    add("GET", "/engine-rest/task/<task_id>/form-variables", f"{side} unit",
        get(f"/task/{{s.task[{side}]}}/form-variables"), seen)

    add("GET", "/engine-rest/task/<task_id>/variables", f"{side} unit", get(f"/task/{{s.task[{side}]}}/variables"),
        seen)
# A fresh task offered to the unit's group, which its staff and head see: theirs to work on, not
# to rewrite the instance's data.
for side, changed in (("own", office_wide(204, 404, staff=403, head=403)), ("other", office_wide(204, 404))):
    add("POST", "/engine-rest/task/<task_id>/variables", f"{side} unit",
        post("/task/{id}/variables", {"modifications": {"note": NOTE}},
             fresh=lambda s, side=side: s.fresh_task(side)), changed)


def claim_for_self(side: str):
    def build(s):
        return R + f"/task/{s.fresh_task(side)}/claim", {"json": {"userId": s.acting_user}}
    return build


for side, work in (("own", WORK_OWN), ("other", WORK_OTHER)):
    add("POST", "/engine-rest/task/<task_id>/claim", f"{side} unit, for oneself", claim_for_self(side), work)
    add("POST", "/engine-rest/task/<task_id>/complete", f"{side} unit",
        post("/task/{id}/complete", fresh=lambda s, side=side: s.fresh_task(side)), work)
# Releasing or handing over: the holder releases, the office-wide roles redistribute.
add("POST", "/engine-rest/task/<task_id>/unclaim", "own unit, held by its head",
    post("/task/{id}/unclaim", fresh=lambda s: s.fresh_task("own", claimed_by="head_a")),
    office_wide(204, 404, staff=403, head=204))
add("POST", "/engine-rest/task/<task_id>/unclaim", "other unit, held there",
    post("/task/{id}/unclaim", fresh=lambda s: s.fresh_task("other", claimed_by="an")), office_wide(204, 404))
add("POST", "/engine-rest/task/<task_id>/assignee", "own unit",
    post("/task/{id}/assignee", {"userId": "lan"}, fresh=lambda s: s.fresh_task("own")),
    office_wide(204, 404, staff=403, head=403))
add("POST", "/engine-rest/task/<task_id>/assignee", "other unit",
    post("/task/{id}/assignee", {"userId": "an"}, fresh=lambda s: s.fresh_task("other")), office_wide(204, 404))

# -- external tasks: the worker group (admin included) ----------------------------------------
WORKERS = only(200, 403, "admin")
WORKERS_NO_CONTENT = only(204, 403, "admin")
add("POST", "/engine-rest/external-task/fetchAndLock", "", post("/external-task/fetchAndLock", {
    "workerId": "matrix", "maxTasks": 1, "topics": [{"topicName": "nothing-here", "lockDuration": 1000}]}), WORKERS)
add("GET", "/engine-rest/external-task", "", get("/external-task"), WORKERS)
add("POST", "/engine-rest/external-task/<task_id>/complete", "",
    post("/external-task/{id}/complete", {"workerId": "w"}, fresh=lambda s: s.fresh_external_task()),
    WORKERS_NO_CONTENT)
add("POST", "/engine-rest/external-task/<task_id>/failure", "",
    post("/external-task/{id}/failure", {"workerId": "w", "errorMessage": "SMTP down", "retries": 1},
         fresh=lambda s: s.fresh_external_task()), WORKERS_NO_CONTENT)
add("POST", "/engine-rest/external-task/<task_id>/unlock", "",
    post("/external-task/{id}/unlock", fresh=lambda s: s.fresh_external_task()), WORKERS_NO_CONTENT)

# -- incidents, failed jobs and retries: administrators only ---------------------------------
ADMINS = only(200, 403, "admin")
ADMINS_NO_CONTENT = only(204, 403, "admin")
RETRY = {"json": {"retries": 1}}
add("PUT", "/engine-rest/external-task/<task_id>/retries", "",
    lambda s: (R + f"/external-task/{s.fresh_failed_external_task()}/retries", RETRY), ADMINS_NO_CONTENT)
add("GET", "/engine-rest/incident", "", get("/incident"), ADMINS)
add("GET", "/engine-rest/incident/count", "", get("/incident/count"), ADMINS)
add("GET", "/engine-rest/incident/<incident_id>", "", lambda s: (R + f"/incident/{s.fresh_incident().id}", {}),
    ADMINS)
# Camunda refuses to resolve a failedJob incident by deleting it: the administrator retries the job.
add("DELETE", "/engine-rest/incident/<incident_id>", "failedJob",
    lambda s: (R + f"/incident/{s.fresh_incident().id}", {}), only(400, 403, "admin"))
add("PUT", "/engine-rest/incident/<incident_id>/annotation", "",
    lambda s: (R + f"/incident/{s.fresh_incident().id}/annotation", {"json": {"annotation": "đang xử lý"}}),
    ADMINS_NO_CONTENT)
add("DELETE", "/engine-rest/incident/<incident_id>/annotation", "",
    lambda s: (R + f"/incident/{s.fresh_incident().id}/annotation", {}), ADMINS_NO_CONTENT)
add("GET", "/engine-rest/job", "", get("/job"), ADMINS)
add("GET", "/engine-rest/job/<job_id>", "", lambda s: (R + f"/job/{s.fresh_incident().configuration}", {}), ADMINS)
add("GET", "/engine-rest/job/<job_id>/stacktrace", "",
    lambda s: (R + f"/job/{s.fresh_incident().configuration}/stacktrace", {}), ADMINS)
add("PUT", "/engine-rest/job/<job_id>/retries", "",
    lambda s: (R + f"/job/{s.fresh_incident().configuration}/retries", RETRY), ADMINS_NO_CONTENT)

# -- history: everyone signed in, filtered to what they may see (test_lists_hide_other_units) --
for rule in ("/engine-rest/history/process-instance", "/engine-rest/history/process-instance/count",
             "/engine-rest/history/task", "/engine-rest/history/activity-instance",
             "/engine-rest/history/decision-instance", "/engine-rest/history/decision-instance/count",
             "/engine-rest/history/detail", "/engine-rest/history/detail/count"):
    add("GET", rule, "", get(rule.removeprefix(R)), EVERYONE)


def heads_evaluation(s) -> str:
    """A decision the own unit's head evaluated over REST (outside any instance)."""
    dish_decision(s)
    values = {"season": "Fall", "guestCount": 4}
    s.engine.repository.evaluate_decision(values, key="dish", actor="head_a")
    return next(r.row.id for r in s.engine.decision_history.list(DecisionInstanceQuery(definition_key="dish"))
                if r.row.user_id == "head_a")


add("GET", "/engine-rest/history/decision-instance/<decision_instance_id>", "the head's evaluation",
    lambda s: (R + f"/history/decision-instance/{heads_evaluation(s)}", {}), office_wide(200, 404, head=200))
