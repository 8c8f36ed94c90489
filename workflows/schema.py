"""Schema versioning of the campaign tables (workflows/models.py) with their own Alembic environment.

The engine's migrations keep their version in `alembic_version`; these keep theirs in
`alembic_version_campaign`, in the same database. `thidua db upgrade` runs both; the portal and
the command line refuse to run until both are at head.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from engine.errors import DatabaseNotMigratedError
from workflows.models import CampaignBase

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version_campaign"


def include_name(name: str | None, type_: str, parent_names) -> bool:
    """Autogenerate looks only at the campaign's tables: the engine's live in the same database."""
    if type_ == "table":
        return name in CampaignBase.metadata.tables
    return True


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()


def ensure_migrated(engine: Engine) -> None:
    current, head = current_revision(engine), head_revision()
    if current != head:
        shown = current or "empty"
        raise DatabaseNotMigratedError(
            f"The campaign tables (staff directory) of the database at "
            f"{engine.url.render_as_string(hide_password=True)} are not migrated "
            f"(campaign schema {shown}, this release needs {head}). Run `thidua db upgrade` first."
        )
