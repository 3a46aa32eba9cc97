"""province office: ward packages, ward proposals, package documents

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 03:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('ward_package',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.String(length=64), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=300), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('schema_version', sa.Integer(), nullable=False),
    sa.Column('ward_unit_id', sa.Integer(), nullable=False),
    sa.Column('ward_code', sa.String(length=64), nullable=False),
    sa.Column('ward_name', sa.String(length=300), nullable=False),
    sa.Column('province', sa.String(length=200), nullable=True),
    sa.Column('campaign_code', sa.String(length=100), nullable=True),
    sa.Column('campaign_name', sa.String(length=500), nullable=True),
    sa.Column('level', sa.String(length=20), nullable=True),
    sa.Column('proposal_number', sa.String(length=60), nullable=True),
    sa.Column('proposal_date', sa.Date(), nullable=True),
    sa.Column('proposal_signer', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('signer_subject', sa.String(length=500), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.Column('trusted', sa.Boolean(), nullable=False),
    sa.Column('verification', sa.JSON(), nullable=False),
    sa.Column('candidate_count', sa.Integer(), nullable=False),
    sa.Column('ward_data', sa.JSON(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.Column('imported_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['ward_unit_id'], ['unit.id'], name=op.f('fk_ward_package_ward_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ward_package')),
    sa.UniqueConstraint('file_sha256', name=op.f('uq_ward_package_file_sha256')),
    sa.UniqueConstraint('package_id', name=op.f('uq_ward_package_package_id'))
    )
    with op.batch_alter_table('ward_package', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ward_package_ward_code'), ['ward_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_ward_package_ward_unit_id'), ['ward_unit_id'], unique=False)

    op.create_table('ward_package_file',
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['package_id'], ['ward_package.id'], name=op.f('fk_ward_package_file_package_id_ward_package'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('package_id', name=op.f('pk_ward_package_file'))
    )
    op.create_table('ward_package_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('member', sa.String(length=500), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data_offset', sa.Integer(), nullable=False),
    sa.Column('signed', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_ward_package_document_candidate_id_candidate'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['package_id'], ['ward_package.id'], name=op.f('fk_ward_package_document_package_id_ward_package'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ward_package_document')),
    sa.UniqueConstraint('package_id', 'member', name=op.f('uq_ward_package_document_package_id'))
    )
    with op.batch_alter_table('ward_package_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ward_package_document_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ward_package_document_package_id'), ['package_id'], unique=False)

    op.create_table('ward_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('package_id', sa.Integer(), nullable=False),
    sa.Column('ward_unit_id', sa.Integer(), nullable=False),
    sa.Column('ward_code', sa.String(length=64), nullable=False),
    sa.Column('candidate_key', sa.String(length=100), nullable=False),
    sa.Column('subject_type', sa.String(length=10), nullable=False),
    sa.Column('subject_kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('name_key', sa.String(length=300), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('cccd', sa.String(length=12), nullable=True),
    sa.Column('sex', sa.String(length=1), nullable=True),
    sa.Column('position', sa.String(length=300), nullable=True),
    sa.Column('unit_path', sa.JSON(), nullable=False),
    sa.Column('award_code', sa.String(length=64), nullable=True),
    sa.Column('award_name', sa.String(length=300), nullable=True),
    sa.Column('award_level', sa.String(length=20), nullable=True),
    sa.Column('ward_status', sa.String(length=20), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.Column('ward_votes', sa.JSON(), nullable=False),
    sa.Column('ward_score', sa.JSON(), nullable=False),
    sa.Column('ward_points', sa.Float(), nullable=True),
    sa.Column('ward_approval', sa.Float(), nullable=True),
    sa.Column('claimed_province_score', sa.JSON(), nullable=False),
    sa.Column('narrative', sa.JSON(), nullable=False),
    sa.Column('register', sa.JSON(), nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('facts_sha256', sa.String(length=64), nullable=True),
    sa.Column('score_key', sa.String(length=64), nullable=True),
    sa.Column('score', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_ward_proposal_candidate_id_candidate'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['package_id'], ['ward_package.id'], name=op.f('fk_ward_proposal_package_id_ward_package'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ward_unit_id'], ['unit.id'], name=op.f('fk_ward_proposal_ward_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ward_proposal')),
    sa.UniqueConstraint('candidate_id', name=op.f('uq_ward_proposal_candidate_id')),
    sa.UniqueConstraint('ward_code', 'candidate_key', name=op.f('uq_ward_proposal_ward_code'))
    )
    with op.batch_alter_table('ward_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ward_proposal_cccd'), ['cccd'], unique=False)
        batch_op.create_index('ix_ward_proposal_match', ['name_key', 'birth_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_ward_proposal_package_id'), ['package_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ward_proposal_ward_unit_id'), ['ward_unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('ward_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ward_proposal_ward_unit_id'))
        batch_op.drop_index(batch_op.f('ix_ward_proposal_package_id'))
        batch_op.drop_index('ix_ward_proposal_match')
        batch_op.drop_index(batch_op.f('ix_ward_proposal_cccd'))

    op.drop_table('ward_proposal')
    with op.batch_alter_table('ward_package_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ward_package_document_package_id'))
        batch_op.drop_index(batch_op.f('ix_ward_package_document_candidate_id'))

    op.drop_table('ward_package_document')
    op.drop_table('ward_package_file')
    with op.batch_alter_table('ward_package', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ward_package_ward_unit_id'))
        batch_op.drop_index(batch_op.f('ix_ward_package_ward_code'))

    op.drop_table('ward_package')
