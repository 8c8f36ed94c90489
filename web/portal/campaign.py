"""Campaigns: every unit's instance with its step, due date and status; the deadline timeline; the
diagram with one instance's current tasks and the count of units at each element (the heatmap).

A campaign is an instance of the campaign process (`THIDUA_CAMPAIGN_PROCESS`, default
"campaign"); the per-unit instances are those it called. The office-wide roles see every
campaign and unit; a unit's people see the campaigns their unit takes part in, and in them only
their own unit's instance (another unit's gets 404). The heatmap is a count, shown to everyone
who sees the campaign.
"""
from __future__ import annotations

from collections import Counter
from datetime import date

from flask import abort, render_template, request, url_for

from engine.errors import NotFoundError
from engine.runtime import InstanceQuery
from web.authorization import sees_everything
from web.portal.auth import current_principal, engine, portal_blueprint
from web.portal.award_groups import by_award
from web.portal.campaign_dashboard import ordered_units, overdue_days, phase_counts, timeline_axis
from web.portal.campaign_process import campaign_process
from web.portal.heatmap import heat_levels, legend
from web.portal.instance_page import xml_response
from web.portal.inbox import due_state
from web.portal.navigation import involvement_of, menu_item, unit_names

blueprint = portal_blueprint("campaign", __name__)
menu_item("campaign.campaigns", "nav.campaigns")

# The campaign's dates, from its start variables (bpmn/campaign.bpmn), in the plan's order.
TIMELINE = (
    ("planDate", "campaign.timeline.launch"),
    ("guidanceDate", "campaign.timeline.guidance"),
    ("campaignEndDate", "campaign.timeline.end"),
    ("unitReportDate", "campaign.timeline.unit_report"),
    ("appraisalDate", "campaign.timeline.appraisal"),
    ("anniversaryDate", "campaign.timeline.anniversary"),
)


def taken_part_in(principal) -> dict | None:
    """None: the user follows every instance. Otherwise the instances they take part in by id (their
    unit's, started, worked on or with a task for them), as the instance page decides."""
    if sees_everything(principal):
        return None
    query = InstanceQuery(involving=involvement_of(principal), limit=None)
    return {i.id: i for i in engine().runtime.list_instances(query)}


def visible_campaign_ids(principal) -> list[str] | None:
    """None: every campaign. Otherwise those the user takes part in, directly or through their unit's instance."""
    own = taken_part_in(principal)
    if own is None:
        return None
    return sorted(set(own) | {i.parent_instance_id for i in own.values() if i.parent_instance_id})


def campaign_or_404(campaign_id: str):
    principal = current_principal()
    try:
        campaign = engine().runtime.get_instance(campaign_id)
    except NotFoundError:
        abort(404)
    visible = visible_campaign_ids(principal)
    if campaign.definition_key != campaign_process() or (visible is not None and campaign_id not in visible):
        abort(404)
    return campaign


def timeline(variables: dict, today: date) -> list[dict]:
    """The campaign's deadlines as given; a date on a weekend or holiday is shown as it is."""
    items = []
    for key, label in TIMELINE:
        value = variables.get(key)
        if not value:
            continue
        try:
            day = date.fromisoformat(str(value)[:10])
        except ValueError:
            day = None  # shown as the campaign gave it
        items.append({"key": key, "label": label, "date": value, "past": day is not None and day < today})
    return items


@blueprint.get("/campaigns")
def campaigns():
    principal = current_principal()
    visible = visible_campaign_ids(principal)
    query = InstanceQuery(definition_key=campaign_process(), instance_ids=visible, limit=None)
    rows = sorted(engine().runtime.list_instances(query), key=lambda i: i.started_at, reverse=True)
    runtime = engine().runtime
    items = []
    for row in rows:
        variables = runtime.get_variables(row.id)
        units = runtime.list_instances(InstanceQuery(parent_instance_id=row.id, limit=None))
        items.append({"instance": row, "name": variables.get("campaignName") or row.business_key or row.id,
                      "plan": variables.get("planNumber"), "units": dict(Counter(u.status for u in units))})
    return render_template("portal/campaigns.html", campaigns=items)


@blueprint.get("/campaigns/<campaign_id>")
def campaign(campaign_id: str):
    principal = current_principal()
    row = campaign_or_404(campaign_id)
    service = engine()
    variables = service.runtime.get_variables(campaign_id)
    units = service.runtime.called_progress(campaign_id)
    own_instances = taken_part_in(principal)
    mine = [i for i in units.instances if own_instances is None or i.instance_id in own_instances]
    now = service.context.now()
    selected = _selected(request.args.get("instance"), campaign_id, mine)
    own = service.runtime.progress(campaign_id)
    highlighted = selected or own
    unit_definition = units.instances[-1].definition_id if units.instances else None
    flow = service.repository.flow_order(unit_definition) if unit_definition else []
    diagrams = [{
        "id": "campaign-diagram",
        "title": service.repository.get_definition(highlighted.definition_id).name or highlighted.definition_key,
        "xml": _diagram_url(highlighted.instance_id, campaign_id),
        "active": highlighted.active_ids, "completed": highlighted.completed, "heatmap": {},
    }]
    if unit_definition and selected is None:
        diagrams.append({
            "id": "heatmap-diagram",
            "title": service.repository.get_definition(unit_definition).name or unit_definition,
            "xml": url_for("campaign.unit_diagram", campaign_id=campaign_id),
            "active": [], "completed": [], "heatmap": units.heatmap,
            "heatLevels": heat_levels(units.heatmap, len(units.instances)), "legend": legend(len(units.instances)),
        })
    tz = service.context.config.timezone
    today = now.astimezone(tz).date()
    overdue = {i.instance_id: overdue_days(i, now, tz) for i in mine}
    mine = ordered_units(mine, principal.unit, overdue)
    deadlines = timeline(variables, today)
    return render_template("portal/campaign.html", campaign=row, variables=variables,
                           timeline=deadlines, axis=timeline_axis(deadlines, today), overdue=overdue,
                           phases=phase_counts(units.instances, flow), units=mine, unit_names=unit_names(),
                           due_states={i.instance_id: due_state(i.due_at, now) for i in mine},
                           selected=selected, own=own, diagrams=diagrams, heatmap_total=len(units.instances),
                           announced=announced_awards(variables))


def announced_awards(variables: dict) -> list[dict] | None:
    """What the campaign awarded, once announced (`awarded`, set by announce_results): public to
    everyone who sees the campaign, as a notice on the Office's board is. None before."""
    if "awarded" not in variables:
        return None
    return by_award(variables.get("awarded") or [])


def _selected(instance_id: str | None, campaign_id: str, mine: list):
    """The instance whose tasks the diagram highlights: the campaign's own, or one of the visible units'."""
    if not instance_id or instance_id == campaign_id:
        return None
    found = next((i for i in mine if i.instance_id == instance_id), None)
    if found is None:
        abort(404)
    return engine().runtime.progress(instance_id)


def _diagram_url(instance_id: str, campaign_id: str) -> str:
    if instance_id == campaign_id:
        return url_for("campaign.campaign_diagram", campaign_id=campaign_id)
    return url_for("instance_page.diagram", instance_id=instance_id)


@blueprint.get("/campaigns/<campaign_id>/diagram.bpmn")
def campaign_diagram(campaign_id: str):
    row = campaign_or_404(campaign_id)
    return xml_response(engine().repository.definition_xml(row.definition_id))


@blueprint.get("/campaigns/<campaign_id>/units.bpmn")
def unit_diagram(campaign_id: str):
    """The diagram of the process the campaign calls per unit (the heatmap's background)."""
    campaign_or_404(campaign_id)
    units = engine().runtime.list_instances(InstanceQuery(parent_instance_id=campaign_id, limit=None))
    if not units:
        abort(404)
    return xml_response(engine().repository.definition_xml(units[-1].definition_id))
