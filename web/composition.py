"""Builds the service from its parts: the engine, the campaign's schema and its handlers."""
from __future__ import annotations

from engine import EngineConfig, HandlerRegistry, ProcessEngine
from engine.db import make_engine
from engine.schema import upgrade as upgrade_engine_schema
from workflows.document_register import DocumentRegister
from workflows.handlers import register_handlers
from workflows.schema import ensure_migrated as ensure_campaign_schema
from workflows.schema import upgrade as upgrade_campaign_schema
from workflows.staff_directory import StaffDirectory


def upgrade_database(database_url: str) -> None:
    db = make_engine(database_url)
    try:
        upgrade_engine_schema(db)
        upgrade_campaign_schema(db)
    finally:
        db.dispose()


def build_engine(config: EngineConfig | None = None) -> ProcessEngine:
    """The engine with every campaign handler; refuses a database that is not migrated."""
    registry = HandlerRegistry()
    engine = ProcessEngine(config or EngineConfig(), handlers=registry)
    try:
        ensure_campaign_schema(engine.context.db)
    except Exception:
        engine.close()
        raise
    # Handlers are looked up when a task runs, so the directory (which needs the engine's
    # database) can be registered after the engine exists.
    register_handlers(registry, staff_directory(engine), DocumentRegister(engine.context.db))
    return engine


def staff_directory(engine: ProcessEngine) -> StaffDirectory:
    return StaffDirectory(engine.context.db)
