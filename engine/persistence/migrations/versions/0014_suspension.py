"""suspension of process instances and definitions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 05:30:00

An operator suspends an instance (its tasks are not completed or claimed, its timers and
reminders wait) or a process definition (it starts no instance). Open tasks carry their
instance's flag so that inboxes and reminders read it without a join.
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


TABLES = ('process_definition', 'process_instance', 'task')


# Plain ALTER TABLE rather than a batch copy: on SQLite a batch recreates the table, which the
# foreign keys pointing at these tables forbid once there is data.
def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column('suspended', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f'ALTER TABLE {table} DROP COLUMN suspended')
