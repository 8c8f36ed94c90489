"""Dossier files: upload on a task page, download checked against the instance's visibility."""
from __future__ import annotations

from flask import abort, flash, redirect, request, send_file, url_for
from flask.blueprints import BlueprintSetupState

from engine.tasks import AttachmentError
from engine.errors import NotFoundError
from web.authorization import may_work_on_task
from web.portal.auth import current_principal, engine, portal_blueprint
from web.portal.i18n import translate
from web.portal.task_page import visible_task
from web.portal.visibility import may_see_instance

blueprint = portal_blueprint("attachments", __name__)
# Room for the multipart envelope and the other fields around the largest accepted file.
REQUEST_OVERHEAD = 64 * 1024


@blueprint.record_once
def limit_request_size(state: BlueprintSetupState) -> None:
    # Werkzeug stops reading a larger body at once (413) instead of spooling it to disk first.
    limit = state.app.extensions["thidua.engine"].context.config.max_attachment_bytes + REQUEST_OVERHEAD
    state.app.config["MAX_CONTENT_LENGTH"] = max(state.app.config.get("MAX_CONTENT_LENGTH") or 0, limit)


@blueprint.post("/tasks/<task_id>/attachments")
def upload(task_id: str):
    principal = current_principal()
    task = visible_task(task_id)
    if not may_work_on_task(principal, task):
        abort(403)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(translate("attachments.error.no_file"), "error")
        return redirect(url_for("task_page.task", task_id=task_id))
    try:
        stored = engine().attachments.add(task.instance_id, upload.filename, upload.read(), task_id=task_id,
                                          description=request.form.get("description"), actor=principal.user_id)
    except AttachmentError as err:
        flash(translate(f"attachments.error.{err.code}", **err.params), "error")
        return redirect(url_for("task_page.task", task_id=task_id))
    flash(translate("attachments.uploaded", name=stored.name), "success")
    return redirect(url_for("task_page.task", task_id=task_id))


@blueprint.get("/attachments/<attachment_id>")
def download(attachment_id: str):
    try:
        stored = engine().attachments.open(attachment_id)
    except NotFoundError:
        abort(404)
    if not may_see_instance(current_principal(), stored.attachment.instance_id):
        abort(404)
    response = send_file(stored.path, mimetype=stored.attachment.content_type, as_attachment=True,
                         download_name=stored.attachment.name, max_age=0)
    # Never rendered by the browser as a page of this site, whatever the bytes hold.
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
