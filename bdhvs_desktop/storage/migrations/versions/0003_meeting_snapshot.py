"""meeting snapshot: members as they were at each meeting, counting committee, conflicts,
local meeting times, candidate names as voted

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 00:40:00

Existing meetings get a snapshot taken from the council as it is now (the best that is known),
the zone Asia/Ho_Chi_Minh, and their end time -- which `meeting close` stored as UTC -- moved to
local time (UTC+7, Vietnam has no daylight saving).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0003'
down_revision: Union[str, None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('council_meeting', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('snapshot_frozen_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('position', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('role', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('sort_order', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('counting_role', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('conflicts', sa.JSON(), nullable=True))
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject_name', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('award_name', sa.String(length=300), nullable=True))

    bind = op.get_bind()
    bind.execute(sa.text(
        "UPDATE meeting_attendance SET "
        "full_name = (SELECT cm.full_name FROM council_member cm WHERE cm.id = meeting_attendance.member_id), "
        "position = (SELECT cm.position FROM council_member cm WHERE cm.id = meeting_attendance.member_id), "
        "role = (SELECT cm.role FROM council_member cm WHERE cm.id = meeting_attendance.member_id), "
        "sort_order = (SELECT cm.sort_order FROM council_member cm WHERE cm.id = meeting_attendance.member_id)"))
    bind.execute(sa.text(
        "UPDATE vote SET "
        "subject_name = COALESCE("
        " (SELECT u.name FROM candidate c JOIN unit u ON u.id = c.unit_id WHERE c.id = vote.candidate_id),"
        " (SELECT p.full_name FROM candidate c JOIN person p ON p.id = c.person_id WHERE c.id = vote.candidate_id)), "
        "award_name = (SELECT f.name FROM candidate c JOIN award_form f ON f.id = c.award_form_id "
        "WHERE c.id = vote.candidate_id)"))
    rows = bind.execute(sa.text("SELECT id, ended_at FROM council_meeting WHERE ended_at IS NOT NULL")).fetchall()
    import datetime as dt

    for mid, ended in rows:
        if isinstance(ended, str):
            ended = dt.datetime.fromisoformat(ended)
        bind.execute(sa.text("UPDATE council_meeting SET ended_at = :e WHERE id = :i"),
                     {"e": ended + dt.timedelta(hours=7), "i": mid})
    bind.execute(sa.text("UPDATE council_meeting SET timezone = 'Asia/Ho_Chi_Minh' WHERE timezone IS NULL"))


def downgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, ended_at FROM council_meeting WHERE ended_at IS NOT NULL")).fetchall()
    import datetime as dt

    for mid, ended in rows:
        if isinstance(ended, str):
            ended = dt.datetime.fromisoformat(ended)
        bind.execute(sa.text("UPDATE council_meeting SET ended_at = :e WHERE id = :i"),
                     {"e": ended - dt.timedelta(hours=7), "i": mid})
    with op.batch_alter_table('vote', schema=None) as batch_op:
        batch_op.drop_column('award_name')
        batch_op.drop_column('subject_name')
    with op.batch_alter_table('meeting_attendance', schema=None) as batch_op:
        for name in ('conflicts', 'counting_role', 'sort_order', 'role', 'position', 'full_name'):
            batch_op.drop_column(name)
    with op.batch_alter_table('council_meeting', schema=None) as batch_op:
        batch_op.drop_column('snapshot_frozen_at')
        batch_op.drop_column('timezone')
