"""Flask application factory."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask, current_app, jsonify, request

from engine import EngineConfig, ProcessEngine
from engine.persistence import head_revision
from web.composition import build_engine, portal_vocabulary
from web.portal import error_page, register_portal
from web.unavailable import register_unavailable_handler


def create_app(engine_config: EngineConfig | None = None, engine: ProcessEngine | None = None,
               settings: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(settings or {})
    # Refuses to start on an un-migrated database, with the command that fixes it.
    engine = engine or build_engine(engine_config or EngineConfig())
    app.extensions["thidua.engine"] = engine
    app.extensions["thidua.vocabulary"] = portal_vocabulary()

    from web.rest.api import rest
    from web.rest.errors import error_response
    app.register_blueprint(rest)
    # The portal's session, CSRF and sign-in do not apply to /engine-rest: it has its own Basic/Bearer auth.
    register_portal(app, exempt=(rest,))
    register_unavailable_handler(app, rest.url_prefix)

    @app.errorhandler(400)
    @app.errorhandler(403)
    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(413)
    def rest_routing_error(err):
        # Blueprint handlers never see routing errors, and the portal's pages for a status outrank
        # the REST blueprint's own handler; Camunda clients expect JSON under /engine-rest.
        if request.path.startswith(rest.url_prefix):
            return error_response(err.code, "RestException", rest_description(err))
        return error_page(err)

    @app.get("/health")
    def health():
        return jsonify(status="ok", schema=head_revision())

    @app.get("/.well-known/camunda-automation-platform/webapps")
    def webapps():
        # Camunda Modeler links "open in Cockpit/Tasklist" from here: the portal plays both parts.
        portal = request.host_url
        return jsonify(appPath="/", cockpit=portal, tasklist=portal, admin=portal + "admin")

    return app


def rest_description(err) -> str:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if err.code == 413 and limit:
        return f"the request is larger than {limit / (1024 * 1024):.1f} MB, the most this server accepts"
    return err.description
