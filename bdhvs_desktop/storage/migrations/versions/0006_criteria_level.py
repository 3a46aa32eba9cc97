"""criteria set level (ward or province)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 03:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Every existing set is the ward's own (server default); a preset may add province sets.
    # A column added to an existing table keeps the table's grants on PostgreSQL (table-level
    # privileges), and storage/pg_roles.py re-applies them after the upgrade anyway.
    with op.batch_alter_table('criteria_set', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=20), nullable=False, server_default='ward'))


def downgrade() -> None:
    with op.batch_alter_table('criteria_set', schema=None) as batch_op:
        batch_op.drop_column('level')
