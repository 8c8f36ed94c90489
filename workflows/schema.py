"""Schema versioning of the campaign tables (workflows/models.py) with their own Alembic environment.

The engine's migrations keep their version in `alembic_version`; these keep theirs in
`alembic_version_campaign`, in the same database. `thidua db upgrade` runs both; the portal and
the command line refuse to run until both are at head.
"""
from __future__ import annotations

from pathlib import Path

from engine.persistence import SchemaMigrations
from workflows.models import CampaignBase

VERSION_TABLE = "alembic_version_campaign"
CAMPAIGN_MIGRATIONS = SchemaMigrations(Path(__file__).parent / "migrations", VERSION_TABLE,
                                       "campaign tables (staff directory)")
MIGRATIONS_DIR = CAMPAIGN_MIGRATIONS.directory
alembic_config = CAMPAIGN_MIGRATIONS.config
upgrade = CAMPAIGN_MIGRATIONS.upgrade
head_revision = CAMPAIGN_MIGRATIONS.head_revision
current_revision = CAMPAIGN_MIGRATIONS.current_revision
ensure_migrated = CAMPAIGN_MIGRATIONS.ensure_migrated


def include_name(name: str | None, type_: str, parent_names) -> bool:
    """Autogenerate looks only at the campaign's tables: the engine's live in the same database."""
    if type_ == "table":
        return name in CampaignBase.metadata.tables
    return True
