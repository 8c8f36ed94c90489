"""Vận hành (operations), for administrators: the incidents, and a running instance's actions
(`web.portal.operations_actions`), each confirmed on a page of its own before it runs.

Anyone else gets 403, as on the other admin pages. The actions go through the engine's
services, which write each one into the instance's history under the operator's name."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from engine.errors import ConflictError, EngineError, NotFoundError
from engine.runtime import IncidentQuery, InstanceQuery
from web.portal.admin import ADMIN_GROUP
from web.portal.auth import current_principal, engine, portal_blueprint
from web.portal.i18n import translate
from web.portal.navigation import menu_item
from web.portal.operations_actions import ACTIONS, VARIABLE_TYPES, ActionRefused

blueprint = portal_blueprint("operations", __name__, url_prefix="/operations")
menu_item("operations.index", "nav.operations", lambda principal: ADMIN_GROUP in principal.groups)
SEARCH_LIMIT = 50


@blueprint.before_request
def admins_only():
    if ADMIN_GROUP not in current_principal().groups:
        abort(403)


@blueprint.get("/")
def index():
    runtime = engine().runtime
    incidents = runtime.list_incidents(IncidentQuery(sort_by="incidentTimestamp", descending=True, limit=200))
    search = request.args.get("q", "").strip()
    found = []
    if search:
        found = runtime.list_instances(InstanceQuery(instance_ids=[search], limit=1)) or runtime.list_instances(
            InstanceQuery(business_key=search, running=True, limit=SEARCH_LIMIT))
    return render_template("portal/operations.html", incidents=incidents, search=search, found=found,
                           names=_activity_names({i.definition_id for i in incidents}))


def _activity_names(definition_ids) -> dict[str, dict[str, str]]:
    """Definition id -> activity id -> its name, for showing where an incident stopped."""
    runtime = engine().runtime
    return {d: {a.id: a.name or a.id for a in runtime.activities(d)} for d in definition_ids}


def _running_instance(instance_id: str):
    try:
        instance = engine().runtime.get_instance(instance_id)
    except NotFoundError:
        abort(404)
    return instance


@blueprint.get("/instances/<instance_id>")
def instance(instance_id: str, error: str | None = None, form: dict | None = None, status: int = 200):
    row = _running_instance(instance_id)
    runtime = engine().runtime
    running = row.status != "completed"
    variables = runtime.get_variables(instance_id) if running else {}
    activities = runtime.activities(row.definition_id) if running else []
    return render_template("portal/operations_instance.html", instance=row, progress=runtime.progress(instance_id),
                           variables=sorted(variables), types=VARIABLE_TYPES, error=error, form=form or {},
                           incidents=runtime.list_incidents(IncidentQuery(instance_id=instance_id)),
                           activities=activities, names={a.id: a.name or a.id for a in activities}), status


@blueprint.post("/instances/<instance_id>/<action_key>")
def act(instance_id: str, action_key: str):
    """Checks the action; the first post shows the confirmation, the confirmed one runs it."""
    action = ACTIONS.get(action_key)
    if action is None:
        abort(404)
    _running_instance(instance_id)
    form = {name: request.form.get(name, "") for name in action.fields}
    try:
        summary = action.check(engine(), instance_id, form)
    except ActionRefused as refused:
        return instance(instance_id, error=translate(refused.key, **refused.values), form=form, status=400)
    except EngineError as err:
        return instance(instance_id, error=translate("operations.error.engine", message=str(err)), form=form,
                        status=409 if isinstance(err, ConflictError) else 400)
    if request.form.get("confirmed") != "1":
        return render_template("portal/operations_confirm.html", instance_id=instance_id, action=action,
                               form=form, summary=summary)
    try:
        action.run(engine(), instance_id, form, current_principal().user_id)
    except EngineError as err:
        return instance(instance_id, error=translate("operations.error.engine", message=str(err)), form=form,
                        status=409 if isinstance(err, ConflictError) else 400)
    flash(translate(f"operations.done.{action.key}", **summary), "success")
    if action.key == "delete":
        return redirect(url_for("operations.index"))
    return redirect(url_for("operations.instance", instance_id=instance_id))
