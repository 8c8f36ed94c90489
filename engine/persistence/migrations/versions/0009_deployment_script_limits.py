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


COLUMNS = ('script_cpu_seconds', 'script_memory_mb')


# Plain ALTER TABLE rather than a batch copy: on SQLite a batch recreates `deployment`, which
# the definitions' foreign keys forbid once there is data.
def upgrade() -> None:
    op.add_column('deployment', sa.Column('script_cpu_seconds', sa.Float(), nullable=True))
    op.add_column('deployment', sa.Column('script_memory_mb', sa.Integer(), nullable=True))


def downgrade() -> None:
    for column in reversed(COLUMNS):
        op.execute(f'ALTER TABLE deployment DROP COLUMN {column}')
