"""instance unit and external task locks

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 13:34:26.754492
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.models


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('external_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('lock_expires_at', engine.persistence.models.UtcDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_process_instance_unit'), ['unit'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_instance_unit'))
        batch_op.drop_column('unit')

    with op.batch_alter_table('external_task', schema=None) as batch_op:
        batch_op.drop_column('lock_expires_at')
        batch_op.drop_column('worker_id')

