"""Models (designers only): process and decision definitions with their versions, a version's
diagram, what changed from the previous version, and uploading a new version.

An upload goes through the same `repository.deploy` as Camunda Modeler's Deploy button and
`thidua deploy`: the same checks, the same messages, and a refused file stores nothing.
"""
from __future__ import annotations

from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for

from engine.errors import ConflictError, DeploymentError, NotFoundError, Problem
from engine.persistence import ProcessDefinition
from web.authorization import may_deploy
from web.portal.auth import current_principal, engine, portal_blueprint
from web.portal.batches_page import start
from web.portal.i18n import translate
from web.portal.instance_page import xml_response
from web.portal.navigation import menu_item

blueprint = portal_blueprint("models", __name__)
menu_item("models.models", "nav.models", may_deploy)
MAX_UPLOAD_FILES = 20
# From this many files a deployment runs in the background and the designer watches its progress.
BACKGROUND_FROM_FILES = 4


@blueprint.before_request
def designers_only():
    # Runs after the sign-in check the portal blueprint registered first.
    if not may_deploy(current_principal()):
        abort(403)


def _grouped(definitions) -> list[tuple[str, list]]:
    """(key, versions newest first) per key."""
    return [(key, sorted(versions, key=lambda d: d.version, reverse=True))
            for key, versions in groupby(definitions, key=lambda d: d.key)]


def _listing(problems: list[Problem] | None = None, status: int = 200):
    repository = engine().repository
    page = render_template("portal/models.html", processes=_grouped(repository.list_definitions(limit=None)),
                           decisions=_grouped(repository.list_decision_definitions()), problems=problems or [])
    return page, status


@blueprint.get("/models")
def models():
    return _listing()


@blueprint.post("/models")
def upload():
    uploads = [f for f in request.files.getlist("files") if f and f.filename]
    if not uploads:
        return _listing([Problem("deployment", translate("models.upload.none"))], 400)
    if len(uploads) > MAX_UPLOAD_FILES:
        return _listing([Problem("deployment", translate("models.upload.too_many", limit=MAX_UPLOAD_FILES))], 400)
    files = [(f.filename, f.read()) for f in uploads]
    if len(files) >= BACKGROUND_FROM_FILES:
        return start("deployment", translate("models.upload.batch", count=len(files)),
                     _deployment(engine().repository, files, current_principal().user_id), 0)
    try:
        result = engine().repository.deploy(files, source="portal", actor=current_principal().user_id)
    except DeploymentError as refused:
        return _listing(refused.problems, 400)
    except ConflictError:
        # The engine's message is for API clients, in English; the portal says it in the reader's language.
        return _listing([Problem("deployment", translate("models.upload.concurrent"))], 409)
    created = result.processes + result.decisions
    if not created:
        flash(translate("models.upload.unchanged", keys=", ".join(result.unchanged) or "—"), "info")
        return redirect(url_for("models.models"))
    for definition in created:
        flash(translate("models.upload.deployed", key=definition.key, version=definition.version), "success")
    return redirect(url_for("models.version", definition_id=created[0].id))


def _deployment(repository, files: list[tuple[str, bytes]], actor: str):
    """The deployment as a batch's work: its result says what the page would have flashed."""
    def work(progress) -> dict:
        try:
            result = repository.deploy(files, source="portal", actor=actor, progress=progress)
        except DeploymentError as refused:
            return {"ok": False, "problems": [str(problem) for problem in refused.problems]}
        except ConflictError:
            return {"ok": False, "concurrent": True}
        return {"ok": True, "unchanged": result.unchanged,
                "deployed": [{"id": d.id, "key": d.key, "version": d.version}
                             for d in result.processes + result.decisions]}
    return work


@blueprint.get("/models/<definition_id>")
def version(definition_id: str):
    repository = engine().repository
    definition = _model_or_404(definition_id)
    previous = repository.previous_version(definition_id)
    diff = repository.diff(previous.id, definition_id) if previous is not None else None
    is_process = isinstance(definition, ProcessDefinition)
    versions = (repository.list_definitions(key=definition.key, limit=None) if is_process
                else repository.list_decision_definitions(key=definition.key))
    markers = {"added": diff.marked("added"), "changed": diff.marked("changed")} if diff else {}
    diagrams = []
    if is_process:
        diagrams.append({"id": "version-diagram", "xml": url_for("models.xml", definition_id=definition_id),
                         "markers": markers, "title": translate("models.diagram.this", version=definition.version)})
        if diff and diff.marked("removed"):
            diagrams.append({"id": "previous-diagram", "xml": url_for("models.xml", definition_id=previous.id),
                             "markers": {"removed": diff.marked("removed")},
                             "title": translate("models.diagram.previous", version=previous.version)})
    decision = None if is_process else {"id": "decision-table", "xml": url_for("models.xml", definition_id=definition_id),
                                        "decision": definition.key}
    return render_template("portal/models_version.html", definition=definition, previous=previous, diff=diff,
                           is_process=is_process, versions=sorted(versions, key=lambda d: d.version, reverse=True),
                           diagrams=diagrams, decision=decision)


@blueprint.get("/models/<definition_id>/compare")
def compare(definition_id: str):
    """A decision table's rows against another version's (`with`, else the previous one):
    added, removed and changed rules, the changed cells with their earlier text."""
    repository = engine().repository
    definition = _model_or_404(definition_id)
    if isinstance(definition, ProcessDefinition):
        abort(404)
    other_id = request.args.get("with")
    other = _model_or_404(other_id) if other_id else repository.previous_version(definition_id)
    if other is None or other.key != definition.key or isinstance(other, ProcessDefinition):
        problem = "models.compare.no_previous" if other is None else "models.compare.other_key"
        return render_template("portal/models_compare.html", definition=definition, other=other, diff=None,
                               problem=translate(problem)), 404 if other is None else 400
    diff = repository.table_diff(other.id, definition_id)
    problem = None if diff is not None else translate("models.compare.not_table")
    return render_template("portal/models_compare.html", definition=definition, other=other, diff=diff,
                           problem=problem), 200 if diff is not None else 400


@blueprint.get("/models/<definition_id>/model.xml")
def xml(definition_id: str):
    _model_or_404(definition_id)
    return xml_response(engine().repository.model_xml(definition_id))


def _model_or_404(definition_id: str):
    try:
        return engine().repository.get_model(definition_id)
    except NotFoundError:
        abort(404)
