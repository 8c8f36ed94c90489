"""staff directory

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 14:20:58.845405
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.models


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('org_unit',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.CheckConstraint("kind IN ('phong', 'trung_tam', 'ban')", name='ck_org_unit_kind'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_org_unit'))
    )
    op.create_table('staff_member',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('unit_code', sa.String(length=64), nullable=False),
    sa.Column('position', sa.String(length=255), nullable=True),
    sa.Column('office_start_date', sa.Date(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['unit_code'], ['org_unit.code'], name=op.f('fk_staff_member_unit_code_org_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_member'))
    )
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_member_unit_code'), ['unit_code'], unique=False)

    op.create_table('disciplinary_record',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('staff_id', sa.String(length=64), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('form', sa.String(length=255), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_member.id'], name=op.f('fk_disciplinary_record_staff_id_staff_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disciplinary_record'))
    )
    with op.batch_alter_table('disciplinary_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disciplinary_record_staff_id'), ['staff_id'], unique=False)

    op.create_table('yearly_rating',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('staff_id', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=16), nullable=False),
    sa.CheckConstraint("rating IN ('excellent', 'good', 'completed', 'not_completed')", name='ck_yearly_rating_rating'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_member.id'], name=op.f('fk_yearly_rating_staff_id_staff_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_yearly_rating')),
    sa.UniqueConstraint('staff_id', 'year', name='uq_yearly_rating_staff_id_year')
    )


def downgrade() -> None:
    op.drop_table('yearly_rating')
    with op.batch_alter_table('disciplinary_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disciplinary_record_staff_id'))

    op.drop_table('disciplinary_record')
    with op.batch_alter_table('staff_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_member_unit_code'))

    op.drop_table('staff_member')
    op.drop_table('org_unit')
