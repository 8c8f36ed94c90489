"""pending cases, council members, award register

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 20:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_case',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('staff_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('discipline_review', 'investigation', 'inspection', 'complaint', 'denunciation')",
                       name='ck_pending_case_kind'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_member.id'], name=op.f('fk_pending_case_staff_id_staff_member'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_case'))
    )
    op.create_index(op.f('ix_pending_case_staff_id'), 'pending_case', ['staff_id'], unique=False)
    op.create_table('council_member',
    sa.Column('staff_id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.CheckConstraint("role IN ('chair', 'vice_chair', 'member', 'secretary')",
                       name='ck_council_member_role'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_member.id'], name=op.f('fk_council_member_staff_id_staff_member'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('staff_id', name=op.f('pk_council_member'))
    )
    op.create_table('award_record',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('staff_id', sa.String(length=64), nullable=True),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('award', sa.String(length=16), nullable=False),
    sa.Column('authority', sa.String(length=255), nullable=False),
    sa.Column('decision_number', sa.String(length=64), nullable=True),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('campaign_key', sa.String(length=255), nullable=False),
    sa.Column('campaign_name', sa.Text(), nullable=True),
    sa.Column('nominee_id', sa.String(length=160), nullable=False),
    sa.CheckConstraint("award IN ('buc_truong', 'bang_khen', 'giay_khen')", name='ck_award_record_award'),
    sa.CheckConstraint("kind IN ('individual', 'collective')", name='ck_award_record_kind'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_member.id'], name=op.f('fk_award_record_staff_id_staff_member')),
    sa.ForeignKeyConstraint(['unit_code'], ['org_unit.code'], name=op.f('fk_award_record_unit_code_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_record')),
    sa.UniqueConstraint('campaign_key', 'nominee_id', 'award', name='uq_award_record_campaign_key_nominee_id_award')
    )
    op.create_index(op.f('ix_award_record_staff_id'), 'award_record', ['staff_id'], unique=False)
    op.create_index(op.f('ix_award_record_unit_code'), 'award_record', ['unit_code'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_award_record_unit_code'), table_name='award_record')
    op.drop_index(op.f('ix_award_record_staff_id'), table_name='award_record')
    op.drop_table('award_record')
    op.drop_table('council_member')
    op.drop_index(op.f('ix_pending_case_staff_id'), table_name='pending_case')
    op.drop_table('pending_case')
