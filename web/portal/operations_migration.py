"""Vận hành: moving a version's running instances to another version of their process.

A dry run ("Chạy thử") generates the plan (elements mapped by id) and validates it against every
running instance of the source version, showing the engine's report and changing nothing. The
migration itself goes through the operations confirmation page, and the engine migrates all of
those instances or none, writing each into its history under the operator's name."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for

from engine.errors import EngineError
from engine.runtime import InstanceQuery, MigrationValidationError
from web.portal.admin import ADMIN_GROUP
from web.portal.auth import current_principal, engine, portal_blueprint
from web.portal.i18n import translate

blueprint = portal_blueprint("operations_migration", __name__, url_prefix="/operations/migration")


@dataclass(frozen=True)
class _Confirmation:
    """What operations_confirm.html needs of an action."""
    key: str = "migrate"
    danger: bool = True


@blueprint.before_request
def admins_only():
    if ADMIN_GROUP not in current_principal().groups:
        abort(403)


def _choice() -> dict:
    return {"key": request.values.get("key", "").strip(), "source": request.values.get("source", ""), "target": request.values.get("target", "")}


def _versions(key: str) -> dict:
    return {d.id: d for d in engine().repository.list_definitions(key=key, limit=None)} if key else {}


def _checked(choice: dict):
    """The chosen source and target versions and the source's running instance ids; ValueError
    with the message key when the choice is not two different versions of the chosen process."""
    versions = _versions(choice["key"])
    source, target = versions.get(choice["source"]), versions.get(choice["target"])
    if source is None or target is None:
        raise ValueError("operations.migration.error.versions")
    if source.id == target.id:
        raise ValueError("operations.migration.error.same")
    running = engine().runtime.list_instances(InstanceQuery(definition_id=source.id, running=True, limit=None))
    if not running:
        raise ValueError("operations.migration.error.none")
    return source, target, [i.id for i in running]


def _page(choice: dict, *, report=None, count: int = 0, error: str | None = None, status: int = 200):
    keys = sorted({d.key for d in engine().repository.list_definitions(latest_only=True, limit=None)})
    return render_template("portal/operations_migration.html", keys=keys, versions=_versions(choice["key"]),
                           choice=choice, report=report, count=count, error=error), status


@blueprint.get("/")
def page():
    """The choice of process and versions; with dry_run=1, the validation report of the plan."""
    choice = _choice()
    if request.args.get("dry_run") != "1":
        return _page(choice)
    try:
        source, target, instance_ids = _checked(choice)
        migration = engine().migration
        plan = migration.generate_migration_plan(source.id, target.id)
        report = migration.validate_migration_plan(plan, instance_ids)
    except ValueError as refused:
        return _page(choice, error=translate(str(refused)), status=400)
    except EngineError as err:
        return _page(choice, error=translate("operations.error.engine", message=str(err)), status=400)
    return _page(choice, report=report, count=len(instance_ids))


@blueprint.post("/")
def execute():
    """The first post asks to confirm; the confirmed one migrates every running instance or none."""
    choice = _choice()
    try:
        source, target, instance_ids = _checked(choice)
    except ValueError as refused:
        return _page(choice, error=translate(str(refused)), status=400)
    summary = {"count": len(instance_ids), "source": source.version, "target": target.version, "key": source.key}
    if request.form.get("confirmed") != "1":
        return render_template("portal/operations_confirm.html", instance_id=None, action=_Confirmation(),
                               form=choice, summary=summary, cancel=url_for("operations_migration.page", **choice))
    migration = engine().migration
    try:
        plan = migration.generate_migration_plan(source.id, target.id)
        migrated = migration.execute_migration(plan, instance_ids, actor=current_principal().user_id)
    except MigrationValidationError as refused:
        return _page(choice, report=refused.report, count=len(instance_ids),
                     error=translate("operations.migration.error.refused"), status=400)
    except EngineError as err:
        return _page(choice, error=translate("operations.error.engine", message=str(err)), status=400)
    flash(translate("operations.done.migrate", **{**summary, "count": migrated}), "success")
    return redirect(url_for("operations_migration.page", key=source.key))
