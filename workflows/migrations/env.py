"""Alembic environment of the campaign tables: their own metadata and their own version table."""
from engine.persistence import run_migrations
from workflows.models import CampaignBase
from workflows.schema import VERSION_TABLE

run_migrations(CampaignBase.metadata, VERSION_TABLE)
