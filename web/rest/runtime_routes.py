"""Process instances and tasks, filtered to what the signed-in user may see."""
from __future__ import annotations

from datetime import datetime

from flask import Response, jsonify, request

from engine import TaskQuery
from engine.errors import ConflictError, NotFoundError, PermissionDeniedError
from engine.runtime import Involvement, InstanceQuery
from web.authorization import (may_assign_tasks, may_see_task, may_work_on_task, readable_variables,
                                sees_all_variables, sees_everything)
from web.rest.auth import current_principal
from web.rest.blueprint import base_url, body_str, bool_arg, engine, json_body, paging, rest
from web.rest.dto import process_instance_dto, task_dto
from web.rest.errors import bad_request
from web.rest.typed_values import TypedValueError, from_typed, parse_datetime, to_typed

TASK_SORT = {"dueDate": "due", "followUpDate": "followUp", "created": "created", "priority": "priority",
             "name": "name", "id": "id"}


def involvement() -> Involvement | None:
    """None for the office-wide roles (no filter), else the user's own involvement."""
    principal = current_principal()
    if sees_everything(principal):
        return None
    return Involvement(principal.user_id, principal.groups, principal.unit)


def typed_body_variables(body: dict, key: str = "variables") -> dict:
    try:
        return from_typed(body.get(key))
    except TypedValueError as err:
        raise bad_request(str(err)) from None


# -- process instances -------------------------------------------------------------------------

def visible_instance(instance_id: str):
    """The instance, or 404 for one the user may not see (its existence is not revealed)."""
    instance = engine().runtime.get_instance(instance_id)
    who = involvement()
    if who is not None and not engine().runtime.takes_part(instance_id, who):
        raise NotFoundError(f"process instance '{instance_id}' does not exist")
    return instance


def _instance_query(first: int = 0, limit: int | None = None) -> InstanceQuery:
    """Camunda's runtime view: instances that have not ended."""
    ids = request.args.get("processInstanceIds")
    return InstanceQuery(running=True,
        definition_key=request.args.get("processDefinitionKey"),
        definition_id=request.args.get("processDefinitionId"),
        business_key=request.args.get("businessKey"),
        instance_ids=ids.split(",") if ids else None,
        suspended=_suspension_filter(),
        involving=involvement(), first=first, limit=limit)


def _suspension_filter() -> bool | None:
    """Camunda's `suspended=true` / `active=true`; both at once is refused."""
    suspended, active = bool_arg("suspended"), bool_arg("active")
    if suspended and active:
        raise bad_request("suspended and active cannot both be true")
    return True if suspended else False if active else None


@rest.get("/process-instance")
def list_process_instances():
    first, limit = paging()
    instances = engine().runtime.list_instances(_instance_query(first, limit))
    return jsonify([process_instance_dto(i, base_url()) for i in instances])


@rest.get("/process-instance/count")
def count_process_instances():
    return jsonify(count=engine().runtime.count_instances(_instance_query()))


@rest.get("/process-instance/<instance_id>")
def get_process_instance(instance_id: str):
    instance = visible_instance(instance_id)
    if instance.status == "completed":
        raise NotFoundError(f"process instance '{instance_id}' has ended; see /history/process-instance")
    return jsonify(process_instance_dto(instance, base_url()))


def readable_instance_variables(instance) -> dict:
    """The instance page's rule: a staff member does not read the unit's nominations through the API either."""
    variables, principal = engine().runtime.get_variables(instance.id), current_principal()
    if sees_all_variables(principal, instance):
        return variables  # without reading the history, as most API calls are the office's
    events = engine().history.events(instance_id=instance.id, event_types=["start", "complete"], limit=None)
    return readable_variables(principal, instance, variables, events)


@rest.get("/process-instance/<instance_id>/variables")
def get_process_instance_variables(instance_id: str):
    return jsonify(to_typed(readable_instance_variables(visible_instance(instance_id))))


@rest.get("/process-instance/<instance_id>/variables/<name>")
def get_process_instance_variable(instance_id: str, name: str):
    variables = readable_instance_variables(visible_instance(instance_id))
    if name not in variables:
        # Camunda's own wording, which clients may match on.
        raise NotFoundError(f"process instance variable with name {name} does not exist")
    return jsonify(to_typed({name: variables[name]})[name])


@rest.delete("/process-instance/<instance_id>")
def delete_process_instance(instance_id: str):
    visible_instance(instance_id)
    if not sees_everything(current_principal()):
        raise PermissionDeniedError("only the office-wide roles may delete a process instance")
    engine().runtime.delete_instance(instance_id, actor=current_principal().user_id,
                                     reason=request.args.get("deleteReason"), cascade=bool_arg("cascade"))
    return Response(status=204)


# -- tasks -------------------------------------------------------------------------------------

def datetime_arg(name: str) -> datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return parse_datetime(raw)
    except TypedValueError as err:
        raise bad_request(f"query parameter {name}: {err}") from None


def _task_query(first: int = 0, limit: int | None = None) -> TaskQuery:
    sort_by = request.args.get("sortBy", "dueDate")
    if sort_by not in TASK_SORT:
        raise bad_request(f"cannot sort tasks by '{sort_by}'; use one of {', '.join(TASK_SORT)}")
    order = request.args.get("sortOrder", "asc")
    if order not in ("asc", "desc"):
        raise bad_request("sortOrder must be asc or desc")
    return TaskQuery(
        instance_id=request.args.get("processInstanceId"),
        definition_key=request.args.get("processDefinitionKey"),
        business_key=request.args.get("processInstanceBusinessKey"),
        assignee=request.args.get("assignee"),
        candidate_group=request.args.get("candidateGroup"),
        candidate_user=request.args.get("candidateUser"),
        unassigned=bool_arg("unassigned"), suspended=_suspension_filter(),
        due_before=datetime_arg("dueBefore"), due_after=datetime_arg("dueAfter"),
        follow_up_before=datetime_arg("followUpBefore"),
        involving=involvement(), sort_by=TASK_SORT[sort_by], descending=order == "desc",
        first=first, limit=limit)


def visible_task(task_id: str):
    task = engine().tasks.get(task_id)
    if not may_see_task(current_principal(), task):
        raise NotFoundError(f"task '{task_id}' does not exist")
    return task


def workable_task(task_id: str):
    task = visible_task(task_id)
    if not may_work_on_task(current_principal(), task):
        raise PermissionDeniedError(f"task '{task_id}' is not yours to work on"
                                    + (f"; it is assigned to {task.assignee}" if task.assignee else ""))
    return task


@rest.get("/task")
def list_tasks():
    first, limit = paging()
    return jsonify([task_dto(t) for t in engine().tasks.list(_task_query(first, limit))])


@rest.get("/task/count")
def count_tasks():
    return jsonify(count=engine().tasks.count(_task_query()))


@rest.get("/task/<task_id>")
def get_task(task_id: str):
    return jsonify(task_dto(visible_task(task_id)))


@rest.get("/task/<task_id>/form-variables")
def get_task_form_variables(task_id: str):
    visible_task(task_id)
    return jsonify(to_typed(engine().tasks.form_variables(task_id)))


@rest.post("/task/<task_id>/claim")
def claim_task(task_id: str):
    body = json_body()
    user_id = body_str(body, "userId", max_length=64)
    principal = current_principal()
    if user_id != principal.user_id and not may_assign_tasks(principal):
        raise PermissionDeniedError("you may claim a task for yourself only")
    workable_task(task_id) if user_id == principal.user_id else visible_task(task_id)
    engine().tasks.claim(task_id, user_id)
    return Response(status=204)


@rest.post("/task/<task_id>/unclaim")
def unclaim_task(task_id: str):
    task = visible_task(task_id)
    principal = current_principal()
    if task.assignee != principal.user_id and not may_assign_tasks(principal):
        raise PermissionDeniedError(f"task '{task_id}' is held by someone else")
    engine().tasks.unclaim(task_id, actor=principal.user_id)
    return Response(status=204)


@rest.post("/task/<task_id>/assignee")
def set_task_assignee(task_id: str):
    visible_task(task_id)
    if not may_assign_tasks(current_principal()):
        raise PermissionDeniedError("only the office-wide roles may assign tasks to others")
    user_id = body_str(json_body(), "userId", required=False, max_length=64)
    engine().tasks.set_assignee(task_id, user_id, actor=current_principal().user_id)
    return Response(status=204)


@rest.post("/task/<task_id>/complete")
def complete_task(task_id: str):
    try:
        task = workable_task(task_id)
    except NotFoundError:
        # Of two people completing one task at once, the later is told it is done, as a conflict
        # (Camunda's OptimisticLockingException) - if they may see the instance it belonged to.
        done = engine().tasks.completion(task_id)
        if done is None:
            raise
        visible_instance(done[0])
        raise ConflictError(f"task '{task_id}' was already completed" + (f" by {done[1]}" if done[1] else ""))
    body = json_body()
    engine().tasks.complete(task_id, typed_body_variables(body), actor=current_principal().user_id)
    if body.get("withVariablesInReturn"):
        return jsonify(to_typed(readable_instance_variables(engine().runtime.get_instance(task.instance_id))))
    return Response(status=204)
