"""documents issued by the campaign's steps, and their rendered and signed files

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 10:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('campaign_document',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('campaign_instance_id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.String(length=36), nullable=False),
    sa.Column('business_key', sa.String(length=255), nullable=True),
    sa.Column('element_id', sa.String(length=255), nullable=False),
    sa.Column('step_name', sa.String(length=255), nullable=True),
    sa.Column('issue', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('nominee_id', sa.String(length=160), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=True),
    sa.Column('register_kind', sa.String(length=32), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('context', sa.Text(), nullable=False),
    sa.Column('list_source', sa.Text(), nullable=True),
    sa.Column('reference', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_document')),
    sa.UniqueConstraint('reference', name='uq_campaign_document_reference')
    )
    op.create_index(op.f('ix_campaign_document_campaign_instance_id'), 'campaign_document', ['campaign_instance_id'],
                    unique=False)
    op.create_index(op.f('ix_campaign_document_instance_id'), 'campaign_document', ['instance_id'], unique=False)
    op.create_table('campaign_document_file',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('signed', sa.Boolean(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signer', sa.String(length=255), nullable=True),
    sa.CheckConstraint("format IN ('docx', 'pdf', 'xlsx')", name='ck_campaign_document_file_format'),
    sa.ForeignKeyConstraint(['document_id'], ['campaign_document.id'],
                            name=op.f('fk_campaign_document_file_document_id_campaign_document'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_document_file')),
    sa.UniqueConstraint('document_id', 'format', 'signed', name='uq_campaign_document_file_document_id_format_signed')
    )


def downgrade() -> None:
    op.drop_table('campaign_document_file')
    op.drop_index(op.f('ix_campaign_document_instance_id'), table_name='campaign_document')
    op.drop_index(op.f('ix_campaign_document_campaign_instance_id'), table_name='campaign_document')
    op.drop_table('campaign_document')
