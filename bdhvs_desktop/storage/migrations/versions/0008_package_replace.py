"""a ward's corrected package replaces its earlier one (superseded packages stay as history)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 04:50:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_CURRENT = sa.text("candidate_id IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table('ward_package', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('superseded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('superseded_by_user', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_ward_package_superseded_by_id'), ['superseded_by_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_ward_package_superseded_by_id_ward_package'), 'ward_package',
                                    ['superseded_by_id'], ['id'])
    # A superseded proposal keeps its row with candidate_id NULL; the ward's key is unique among current ones.
    with op.batch_alter_table('ward_proposal', schema=None) as batch_op:
        batch_op.drop_constraint('uq_ward_proposal_ward_code', type_='unique')
        batch_op.drop_constraint('fk_ward_proposal_candidate_id_candidate', type_='foreignkey')
        batch_op.alter_column('candidate_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key('fk_ward_proposal_candidate_id_candidate', 'candidate', ['candidate_id'], ['id'],
                                    ondelete='SET NULL')
    op.create_index('uq_ward_proposal_current_key', 'ward_proposal', ['ward_code', 'candidate_key'], unique=True,
                    sqlite_where=_CURRENT, postgresql_where=_CURRENT)


def downgrade() -> None:
    op.drop_index('uq_ward_proposal_current_key', table_name='ward_proposal')
    op.execute("DELETE FROM ward_proposal WHERE candidate_id IS NULL")
    with op.batch_alter_table('ward_proposal', schema=None) as batch_op:
        batch_op.drop_constraint('fk_ward_proposal_candidate_id_candidate', type_='foreignkey')
        batch_op.alter_column('candidate_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_ward_proposal_candidate_id_candidate', 'candidate', ['candidate_id'], ['id'],
                                    ondelete='CASCADE')
        batch_op.create_unique_constraint('uq_ward_proposal_ward_code', ['ward_code', 'candidate_key'])
    with op.batch_alter_table('ward_package', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_ward_package_superseded_by_id_ward_package'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ward_package_superseded_by_id'))
        batch_op.drop_column('superseded_by_user')
        batch_op.drop_column('superseded_at')
        batch_op.drop_column('superseded_by_id')
