"""Database schema versioning with Alembic: upgrade, and refuse to run on an old schema.

The engine's tables have their migrations here; other parts of the service that keep tables in
the same database (workflows/) use the same class with their own folder and version table.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from engine.errors import DatabaseNotMigratedError


@dataclass(frozen=True)
class SchemaMigrations:
    directory: Path
    version_table: str
    what: str  # how the refusal names these tables

    def config(self, database_url: str) -> Config:
        config = Config()
        config.set_main_option("script_location", str(self.directory))
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
        return config

    def upgrade(self, engine: Engine, revision: str = "head") -> None:
        self._run(command.upgrade, engine, revision)

    def downgrade(self, engine: Engine, revision: str) -> None:
        self._run(command.downgrade, engine, revision)

    def _run(self, alembic_command, engine: Engine, revision: str) -> None:
        config = self.config(engine.url.render_as_string(hide_password=False))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            alembic_command(config, revision)

    def head_revision(self) -> str:
        return ScriptDirectory.from_config(self.config("sqlite://")).get_current_head()

    def current_revision(self, engine: Engine) -> str | None:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": self.version_table})
            return context.get_current_revision()

    def ensure_migrated(self, engine: Engine) -> None:
        current, head = self.current_revision(engine), self.head_revision()
        if current != head:
            raise DatabaseNotMigratedError(
                f"The {self.what} of the database at {engine.url.render_as_string(hide_password=True)} "
                f"is not migrated (schema {current or 'empty'}, this release needs {head}). "
                "Run `thidua db upgrade` first."
            )


ENGINE_MIGRATIONS = SchemaMigrations(Path(__file__).parent / "migrations", "alembic_version", "engine schema")
MIGRATIONS_DIR = ENGINE_MIGRATIONS.directory
alembic_config = ENGINE_MIGRATIONS.config
upgrade = ENGINE_MIGRATIONS.upgrade
head_revision = ENGINE_MIGRATIONS.head_revision
current_revision = ENGINE_MIGRATIONS.current_revision
ensure_migrated = ENGINE_MIGRATIONS.ensure_migrated
