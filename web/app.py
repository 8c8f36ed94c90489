"""Flask application factory."""
from __future__ import annotations

from flask import Flask, jsonify

from engine import EngineConfig, HandlerRegistry, ProcessEngine
from engine.schema import head_revision
from workflows.handlers import register_handlers


def create_app(engine_config: EngineConfig | None = None) -> Flask:
    app = Flask(__name__)
    # Refuses to start on an un-migrated database, with the command that fixes it.
    engine = ProcessEngine(engine_config or EngineConfig(), handlers=register_handlers(HandlerRegistry()))
    app.extensions["thidua.engine"] = engine

    @app.get("/health")
    def health():
        return jsonify(status="ok", schema=head_revision())

    return app
