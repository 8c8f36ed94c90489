"""decision instances: the DMN history of every evaluation

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 05:40:00
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.models


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('decision_instance',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('root_id', sa.String(length=36), nullable=True),
    sa.Column('decision_definition_id', sa.String(length=128), nullable=True),
    sa.Column('decision_key', sa.String(length=255), nullable=False),
    sa.Column('decision_name', sa.String(length=255), nullable=True),
    sa.Column('evaluated_at', engine.persistence.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('process_definition_id', sa.String(length=128), nullable=True),
    sa.Column('process_definition_key', sa.String(length=255), nullable=True),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('activity_id', sa.String(length=255), nullable=True),
    sa.Column('activity_name', sa.String(length=255), nullable=True),
    sa.Column('activity_instance_id', sa.String(length=36), nullable=True),
    sa.Column('user_id', sa.String(length=255), nullable=True),
    sa.Column('inputs_json', sa.Text(), nullable=False),
    sa.Column('rules_json', sa.Text(), nullable=False),
    sa.Column('collect_result_json', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_instance'))
    )
    with op.batch_alter_table('decision_instance', schema=None) as batch_op:
        batch_op.create_index('ix_decision_instance_decision_key', ['decision_key'], unique=False)
        batch_op.create_index('ix_decision_instance_instance_id', ['instance_id'], unique=False,
                              sqlite_where=sa.text('instance_id IS NOT NULL'),
                              postgresql_where=sa.text('instance_id IS NOT NULL'))
        batch_op.create_index('ix_decision_instance_root_id', ['root_id'], unique=False,
                              sqlite_where=sa.text('root_id IS NOT NULL'),
                              postgresql_where=sa.text('root_id IS NOT NULL'))


def downgrade() -> None:
    with op.batch_alter_table('decision_instance', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_instance_root_id')
        batch_op.drop_index('ix_decision_instance_instance_id')
        batch_op.drop_index('ix_decision_instance_decision_key')
    op.drop_table('decision_instance')
