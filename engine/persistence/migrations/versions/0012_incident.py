"""incidents: one row per step the engine could not take, with its type, stack trace and annotation

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 05:40:00
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.models


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('incident',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('definition_id', sa.String(length=128), nullable=False),
    sa.Column('activity_id', sa.String(length=255), nullable=True),
    sa.Column('incident_type', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('stack_trace', sa.Text(), nullable=True),
    sa.Column('configuration', sa.String(length=64), nullable=True),
    sa.Column('created_at', engine.persistence.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', engine.persistence.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('annotation', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
                            name=op.f('fk_incident_instance_id_process_instance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index('ix_incident_configuration', ['configuration'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_instance_id'), ['instance_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_instance_id'))
        batch_op.drop_index('ix_incident_configuration')
    op.drop_table('incident')
