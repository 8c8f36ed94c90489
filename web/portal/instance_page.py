"""One process instance: where it stands on its diagram, its history, its variables, its attachments.

Who sees what:
- the instance itself: the office-wide roles, and whoever takes part in it (their unit's
  instance, one they started, worked on or have a task in); anyone else gets 404, as for an
  instance that does not exist;
- all its variables (but the internal ones): the office-wide roles and the heads of the
  instance's unit; other participants (a nominee, a staff member) see the instance's start data
  that is plain text, numbers or dates (plan number, campaign name, deadlines) and what they
  submitted themselves, not the unit's nomination lists or other people's reports
  (`web.authorization.readable_variables`, which /engine-rest applies too); the timeline shows
  of each submission what the reader may read of it;
- the decisions its business rule tasks evaluated (inputs, matched rules, outputs): those who see
  all its variables, as the inputs are its variables;
- the raw variables and events (the technical view): designers and admins who can see the instance.
Values are labelled and formatted by `web.portal.variable_view`.
"""
from __future__ import annotations

import json

from flask import Response, abort, current_app, render_template, url_for

from engine.errors import NotFoundError
from engine.history import event_data
from web.authorization import may_deploy, readable_variables, sees_all_variables, sees_everything
from web.portal.auth import current_principal, engine, portal_blueprint
from web.portal.campaign_process import campaign_process
from web.portal.decision_view import instance_evaluations
from web.portal.instance_timeline import timeline
from web.portal.navigation import involvement_of, unit_names
from web.portal.variable_view import references, shown_variables

blueprint = portal_blueprint("instance_page", __name__)

# Variables that steer the process rather than tell a person anything.
INTERNAL_VARIABLES = frozenset({"headGroup", "data_objects"})


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
    return readable_variables(principal, instance, shown, events)


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


def technical_view(variables: dict, events: list) -> dict:
    """The raw variables and events, for the designers and admins who debug a model."""
    raw_events = [{"time": e.time.isoformat() if e.time else None, "type": e.event_type, "element": e.element_id,
                   "actor": e.actor} for e in events]
    return {"variables": json.dumps(variables, ensure_ascii=False, indent=2, default=str),
            "events": json.dumps(raw_events, ensure_ascii=False, indent=2, default=str)}


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
    short, grouped = shown_variables(variables, fields, names)
    refs = references(variables, names)

    # Which submitted names the reader may read, worked out once rather than for every event.
    submitted = {key: None for event in events if event.event_type == "complete" for key in event_data(event)}
    allowed = {k for k in readable_variables(principal, row, submitted, events) if not is_internal(k)}

    def readable(data: dict) -> dict:
        return {k: v for k, v in data.items() if k in allowed}

    return render_template(
        "portal/instance.html", instance=row, definition=definition, progress=progress,
        history=timeline(events, names, readable, refs, fields), names=names, unit_names=unit_names(),
        short_variables=short, grouped_variables=grouped,
        technical=technical_view(variables, events) if may_deploy(principal) else None,
        all_variables=sees_all_variables(principal, row),
        decisions=instance_evaluations(instance_id) if sees_all_variables(principal, row) else [],
        attachments=[(a, download_url(a)) for a in attachments],
        campaign_url=campaign_url(row),
        diagram_spec={"xml": url_for("instance_page.diagram", instance_id=instance_id),
                      "active": progress.active_ids, "completed": progress.completed})


def campaign_url(row) -> str | None:
    """The campaign page of a unit's instance, with this instance highlighted on its diagram."""
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
