"""The task page: what the task asks (generated, list or no form), its dossier files, completing it."""
from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for

from engine.tasks import form_keys, input_components, validate_form_submission, TaskView
from engine.errors import ConflictError, InvalidStateError, NotFoundError, SuspendedEntityError
from engine.forms import FieldError, FormValidationError
from engine.runtime import VariableError
from web.authorization import may_see_task, may_work_on_task
from web.portal.auth import current_principal, engine, portal_blueprint
from web.portal.form_rendering import error_messages, field_views, submitted_values
from web.portal.i18n import translate
from web.portal.list_forms import ListFormInvalid, list_form
from web.portal.navigation import unit_names
from web.portal.visibility import may_see_instance

blueprint = portal_blueprint("task_page", __name__)


def visible_task(task_id: str) -> TaskView:
    """The open task if the user may see it; 404 otherwise, so its existence is not revealed."""
    try:
        view = engine().tasks.get(task_id)
    except NotFoundError:
        abort(404)
    if not may_see_task(current_principal(), view):
        abort(404)
    return view


def camunda_form(view: TaskView) -> dict | None:
    """The form-js schema of a `camunda:formRef` task; None for tasks without one."""
    if not view.form_ref:
        return None
    try:
        return engine().camunda_forms.schema(view.form_ref)
    except NotFoundError:
        abort(500, f"the form '{view.form_ref}' of this task is not deployed")


def camunda_form_data(posted: str | None) -> dict:
    """The JSON the form-js viewer put into the hidden field `camundaForm`."""
    try:
        data = json.loads(posted or "")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise FormValidationError([FieldError("", "type", "The form was not sent correctly.", {"type": "json"})])
    return data


def display_name(user_id: str | None) -> str | None:
    """Who holds the task as colleagues know them; the account id if it is gone."""
    if user_id is None:
        return None
    try:
        return engine().identity.principal(user_id).display_name
    except NotFoundError:
        return user_id


def _render(view: TaskView, *, posted=None, errors=None, list_submission=None, form_data=None, status: int = 200):
    principal = current_principal()
    variables = engine().runtime.get_variables(view.instance_id)
    instance = engine().runtime.get_instance(view.instance_id)
    form = view.form
    fields = None
    if form is not None:
        values = engine().tasks.form_variables(view.id) if posted is None else {**posted}
        fields = field_views(form, values, errors)
    special = list_form(view.form_key, variables, engine().identity)
    if special is not None and list_submission is None:
        list_submission = special.initial(variables)
    schema = camunda_form(view)
    if schema is not None and form_data is None:
        form_data = {key: variables[key] for key in form_keys(schema) if key in variables}
    return render_template(
        "portal/task.html", task=view, instance=instance, variables=variables, fields=fields,
        camunda_schema=schema, camunda_data=form_data,
        camunda_labels={c["key"]: c.get("label") or c["key"] for c in input_components(schema)} if schema else {},
        list_form=special, submission=list_submission, errors=errors or {},
        may_work=may_work_on_task(principal, view), unit_names=unit_names(),
        assignee_name=display_name(view.assignee),
        instance_visible=may_see_instance(principal, view.instance_id),
        attachments=engine().attachments.list(view.instance_id),
        max_attachment_mb=engine().context.config.max_attachment_bytes // (1024 * 1024),
    ), status


@blueprint.get("/tasks/<task_id>")
def task(task_id: str):
    return _render(visible_task(task_id))


@blueprint.post("/tasks/<task_id>/complete")
def complete(task_id: str):
    principal = current_principal()
    view = visible_task(task_id)
    if not may_work_on_task(principal, view):
        abort(403)
    special = list_form(view.form_key, engine().runtime.get_variables(view.instance_id), engine().identity)
    form = view.form
    schema = camunda_form(view)
    submission, posted, form_data = None, None, None
    try:
        values = {}
        if schema is not None:
            form_data = camunda_form_data(request.form.get("camundaForm"))
            values.update(validate_form_submission(schema, form_data))
        if special is not None:
            submission = special.parse(request.form)
            values.update(special.variables(submission))
        if form is not None:
            posted = submitted_values(form, request.form)
            values.update(posted)
        engine().tasks.complete(task_id, values, actor=principal.user_id)
    except ListFormInvalid as err:
        return _render(view, posted=posted or (submitted_values(form, request.form) if form else None),
                       errors=err.errors, list_submission=submission, status=422)
    except FormValidationError as err:
        return _render(view, posted=posted, errors=error_messages(err.errors), list_submission=submission,
                       form_data=form_data, status=422)
    except VariableError as err:
        flash(translate("task.error.values", message=str(err)), "error")
        return _render(view, posted=posted, list_submission=submission, status=422)
    except SuspendedEntityError:
        # Suspended meanwhile (or since the page was shown): the form stays, with what was typed.
        flash(translate("task.error.suspended"), "error")
        return _render(visible_task(task_id), posted=posted, list_submission=submission, form_data=form_data,
                       status=409)
    except (ConflictError, InvalidStateError, NotFoundError):
        flash(translate("task.error.conflict"), "warning")
        return redirect(url_for("inbox.inbox"))
    flash(translate("task.completed", name=view.name or view.element_id), "success")
    return redirect(url_for("inbox.inbox"))
