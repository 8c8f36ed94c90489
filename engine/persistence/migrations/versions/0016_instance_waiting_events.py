"""instance waiting events: the catch events an instance waiting on a timer waits on

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 06:10:00

A campaign's page shows where each unit stands; a unit waiting on the campaign period's timer
had its whole state loaded just to name that timer. Rows written before this column stay None and
are read from their state as before.
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('waiting_json', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_column('waiting_json')
