"""timer start schedule

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 16:20:00
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.models


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('timer_start_schedule',
    sa.Column('definition_id', sa.String(length=128), nullable=False),
    sa.Column('element_id', sa.String(length=255), nullable=False),
    sa.Column('definition_key', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('expression', sa.String(length=255), nullable=False),
    sa.Column('next_fire_at', engine.persistence.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('repetitions_left', sa.Integer(), nullable=True),
    sa.Column('period', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['definition_id'], ['process_definition.id'],
                            name=op.f('fk_timer_start_schedule_definition_id_process_definition'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('definition_id', 'element_id', name=op.f('pk_timer_start_schedule'))
    )
    with op.batch_alter_table('timer_start_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timer_start_schedule_definition_key'), ['definition_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_timer_start_schedule_next_fire_at'), ['next_fire_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('timer_start_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timer_start_schedule_next_fire_at'))
        batch_op.drop_index(batch_op.f('ix_timer_start_schedule_definition_key'))
    op.drop_table('timer_start_schedule')
