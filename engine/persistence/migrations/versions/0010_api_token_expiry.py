"""API tokens may expire

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 21:10:00

A token given to an integration for a campaign need not outlive it; an empty column keeps the
tokens issued so far valid until revoked.
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.models


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_token') as batch:
        batch.add_column(sa.Column('expires_at', engine.persistence.models.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_token') as batch:
        batch.drop_column('expires_at')
