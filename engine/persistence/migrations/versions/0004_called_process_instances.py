"""called process instances

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 13:57:33.451573
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_instance_id', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('parent_task_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_process_instance_parent_instance_id'), ['parent_instance_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_instance_parent_instance_id'))
        batch_op.drop_column('parent_task_id')
        batch_op.drop_column('parent_instance_id')

