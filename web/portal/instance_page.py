"""One process instance: where it stands on its diagram, its history, its variables, its attachments.

Who sees what:
- the instance itself: the office-wide roles, and whoever takes part in it (their unit's
  instance, one they started, worked on or have a task in); anyone else gets 404, as for an
  instance that does not exist;
- all its variables (but the internal ones): the office-wide roles and the heads of the
  instance's unit; other participants (a nominee, a staff member) see the instance's start data
  that is plain text, numbers or dates (plan number, campaign name, deadlines) and what they
  submitted themselves, not the unit's nomination lists or other people's reports
  (`web.authorization.readable_variables`, which /engine-rest applies too).
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime

from flask import Response, abort, current_app, render_template, url_for

from engine.errors import NotFoundError
from engine.history import event_data
from web.authorization import readable_variables, sees_all_variables, sees_everything
from web.portal.auth import current_principal, engine, portal_blueprint
from web.portal.i18n import has_text, translate, vndate, vndatetime
from web.portal.navigation import involvement_of, unit_names

blueprint = portal_blueprint("instance_page", __name__)

# Variables that steer the process rather than tell a person anything.
INTERNAL_VARIABLES = frozenset({"headGroup", "data_objects"})
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?")
SHOWN_EVENTS = ("start", "claim", "unclaim", "assign", "complete", "service_task", "timer", "call", "call_ended",
                "incident", "end", "delete", "task_cancelled")


def visible_instance(instance_id: str):
    """The instance if the signed-in user may see it; 404 otherwise, so its existence is not revealed."""
    principal = current_principal()
    try:
        instance = engine().runtime.get_instance(instance_id)
    except NotFoundError:
        abort(404)
    if not (sees_everything(principal) or engine().runtime.takes_part(instance_id, involvement_of(principal))):
        abort(404)
    return instance


def display_names() -> dict[str, str]:
    return {user.id: user.display_name for user in engine().identity.list_users()}


def is_internal(name: str) -> bool:
    return name.startswith("_") or name in INTERNAL_VARIABLES


def visible_variables(principal, instance, variables: dict, events: list) -> dict:
    shown = {k: v for k, v in variables.items() if not is_internal(k)}
    return dict(sorted(readable_variables(principal, instance, shown, events).items()))


def shown_value(value, field: dict | None = None) -> str:
    """A variable as a person reads it: an option's name, dates dd/mm/yyyy (HH:MM), yes/no, lists and
    records as indented JSON."""
    options = {o["id"]: o["name"] for o in (field or {}).get("options") or []}
    if isinstance(value, str) and value in options:
        return options[value]
    if isinstance(value, bool):
        return translate("instance.value.yes") if value else translate("instance.value.no")
    if isinstance(value, datetime):
        return vndatetime(value)
    if isinstance(value, date):
        return vndate(value)
    if isinstance(value, str):
        if ISO_DATE.fullmatch(value):
            return vndate(value)
        if ISO_DATETIME.fullmatch(value):
            return vndatetime(value)
        return value
    if value is None:
        return "—"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, indent=2, default=str)
    return str(value)


def form_fields(row) -> dict[str, dict]:
    """The form fields that set the instance's variables: its own process's and its caller's (whose
    start form set what the call passed on)."""
    repository = engine().repository
    fields = repository.form_fields(row.definition_id)
    if row.parent_instance_id:
        try:
            parent = engine().runtime.get_instance(row.parent_instance_id)
        except NotFoundError:
            return fields
        fields = {**repository.form_fields(parent.definition_id), **fields}
    return fields


def history_rows(events: list, names: dict[str, str]) -> list[dict]:
    rows = []
    for event in events:
        if event.event_type not in SHOWN_EVENTS:
            continue
        key = f"instance.event.{event.event_type}"
        data = event_data(event)
        rows.append({
            "time": event.time,
            "what": translate(key) if has_text(key) else event.event_type,
            "step": event.element_name or event.element_id or "",
            "actor": names.get(event.actor, event.actor) if event.actor else translate("instance.actor.system"),
            "detail": data.get("message") if event.event_type == "incident" else "",
        })
    return rows


def download_url(attachment) -> str | None:
    """The attachments page's download route, checked there against the same permissions."""
    if "attachments.download" in current_app.view_functions:
        return url_for("attachments.download", attachment_id=attachment.id)
    return None


@blueprint.get("/instances/<instance_id>")
def instance(instance_id: str):
    principal = current_principal()
    row = visible_instance(instance_id)
    service = engine()
    definition = service.repository.get_definition(row.definition_id)
    events = service.history.events(instance_id=instance_id, limit=None)
    variables = visible_variables(principal, row, service.runtime.get_variables(instance_id), events)
    attachments = service.attachments.list(instance_id)
    progress = service.runtime.progress(instance_id)
    names = display_names()
    fields = form_fields(row)
    return render_template(
        "portal/instance.html", instance=row, definition=definition, progress=progress,
        history=history_rows(events, names), names=names, unit_names=unit_names(),
        variables=[(name, fields.get(name, {}).get("label") or name, shown_value(value, fields.get(name)))
                   for name, value in variables.items()],
        all_variables=sees_all_variables(principal, row),
        attachments=[(a, download_url(a)) for a in attachments],
        campaign_url=campaign_url(row),
        diagram_spec={"xml": url_for("instance_page.diagram", instance_id=instance_id),
                      "active": progress.active_ids, "completed": progress.completed})


def campaign_url(row) -> str | None:
    """The campaign page of a unit's instance, with this instance highlighted on its diagram."""
    from web.portal.campaign import campaign_process  # the campaign page imports this module
    if not row.parent_instance_id:
        return None
    try:
        parent = engine().runtime.get_instance(row.parent_instance_id)
    except NotFoundError:
        return None
    if parent.definition_key != campaign_process():
        return None
    return url_for("campaign.campaign", campaign_id=parent.id, instance=row.id)


@blueprint.get("/instances/<instance_id>/diagram.bpmn")
def diagram(instance_id: str):
    row = visible_instance(instance_id)
    return xml_response(engine().repository.definition_xml(row.definition_id))


def xml_response(content: bytes) -> Response:
    """A model for bpmn-js; private: only the user who passed the permission check may cache it."""
    return Response(content, mimetype="application/xml", headers={"Cache-Control": "private, max-age=300"})
