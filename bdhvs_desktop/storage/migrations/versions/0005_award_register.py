"""award register and prize amounts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 01:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('award_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=10), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('subject_name', sa.String(length=300), nullable=False),
    sa.Column('name_key', sa.String(length=300), nullable=False),
    sa.Column('cccd', sa.String(length=12), nullable=True),
    sa.Column('unit_code', sa.String(length=64), nullable=True),
    sa.Column('unit_name', sa.String(length=300), nullable=True),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('award_form_id', sa.Integer(), nullable=True),
    sa.Column('award_code', sa.String(length=64), nullable=True),
    sa.Column('award_name', sa.String(length=300), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('granting_authority', sa.String(length=300), nullable=True),
    sa.Column('decision_number', sa.String(length=60), nullable=True),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('campaign_text', sa.String(length=500), nullable=True),
    sa.Column('achievement', sa.Text(), nullable=True),
    sa.Column('prize_amount', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['award_form_id'], ['award_form.id'], name=op.f('fk_award_record_award_form_id_award_form'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], name=op.f('fk_award_record_campaign_id_campaign'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidate.id'], name=op.f('fk_award_record_candidate_id_candidate'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_award_record_person_id_person'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_award_record_unit_id_unit'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_record')),
    sa.UniqueConstraint('candidate_id', name=op.f('uq_award_record_candidate_id'))
    )
    with op.batch_alter_table('award_record', schema=None) as batch_op:
        batch_op.create_index('ix_award_record_decision', ['decision_number', 'decision_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_record_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_record_cccd'), ['cccd'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_record_decision_date'), ['decision_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_record_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_record_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_record_unit_code'), ['unit_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_record_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('award_form', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prize_amount', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('award_form', schema=None) as batch_op:
        batch_op.drop_column('prize_amount')

    with op.batch_alter_table('award_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_record_unit_id'))
        batch_op.drop_index(batch_op.f('ix_award_record_unit_code'))
        batch_op.drop_index(batch_op.f('ix_award_record_person_id'))
        batch_op.drop_index(batch_op.f('ix_award_record_name_key'))
        batch_op.drop_index(batch_op.f('ix_award_record_decision_date'))
        batch_op.drop_index(batch_op.f('ix_award_record_cccd'))
        batch_op.drop_index(batch_op.f('ix_award_record_campaign_id'))
        batch_op.drop_index('ix_award_record_decision')

    op.drop_table('award_record')
