"""What an operator may do to a running instance from the "Vận hành" page, each as one `Action`.

Every action is checked first (a bad value is refused before anything is asked), then shown on a
confirmation page with what it will do, and run only when that page is submitted. The engine call
of each records it in the instance's history under the operator's name."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from engine.runtime import IncidentQuery
from web.rest.typed_values import TypedValueError, from_typed

# The types an operator may give a variable (Camunda's names, as the REST API takes them).
VARIABLE_TYPES = ("String", "Integer", "Long", "Double", "Boolean", "Date", "Json", "Null")


class ActionRefused(ValueError):
    """A value the action cannot take: a message key of the portal's texts and its values."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True)
class Action:
    key: str
    fields: tuple[str, ...]  # the form fields the confirmation page carries back
    # (engine, instance id, form) -> the values the confirmation text names; raises ActionRefused
    check: Callable[[Any, str, Mapping[str, str]], dict]
    # (engine, instance id, form, actor) -> None; the engine records it in the history
    run: Callable[[Any, str, Mapping[str, str], str], None]
    danger: bool = False


def typed_variable(form: Mapping[str, str]) -> tuple[str, Any]:
    """The variable the form names, as the engine stores it; ActionRefused with the reason."""
    name, type_, raw = form.get("name", "").strip(), form.get("type", ""), form.get("value", "")
    if not name:
        raise ActionRefused("operations.error.no_name")
    if type_ not in VARIABLE_TYPES:
        raise ActionRefused("operations.error.type")
    value: Any = raw
    if type_ == "Json":
        try:
            value = json.loads(raw)
        except ValueError as err:
            raise ActionRefused("operations.error.json") from err
    elif type_ == "Boolean":
        value = {"true": True, "false": False}.get(raw.strip().lower(), raw)
    elif type_ == "Null":
        value = None
    try:
        return name, from_typed({name: {"value": value, "type": type_}})[name]
    except TypedValueError as err:
        raise ActionRefused("operations.error.value", detail=str(err)) from err


def _shown(value: Any) -> str:
    if value is None:
        return "null"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:199] + "…"


def check_variable(engine, instance_id, form):
    name, value = typed_variable(form)
    before = engine.runtime.get_variables(instance_id).get(name)
    return {"name": name, "before": _shown(before), "after": _shown(value)}


def set_variable(engine, instance_id, form, actor):
    name, value = typed_variable(form)
    engine.runtime.set_variables(instance_id, {name: value}, actor=actor)


def check_delete(engine, instance_id, form):
    reason = form.get("reason", "").strip()
    if not reason:
        raise ActionRefused("operations.error.no_reason")
    cascade = form.get("cascade") == "1"
    return {"reason": reason, "cascade": cascade, "text": "delete_cascade" if cascade else "delete"}


def delete(engine, instance_id, form, actor):
    engine.runtime.delete_instance(instance_id, actor=actor, reason=form.get("reason", "").strip(),
                                   cascade=form.get("cascade") == "1")


MAX_ANNOTATION = 4000  # the engine's limit on an incident's annotation

# How a retry reaches the failed step, by Camunda's incident type.
RETRIES = {"failedJob": "set_job_retries", "failedExternalTask": "set_external_task_retries"}


def _incident(engine, instance_id, form, retried: bool = True):
    """The open incident of this instance that the form names (one a retry can reach, if `retried`)."""
    incident_id = form.get("incident", "").strip()
    found = engine.runtime.list_incidents(IncidentQuery(incident_id=incident_id, instance_id=instance_id)) \
        if incident_id else []
    if not found or retried and (found[0].incident_type not in RETRIES or not found[0].configuration):
        raise ActionRefused("operations.error.incident")
    return found[0]


def check_annotation(engine, instance_id, form):
    incident = _incident(engine, instance_id, form, retried=False)
    text = form.get("annotation", "").strip()
    if len(text) > MAX_ANNOTATION:
        raise ActionRefused("operations.error.annotation", limit=MAX_ANNOTATION)
    return {"activity": incident.activity_id or "", "annotation": text or "—"}


def annotate(engine, instance_id, form, actor):
    incident = _incident(engine, instance_id, form, retried=False)
    engine.runtime.set_incident_annotation(incident.id, form.get("annotation", "").strip() or None, actor=actor)


def check_retry(engine, instance_id, form):
    incident = _incident(engine, instance_id, form)
    return {"activity": incident.activity_id or "", "message": _shown(incident.message)}


def retry(engine, instance_id, form, actor):
    incident = _incident(engine, instance_id, form)
    getattr(engine.runtime, RETRIES[incident.incident_type])(incident.configuration, 1, actor=actor)


def _suspension_check(suspend: bool):
    def check(engine, instance_id, form):
        row = engine.runtime.get_instance(instance_id)
        if row.status == "completed":
            raise ActionRefused("operations.error.ended")
        if bool(row.suspended) == suspend:
            raise ActionRefused("operations.error.suspended" if suspend else "operations.error.not_suspended")
        return {}
    return check


def check_move(engine, instance_id, form):
    row = engine.runtime.get_instance(instance_id)
    if row.status == "completed":
        raise ActionRefused("operations.error.ended")
    names = {a.id: a.name or a.id for a in engine.runtime.activities(row.definition_id)}
    target = form.get("activity", "")
    if target not in names:
        raise ActionRefused("operations.error.activity")
    active = list(dict.fromkeys(a.element_id for a in engine.runtime.progress(instance_id).active))
    return {"activity": names[target], "cancelled": ", ".join(names.get(a, a) for a in active) or "—",
            "active": active}


def move(engine, instance_id, form, actor):
    active = check_move(engine, instance_id, form)["active"]
    instructions = [{"type": "cancel", "activityId": a} for a in active]
    instructions.append({"type": "startBeforeActivity", "activityId": form["activity"]})
    engine.runtime.modify_instance(instance_id, instructions, actor=actor,
                                   annotation=form.get("annotation", "").strip() or None)


ACTIONS: dict[str, Action] = {a.key: a for a in (
    Action("variable", ("name", "type", "value"), check_variable, set_variable),
    Action("delete", ("reason", "cascade"), check_delete, delete, danger=True),
    Action("retry", ("incident",), check_retry, retry),
    Action("annotate", ("incident", "annotation"), check_annotation, annotate),
    Action("suspend", (), _suspension_check(True), lambda e, i, f, actor: e.runtime.suspend_instance(i, actor=actor)),
    Action("activate", (), _suspension_check(False), lambda e, i, f, actor: e.runtime.activate_instance(i, actor=actor)),
    Action("move", ("activity", "annotation"), check_move, move, danger=True),
)}
