"""script limits per deployment

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:00:00

An administrator may give a deployment's scripts more (or less) CPU time and memory than the
service's defaults; empty columns mean the defaults.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('deployment') as batch:
        batch.add_column(sa.Column('script_cpu_seconds', sa.Float(), nullable=True))
        batch.add_column(sa.Column('script_memory_mb', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('deployment') as batch:
        batch.drop_column('script_memory_mb')
        batch.drop_column('script_cpu_seconds')
