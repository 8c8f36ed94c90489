"""Alembic environment of the engine's tables."""
from engine.migrations_env import run_migrations
from engine.models import Base
import engine.models_mail  # noqa: F401  (its tables are on Base.metadata too)
import engine.models_timer_start  # noqa: F401

run_migrations(Base.metadata)
