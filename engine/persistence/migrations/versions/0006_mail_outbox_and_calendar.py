"""mail outbox, office calendar and reminder settings

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 15:11:30.243743
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_day'))
    )
    op.create_table('mail_outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=True),
    sa.Column('business_key', sa.String(length=255), nullable=True),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('remind_at', engine.persistence.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('due_at', engine.persistence.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('recipient', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('payload_json', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', engine.persistence.models.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', engine.persistence.models.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', engine.persistence.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox')),
    sa.UniqueConstraint('task_id', 'kind', 'remind_at', 'recipient', name='uq_mail_outbox_reminder')
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_outbox_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index('ix_mail_outbox_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)

    op.create_table('reminder_setting',
    sa.Column('business_key', sa.String(length=255), nullable=False),
    sa.Column('reminders', sa.String(length=255), nullable=True),
    sa.Column('escalate_to', sa.String(length=255), nullable=True),
    sa.Column('updated_at', engine.persistence.models.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('business_key', name=op.f('pk_reminder_setting'))
    )


def downgrade() -> None:
    op.drop_table('reminder_setting')
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_outbox_status_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_mail_outbox_instance_id'))

    op.drop_table('mail_outbox')
    op.drop_table('calendar_day')
