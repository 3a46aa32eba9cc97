"""keyed audit chain: decision state in chained entries, key id, anchors

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 00:40:00

The chained audit entries get the decision state they cover (`state`, canonical JSON) and
the fingerprint of the HMAC key that signs them (`key_id`); `audit_anchor` keeps the chain
heads printed on minutes and dossiers (so a backup carries them). Existing chained entries
are verified with the old unkeyed SHA-256, then re-chained with the key, and a keyed
"rekey" marker records the old head, its length and whether it was intact
(storage/audit_chain.rechain_with_key).
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("state", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))
    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=True),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    from bdhvs_desktop.storage.audit_chain import rechain_with_key

    rechain_with_key(op.get_bind())


def downgrade() -> None:
    op.drop_table("audit_anchor")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("key_id")
        batch_op.drop_column("state")
