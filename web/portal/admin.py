"""Administration (group `admin` only): users, units, roles and the staff directory import.

A user's unit is both their `unit` (what their instances are filed under) and their membership
of the `unit:<code>` group (what BPMN candidate groups name): the edit form sets both together,
so they cannot drift apart. Every change is one engine call that validates before it writes.
"""
from __future__ import annotations

import base64
import binascii
import secrets

from flask import abort, flash, redirect, render_template, request, url_for

from engine.errors import ConflictError, EngineError, NotFoundError
from web.composition import staff_directory
from web.portal.auth import current_principal, engine, portal_blueprint
from web.portal.batches_page import start
from web.portal.i18n import in_language, translate
from web.portal.navigation import menu_item
from workflows.staff_import import ImportHasErrors, ImportRefused, StaffImporter

blueprint = portal_blueprint("admin", __name__, url_prefix="/admin")
ADMIN_GROUP = "admin"
UNIT_PREFIX = "unit:"
TEMPORARY_PASSWORD_BYTES = 9  # 12 characters, typed once and changed
# From this many rows the import is written in the background and the admin watches its progress.
BACKGROUND_FROM_ROWS = 500
menu_item("admin.users", "nav.admin", lambda principal: ADMIN_GROUP in principal.groups)


@blueprint.before_request
def admins_only():
    # Runs after the sign-in check the portal blueprint registered first.
    if ADMIN_GROUP not in current_principal().groups:
        abort(403)


def _groups():
    """(units, roles): the unit:<code> groups and every other group."""
    groups = engine().identity.list_groups()
    return [g for g in groups if g.type == "unit"], [g for g in groups if g.type != "unit"]


def _refusal(err: Exception) -> str:
    if isinstance(err, ConflictError):
        return translate("admin.error.conflict", message=str(err))
    return translate("admin.error.invalid", message=str(err))


# --- users -----------------------------------------------------------------------------------

@blueprint.get("/")
def index():
    return redirect(url_for("admin.users"))


@blueprint.get("/users")
def users(error: str | None = None, form: dict | None = None, status: int = 200):
    identity = engine().identity
    units, roles = _groups()
    people = [(user, sorted(identity.principal(user.id).groups)) for user in identity.list_users()]
    return render_template("portal/admin_users.html", users=people, units=units, roles=roles, error=error,
                           form=form or {}, unit_names={g.id.removeprefix(UNIT_PREFIX): g.name for g in units}), status


def _submitted_groups(units) -> tuple[str | None, list[str]]:
    """The unit chosen (a code, or None) and the groups: the checked roles plus that unit's group."""
    unit = request.form.get("unit", "").strip() or None
    if unit is not None and f"{UNIT_PREFIX}{unit}" not in {g.id for g in units}:
        raise NotFoundError(translate("admin.error.no_unit", unit=unit))
    roles = [g for g in request.form.getlist("groups") if not g.startswith(UNIT_PREFIX)]
    return unit, roles + ([f"{UNIT_PREFIX}{unit}"] if unit else [])


@blueprint.post("/users")
def create_user():
    units, _ = _groups()
    form = request.form.to_dict()
    password = request.form.get("password") or None
    try:
        unit, groups = _submitted_groups(units)
        engine().identity.create_user(request.form.get("user_id", "").strip(), request.form.get("display_name", ""),
                                      password=password, email=request.form.get("email") or None, unit=unit,
                                      groups=groups)
    except (EngineError, ValueError) as err:
        form.pop("password", None)
        return users(error=_refusal(err), form=form, status=400)
    flash(translate("admin.users.created", user=form.get("user_id", "")), "success")
    return redirect(url_for("admin.users"))


def _user_or_404(user_id: str):
    try:
        return engine().identity.principal(user_id)
    except NotFoundError:
        abort(404)


@blueprint.get("/users/<user_id>")
def user(user_id: str, error: str | None = None, new_password: str | None = None, status: int = 200):
    principal = _user_or_404(user_id)
    account = next(u for u in engine().identity.list_users() if u.id == user_id)
    units, roles = _groups()
    return render_template("portal/admin_user.html", account=account, groups=principal.groups, units=units,
                           roles=roles, error=error, new_password=new_password), status


@blueprint.post("/users/<user_id>")
def update_user(user_id: str):
    _user_or_404(user_id)
    units, _ = _groups()
    try:
        unit, groups = _submitted_groups(units)
        engine().identity.update_user(user_id, display_name=request.form.get("display_name", ""),
                                      email=request.form.get("email") or None, unit=unit, groups=groups)
    except (EngineError, ValueError) as err:
        return user(user_id, error=_refusal(err), status=400)
    flash(translate("admin.users.saved", user=user_id), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@blueprint.post("/users/<user_id>/active")
def set_active(user_id: str):
    _user_or_404(user_id)
    active = request.form.get("active") == "1"
    if not active and user_id == current_principal().user_id:
        return user(user_id, error=translate("admin.error.self_deactivate"), status=400)
    engine().identity.set_active(user_id, active)
    flash(translate("admin.users.activated" if active else "admin.users.deactivated", user=user_id), "success")
    return redirect(url_for("admin.user", user_id=user_id))


@blueprint.post("/users/<user_id>/password")
def reset_password(user_id: str):
    """Sets a random temporary password, shown to the admin on this page only (never stored in a cookie)."""
    _user_or_404(user_id)
    password = secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES)
    engine().identity.set_password(user_id, password)
    return user(user_id, new_password=password)


# --- units and roles -------------------------------------------------------------------------

GROUP_PAGES = {"unit": "admin.units", "role": "admin.roles"}


def _group_page(kind: str, error: str | None = None, status: int = 200):
    unit_groups, role_groups = _groups()
    shown = unit_groups if kind == "unit" else role_groups
    members = {g.id: len(engine().identity.members(g.id)) for g in shown}
    return render_template("portal/admin_groups.html", is_unit=kind == "unit", groups=shown, members=members,
                           error=error), status


def _create_group(kind: str, group_id: str, refusal: str | None, shown_as: str):
    try:
        if refusal:
            raise ValueError(refusal)
        engine().identity.create_group(group_id, request.form.get("name", ""), kind)
    except (EngineError, ValueError) as err:
        return _group_page(kind, _refusal(err), 400)
    flash(translate(f"admin.{kind}s.created", group=shown_as), "success")
    return redirect(url_for(GROUP_PAGES[kind]))


@blueprint.get("/units")
def units():
    return _group_page("unit")


@blueprint.post("/units")
def create_unit():
    code = request.form.get("code", "").strip()
    bad = not code or code.startswith(UNIT_PREFIX)
    return _create_group("unit", f"{UNIT_PREFIX}{code}", translate("admin.error.unit_code") if bad else None, code)


@blueprint.get("/roles")
def roles():
    return _group_page("role")


@blueprint.post("/roles")
def create_role():
    group_id = request.form.get("group_id", "").strip()
    bad = group_id.startswith(UNIT_PREFIX)
    return _create_group("role", group_id, translate("admin.error.role_is_unit") if bad else None, group_id)


@blueprint.post("/groups/<group_id>/name")
def rename_group(group_id: str):
    kind = "unit" if group_id.startswith(UNIT_PREFIX) else "role"
    try:
        engine().identity.rename_group(group_id, request.form.get("name", ""))
    except NotFoundError:
        abort(404)
    except (EngineError, ValueError) as err:
        return _group_page(kind, _refusal(err), 400)
    flash(translate("admin.groups.renamed", group=group_id), "success")
    return redirect(url_for(GROUP_PAGES[kind]))


# --- staff directory import ------------------------------------------------------------------

@blueprint.get("/staff-import")
def staff_import():
    return render_template("portal/admin_staff_import.html", preview=None, error=None)


@blueprint.post("/staff-import")
def staff_preview():
    """Reads and checks the file, writes nothing; the file travels back in the confirmation form."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("portal/admin_staff_import.html", preview=None,
                               error=translate("admin.staff.no_file")), 400
    content = upload.read()
    try:
        preview = _importer().preview(content, upload.filename)
    except ImportRefused as refused:
        return _refused_import(refused)
    # A preview with row errors is a page to correct the file from, and an answer a script can tell apart.
    return render_template("portal/admin_staff_import.html", preview=preview, error=None,
                           content=base64.b64encode(content).decode("ascii"),
                           filename=preview.filename), 200 if preview.ok else 422


@blueprint.post("/staff-import/apply")
def staff_apply():
    """Checks the file again (it came back from the browser) and writes all rows, or none."""
    try:
        content = base64.b64decode(request.form.get("content", ""), validate=True)
    except (binascii.Error, ValueError):
        abort(400)
    importer, filename = _importer(), request.form.get("filename", "")
    rows = request.form.get("rows", "")
    if rows.isdigit() and int(rows) >= BACKGROUND_FROM_ROWS:
        return start("staff_import", translate("admin.staff.batch", filename=filename, rows=int(rows)),
                     _staff_import(importer, content, filename), int(rows) + 1)
    try:
        preview = importer.preview(content, filename)
        result = importer.apply(preview)
    except (ImportRefused, ImportHasErrors) as refused:
        return _refused_import(refused)
    flash(translate("admin.staff.imported", created=result.created, updated=result.updated,
                    ratings=result.ratings), "success")
    return redirect(url_for("admin.staff_import"))


def _staff_import(importer: StaffImporter, content: bytes, filename: str):
    """The check and the write as a batch's work; its result says what the page would have said."""
    def work(progress) -> dict:
        try:
            result = importer.apply(importer.preview(content, filename, progress), progress)
        except (ImportRefused, ImportHasErrors) as refused:
            return {"ok": False, "message": str(refused)}
        return {"ok": True, "created": result.created, "updated": result.updated, "ratings": result.ratings}
    return work


def _refused_import(refused: Exception):
    return render_template("portal/admin_staff_import.html", preview=None,
                           error=translate("admin.staff.refused", message=in_language(str(refused)))), 400


def _importer() -> StaffImporter:
    return StaffImporter(staff_directory(engine()))
