"""inbox indexes: tasks in due order with their id, a group's candidates with their task

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 06:00:00

A group's inbox is "its tasks by due date, then id, first page". With the task's id in the due
index, PostgreSQL walks the index in the page's order and stops after the page; with the task's
id in the candidate index, the tasks of a group are read from the index alone. Each replaces an
index of the same table, so a step writes no more index pages than before.
"""
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_due_at')
        batch_op.create_index('ix_task_due_at_id', ['due_at', 'id'], unique=False)
    with op.batch_alter_table('task_candidate', schema=None) as batch_op:
        batch_op.drop_index('ix_task_candidate_kind_value')
        batch_op.create_index('ix_task_candidate_kind_value_task', ['kind', 'value', 'task_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('task_candidate', schema=None) as batch_op:
        batch_op.drop_index('ix_task_candidate_kind_value_task')
        batch_op.create_index('ix_task_candidate_kind_value', ['kind', 'value'], unique=False)
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_index('ix_task_due_at_id')
        batch_op.create_index('ix_task_due_at', ['due_at'], unique=False)
