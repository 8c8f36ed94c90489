"""Alembic environment of the engine's tables."""
from engine.migrations_env import run_migrations
from engine.models import Base

run_migrations(Base.metadata)
