"""Alembic environment of the engine's tables."""
from engine.persistence.migrations_env import run_migrations
from engine.persistence.models import Base
import engine.persistence.models_mail  # noqa: F401  (its tables are on Base.metadata too)
import engine.persistence.models_timer_start  # noqa: F401
import engine.persistence.models_events  # noqa: F401
import engine.persistence.models_incident  # noqa: F401
import engine.persistence.models_decision  # noqa: F401

run_migrations(Base.metadata)
