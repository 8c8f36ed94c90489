"""lookup indexes hold only the rows that set the column

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 17:40:00

Most instances have no business key, unit, parent or timer, and a fresh task no assignee; a
full index still gets an entry for each of them, written on every step's commit.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

PARTIAL = (
    ('process_instance', 'business_key'),
    ('process_instance', 'unit'),
    ('process_instance', 'parent_instance_id'),
    ('process_instance', 'next_timer_at'),
    ('task', 'assignee'),
    ('history_event', 'task_id'),
)


def upgrade() -> None:
    for table, column in PARTIAL:
        name = f'ix_{table}_{column}'
        where = sa.text(f'{column} IS NOT NULL')
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column], sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for table, column in PARTIAL:
        name = f'ix_{table}_{column}'
        op.drop_index(name, table_name=table)
        op.create_index(name, table, [column])
