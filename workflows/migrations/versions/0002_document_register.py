"""document register

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:42:04.727929
"""
from alembic import op
import sqlalchemy as sa
import engine.persistence.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issued_document',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=255), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_document')),
    sa.UniqueConstraint('kind', 'year', 'number', name='uq_issued_document_kind_year_number')
    )


def downgrade() -> None:
    op.drop_table('issued_document')
