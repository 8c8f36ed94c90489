"""The task page: the task's form, its dossier files, and completing it."""
from __future__ import annotations

from flask import abort, render_template

from engine.errors import NotFoundError
from web.authorization import may_see_task
from web.portal.auth import current_principal, engine, portal_blueprint

blueprint = portal_blueprint("task_page", __name__)


@blueprint.get("/tasks/<task_id>")
def task(task_id: str):
    try:
        view = engine().tasks.get(task_id)
    except NotFoundError:
        abort(404)
    if not may_see_task(current_principal(), view):
        abort(404)
    return render_template("portal/task.html", task=view)
