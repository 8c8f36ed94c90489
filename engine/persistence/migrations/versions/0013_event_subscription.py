"""event subscriptions: the messages and signals instances wait for, and the ones that start a process

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 06:00:00
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.models


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event_subscription',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event_type', sa.String(length=16), nullable=False),
    sa.Column('event_name', sa.String(length=255), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('definition_id', sa.String(length=128), nullable=False),
    sa.Column('definition_key', sa.String(length=255), nullable=False),
    sa.Column('activity_id', sa.String(length=255), nullable=False),
    sa.Column('execution_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', engine.persistence.models.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'],
                            name=op.f('fk_event_subscription_definition_id_process_definition'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
                            name=op.f('fk_event_subscription_instance_id_process_instance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_subscription'))
    )
    with op.batch_alter_table('event_subscription', schema=None) as batch_op:
        batch_op.create_index('ix_event_subscription_type_name', ['event_type', 'event_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_subscription_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_subscription_definition_id'), ['definition_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('event_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_subscription_definition_id'))
        batch_op.drop_index(batch_op.f('ix_event_subscription_instance_id'))
        batch_op.drop_index('ix_event_subscription_type_name')
    op.drop_table('event_subscription')
