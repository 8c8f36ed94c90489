"""The staff portal: sign-in, inbox, task forms, dossiers, campaign progress, models and admin.

Each page module exposes `blueprint` (built with `web.portal.auth.portal_blueprint` so that it
requires a signed-in user); adding a page is one line in PAGES.
"""
from __future__ import annotations

from importlib import import_module

from flask import Blueprint, Flask, render_template
from werkzeug.exceptions import HTTPException

PAGES = (
    "web.portal.inbox",
    "web.portal.task_page",
    "web.portal.attachments",
    "web.portal.campaign",
    "web.portal.instance_page",
    "web.portal.models_page",
    "web.portal.templates_page",
    "web.portal.admin",
    "web.portal.outbox",
    "web.portal.person_page",
    "web.portal.statistics_page",
    "web.portal.documents_page",
    "web.portal.batches_page",
    "web.portal.documents_package",
    "web.portal.operations_page",
    "web.portal.operations_migration",
)


def register_portal(app: Flask, exempt: tuple[Blueprint, ...] = ()) -> None:
    from web.assets import missing_vendor_files
    from web.portal import auth, deadlines, i18n, navigation, security_headers

    auth.configure(app)
    for blueprint in exempt:
        auth.csrf.exempt(blueprint)
    app.register_error_handler(400, error_page)
    app.register_error_handler(403, error_page)
    app.register_error_handler(413, error_page)
    i18n.init_app(app)
    navigation.init_app(app)
    deadlines.init_app(app)
    app.register_blueprint(auth.auth)
    for module in PAGES:
        app.register_blueprint(import_module(module).blueprint)
    missing = missing_vendor_files()
    if missing:
        app.logger.warning("front-end libraries missing from web/static/vendor (run `make install` or "
                           "`python -m web.assets`): %s", ", ".join(missing))
    app.config["THIDUA_MISSING_VENDOR"] = missing
    security_headers.init_app(app)


def error_page(err: HTTPException):
    """400, 403, 404 and 413 as portal pages, in the user's language; other errors as Werkzeug renders them."""
    from web.portal.i18n import translate

    kind = {400: "bad_request", 403: "forbidden", 404: "not_found", 413: "too_large"}.get(err.code)
    if kind is None:
        return err
    return render_template("portal/error.html", title=translate(f"error.{kind}.title"),
                           message=translate(f"error.{kind}.message")), err.code
